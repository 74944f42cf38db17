"""Counts said as a person says them: 1 photo, 2 photos, 1,204 matches."""

from __future__ import annotations

IRREGULAR = {"match": "matches"}


def counted(n: int, noun: str) -> str:
    """ "1 photo", "0 photos", "12,000 matches": the noun singular for one, plural otherwise."""
    if n == 1:
        return f"{n:,} {noun}"
    head, _, last = noun.rpartition(" ")  # "strong match": the last word takes the plural
    return f"{n:,} {head + ' ' if head else ''}{IRREGULAR.get(last, last + 's')}"


def a_score(x: float) -> str:
    """A score to read: three decimals, or two significant digits where three decimals would
    say 0.000 of a score that is not nothing (a motif's coherence times its spread)."""
    return f"{x:.3f}" if x == 0 or abs(x) >= 0.005 else f"{x:.2g}"


# C0 and C1 control characters but the line's own (newline, tab, carriage return): a file's name
# or a field it holds can carry ESC]0;...BEL or ESC[2J, which a terminal would obey
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t\r"}


def visible(text: str) -> str:
    """Text from a file as a terminal shows it, not obeys it: control characters as \\xNN."""
    return text.translate(_CONTROLS)
