"""A plan's interpretation as short chips ("umbrellas in fog", "Dec 2021-Feb 2022",
"within 100 m of 40th & Walnut"), and what a follow-up changed in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flux_ask.query.dates import weekday_words
from flux_ask.query.plan import (
    DEFAULT_MOTIF_YEARS,
    SEVERAL,
    FileRef,
    QueryPlan,
    SelectedRef,
    describe_target,
)


@dataclass(frozen=True)
class Chip:
    kind: str  # what the chip is about: "subject", "dates", "near", ...; one chip per kind
    label: str
    change: str = ""  # against the question before: "", "new", "changed" or "removed"
    meant: int = 0  # an other reading of a place name, by its number for `/meant N`
    other: int = 0  # another reading of the question, by its number for `/other N`


def chips(plan: QueryPlan, before: QueryPlan | None = None) -> list[Chip]:
    """The plan's chips; with `before` (the plan a follow-up refines), each marked with
    how it differs, and the chips the follow-up dropped kept as "removed"."""
    now = _labels(plan)
    if before is None:
        out = [Chip(kind, label) for kind, label in now.items()]
    else:
        old = _labels(before)
        out = [Chip(kind, label, "" if old.get(kind) == label else "changed" if kind in old else "new")
               for kind, label in now.items()]
        out += [Chip(kind, label, "removed") for kind, label in old.items() if kind not in now]
    # what an ambiguous name may also mean, to switch to: "or Athens, Georgia"; and the question's other readings
    return out + [Chip(f"meant {n}", f"or {place.label}", meant=n) for n, place in enumerate(plan.alternatives, 1)] \
        + [Chip(f"other {n}", f"or {r.label}", other=n) for n, r in enumerate(plan.other_readings, 1)]


def _labels(p: QueryPlan) -> dict[str, str]:
    out = {}
    if p.text:
        out["subject"] = p.text
    if p.similar_to:
        t = p.similar_to
        out["like"] = ("like the highlighted photo" if isinstance(t, SelectedRef) else
                       f"like {t.path.rsplit('/', 1)[-1]}" if isinstance(t, FileRef) else
                       f"like {describe_target(t)}")
    if p.echoes_of:
        out["echoes"] = f"echoes of {p.echoes_of.label}"
    if p.negative_text:
        out["without"] = f"without {p.negative_text}"
    if p.date_ranges:
        out["dates"] = ", ".join(date_span(a, b) for a, b in p.date_ranges)
    if p.weekdays:
        out["days"] = f"on {weekday_words(p.weekdays)}"
    if p.exclude_date_ranges:
        out["not dates"] = "not " + ", ".join(date_span(a, b) for a, b in p.exclude_date_ranges)
    if p.near:
        out["near"] = p.near.words()
    if p.exclude_near:
        out["not near"] = f"not {p.exclude_near.words()}"
    for fact in p.facts:  # each its own chip: "on the Canon", "ISO 3200", "golden hour"
        out[f"fact {fact.name} {fact.label}" if fact.name in SEVERAL else f"fact {fact.name}"] = fact.label
    if p.group_by == "motif":
        out["grouping"] = f"motifs in {p.span_years or DEFAULT_MOTIF_YEARS}+ years"
    elif p.group_by:
        out["grouping"] = f"by {p.group_by}"
    if p.group_by == "motif":
        out["count"] = f"best {p.count} motifs"
    elif p.group_by:
        out["count"] = f"{p.count} per {p.group_by}"
    else:
        out["count"] = "every match" if p.mode == "all" else f"best {p.count}"
    if p.rank == "keeper":
        out["rank"] = "keeper blend"
    if p.order:
        out["order"] = {"newest": "newest first", "oldest": "oldest first", "time": "in time order",
                        "score": "by score", "random": "at random"}[p.order]
    return out


def date_span(first_iso: str, last_iso: str) -> str:
    """"2023", "Mar 2023", "Dec 2021-Feb 2022", "2019-2021", else the days."""
    first, last = date.fromisoformat(first_iso), date.fromisoformat(last_iso)
    whole_months = first.day == 1 and (last + timedelta(days=1)).day == 1
    if whole_months and first.month == 1 and last.month == 12:
        return str(first.year) if first.year == last.year else f"{first.year}-{last.year}"
    if whole_months:
        start, end = first.strftime("%b %Y"), last.strftime("%b %Y")
        return start if start == end else f"{start}-{end}"
    start, end = f"{first.day} {first:%b %Y}", f"{last.day} {last:%b %Y}"
    return start if first == last else f"{start}-{end}"
