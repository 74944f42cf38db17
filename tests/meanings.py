"""Judging a plan against what the person who wrote the question meant.

A question set is JSON lines (tests/unit/questions/*.jsonl), each a question and its meaning,
written by someone who never read the planner: `text_has` and `text_not` (words that must,
or must not, stay for CLIP), `dates`, `dates_every`, `exclude_dates`, `weekdays`, `hours`,
`place`, `exclude_place`, `facts`, `exclude_facts`, `negative`, `count`, `group_by`,
`similar`, and `ambiguous` with `also` (another fair reading). A kind of filter the meaning
leaves out must not be in the plan.

Each plan is judged one of:
- right: every part of the meaning holds, and nothing else is filtered (two things compared side
  by side, "summer vs winter", "leica vs fuji", may be filtered to the two; a number bounded from
  both sides, "over 16 but under 28mm", is judged as one span);
- missed: a filter that was asked for is not there (the words went to CLIP instead), or a count
  or grouping is off: wrong, but what the person sees is not narrowed behind their back;
- silent: a filter nobody asked for, or a wrong place, date or fact, with nothing in the plan
  that admits a doubt (another reading offered): the answer is silently wrong;
- refused: the planner refused the question in one line where the meaning has a filter it could
  have read (a refusal of a place only an online map knows is right, offline);
- crash: anything but a FluxAskError.

    python -m tests.meanings tests/unit/questions/blind_a.jsonl [--show silent,missed]
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flux_ask.errors import FluxAskError

NOW = date(2026, 12, 6)  # the day most sets were written for: a Sunday
# the day a question was written for, where its set says another ("today": a later set's Monday)
TODAY: ContextVar[date] = ContextVar("TODAY", default=NOW)
KNOWN_KEYS = {"q", "kind", "today", "text_has", "text_not", "dates", "date_slack_days", "dates_every", "exclude_dates",
              "weekdays", "hours", "place", "exclude_place", "facts", "exclude_facts", "negative", "count",
              "group_by", "order", "similar", "ambiguous", "also", "note"}
FIELD_OF = {"focal_mm": "focal", "aperture_f": "f_number", "iso": "iso", "shutter_s": "exposure_s",
            "rating": "rating", "camera": "camera", "lens": "lens", "flash": "flash", "shape": "shape",
            "format": "format", "label": "color_label", "keyword": "keyword", "picked": "pick", "gps": "located",
            "daytime": "daytime", "title": "title"}
NUMERIC = {"focal", "f_number", "iso", "exposure_s", "rating"}


@dataclass
class Verdict:
    kind: str  # right, missed, silent, refused, crash
    why: list[str] = field(default_factory=list)


def load(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        unknown = set(row) - KNOWN_KEYS
        assert not unknown, (row["q"], unknown)
    return rows


def judge(question: str, meaning: dict[str, Any], planner) -> Verdict:
    """The verdict on `planner(question)` (a callable returning a QueryPlan), on the day the
    question was written for."""
    token = TODAY.set(date.fromisoformat(meaning["today"]) if meaning.get("today") else NOW)
    try:
        return _judged(question, meaning, planner)
    finally:
        TODAY.reset(token)


def _judged(question: str, meaning: dict[str, Any], planner) -> Verdict:
    try:
        plan = planner(question)
    except FluxAskError as exc:
        if _only_online(meaning):
            return Verdict("right", [f"refused: {exc}"])
        return Verdict("refused", [f"{type(exc).__name__}: {exc}"])
    except Exception as exc:  # noqa: BLE001 - a crash is a verdict
        return Verdict("crash", [f"{type(exc).__name__}: {exc}"])
    verdict = _against(plan, meaning)
    if verdict.kind != "right" and meaning.get("also"):
        other = _against(plan, {**{k: v for k, v in meaning.items() if k not in _FILTER_KEYS}, **meaning["also"]})
        if other.kind == "right" and _doubts(plan):
            return Verdict("right", ["the other reading, with the first offered"])
    return verdict


_FILTER_KEYS = {"dates", "dates_every", "exclude_dates", "weekdays", "hours", "place", "exclude_place", "facts",
                "exclude_facts", "negative", "count", "group_by", "similar", "text_has", "text_not"}


def _only_online(meaning: dict) -> bool:
    places = [p for key in ("place", "exclude_place") for p in _as_list(meaning.get(key))]
    return bool(places) and all(p.get("online") for p in places)


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _against(plan, m: dict[str, Any]) -> Verdict:
    missed: list[str] = []  # asked for, not done: the words went to CLIP, or a count is off
    wrong: list[str] = []  # done, but not asked for, or not as asked
    text = " " + _fold(plan.text) + " "
    for word in m.get("text_has", []):
        if _fold(word) not in text and _singular(word) not in _singular(plan.text):  # "singular ok"
            missed.append(f"text {plan.text!r} lacks {word!r}")
    # the words of a time of day stay for CLIP beside its fact: a night sky looks like night
    daytime = {_fold(w) for f in plan.facts if f.name == "daytime" for w in str(f.value).split()}
    for word in m.get("text_not", []):
        if f" {_fold(word)} " in text and not {w.rstrip("s") for w in _fold(word).split()} <= daytime:
            missed.append(f"text {plan.text!r} keeps {word!r}")
    _dates(plan, m, missed, wrong)
    want_days = sorted(m.get("weekdays") or [])
    if list(plan.weekdays) != want_days:
        (wrong if plan.weekdays else missed).append(f"weekdays {list(plan.weekdays)} != {want_days}")
    _places(plan.near, m.get("place"), missed, wrong, "place")
    _places(plan.exclude_near, m.get("exclude_place"), missed, wrong, "not place")
    _facts(plan, m, missed, wrong)
    negative = " " + _fold(plan.negative_text) + " "
    for word in m.get("negative", []):
        if _fold(word) not in negative:
            missed.append(f"negative {plan.negative_text!r} lacks {word!r}")
    if plan.negative_text and not m.get("negative"):
        wrong.append(f"negative {plan.negative_text!r} not asked for")
    _count_and_group(plan, m, missed, wrong)
    if bool(m.get("similar")) != (plan.similar_to is not None):
        (wrong if plan.similar_to else missed).append("similar_to")
    if wrong:
        return Verdict("missed" if _doubts(plan) else "silent", wrong + missed)
    return Verdict("missed" if missed else "right", missed)


def _doubts(plan) -> bool:
    """Whether the plan admits another reading: offered alternatives, or other places of a name."""
    return bool(getattr(plan, "alternatives", ()) or getattr(plan, "readings", ()) or
                getattr(plan, "other_readings", ()))


# -- dates ------------------------------------------------------------------------------

def _dates(plan, m: dict, missed: list, wrong: list) -> None:
    """The days the plan lets through against the days meant, from WINDOW_START to today:
    "2023 except July" and "Jan-Jun 2023 and Aug-Dec 2023" are the same meaning."""
    have = _plan_days(plan)
    want = _meant_days(m)
    if want is None:  # every Diwali, every Tet: checked by their number and length
        ranges = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in plan.date_ranges]
        problem = _every(ranges, m["dates_every"])
        if problem:
            (wrong if ranges else missed).append(f"dates: {problem}")
        return
    if have == want:
        return
    if m.get("dates_every") and have is not ALL and want is not ALL:
        # every New Year's Eve: the window's first days belong to a year before it, on either side
        edge = WINDOW_START + timedelta(days=366)
        if {d for d in have if d >= edge} == {d for d in want if d >= edge}:
            return
    slack = m.get("date_slack_days", 0)
    asked = m.get("dates") or m.get("dates_every") or m.get("exclude_dates")
    if not asked and _compared_seasons(m) and have is not ALL and all(d.month in _compared_seasons(m) for d in have):
        return  # "summer vs winter": every summer and winter, side by side, is what was asked
    if not asked:
        wrong.append(f"dates {_show(plan.date_ranges)} not asked for (left out: {_show(plan.exclude_date_ranges)})")
    elif have is ALL:
        missed.append(f"dates: none, not {asked}")
    elif slack and want is not ALL and len(have ^ want) <= 2 * slack * max(1, len(m.get("dates") or [1])):
        return
    else:
        wrong.append(f"dates {_show(plan.date_ranges)} (left out {_show(plan.exclude_date_ranges)}) != {asked}")


SEASON_MONTHS = {"winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11),
                 "fall": (9, 10, 11)}


def _compared_seasons(m: dict) -> set[int]:
    """The months of the seasons a meaning compares side by side ("summer vs winter"), if it does."""
    compared = [str(c).lower() for c in (m.get("group_by") or {}).get("compare", [])] \
        if isinstance(m.get("group_by"), dict) else []
    if not compared or not all(c in SEASON_MONTHS for c in compared):
        return set()
    return {month for c in compared for month in SEASON_MONTHS[c]}


WINDOW_START = date(1987, 1, 1)  # "every January" reaches back forty years
ALL = frozenset({"all"})


def _span_days(ranges) -> set[date]:
    out: set[date] = set()
    for a, b in ranges:
        a, b = max(date.fromisoformat(str(a)), WINDOW_START), min(date.fromisoformat(str(b)), TODAY.get())
        out.update(_days(a, b))
    return out


def _plan_days(plan):
    if not plan.date_ranges and not plan.exclude_date_ranges:
        return ALL
    days = _span_days(plan.date_ranges) if plan.date_ranges else set(_days(WINDOW_START, TODAY.get()))
    return frozenset(days - _span_days(plan.exclude_date_ranges))


def _meant_days(m: dict):
    every = m.get("dates_every")
    if not m.get("dates") and not every and not m.get("exclude_dates"):
        return ALL
    if every and "holiday" in every:
        return None
    if every:
        allowed = set(_days(WINDOW_START, TODAY.get()))
        if "months" in every:
            allowed = {d for d in allowed if d.month in every["months"]}
        elif "season" in every:
            months = {"winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11),
                      "fall": (9, 10, 11)}[every["season"]]
            allowed = {d for d in allowed if d.month in months}
        elif "month_day" in every:
            days = {tuple(map(int, md.split("-"))) for md in every["month_day"]}
            allowed = {d for d in allowed if (d.month, d.day) in days}
        if m.get("dates"):
            allowed &= _span_days(m["dates"])
    else:
        allowed = _span_days(m["dates"]) if m.get("dates") else set(_days(WINDOW_START, TODAY.get()))
    return frozenset(allowed - _span_days(m.get("exclude_dates") or []))


def _every(have, every: dict) -> str:
    if len(have) < 8:
        return f"{len(have)} date ranges, not every one ({every})"
    if any((b - a).days > 40 for a, b in have):
        return f"not every {every}: {_show(have[:2])}"
    return ""


def _days(a: date, b: date):
    while a <= b:
        yield a
        a += timedelta(days=1)


def _show(ranges) -> str:
    shown = [f"{a}..{b}" for a, b in list(ranges)[:3]]
    return "[" + ", ".join(shown) + (f", +{len(ranges) - 3}" if len(ranges) > 3 else "") + "]"


# -- places -----------------------------------------------------------------------------

def _places(have, want, missed: list, wrong: list, what: str) -> None:
    wanted = _as_list(want)
    got = list(have.places) if have is not None else []
    if not wanted:
        if got:
            wrong.append(f"{what} {have.label} not asked for")
        return
    if not got:
        if not all(w.get("online") for w in wanted):
            missed.append(f"{what}: none, not {[w.get('name') for w in wanted]}")
        return
    if len(wanted) == 1 and len(got) > 1 and all(p.area for p in got) and \
            _fold(have.label) in _fold(wanted[0].get("name", "")):
        return  # "Patagonia", "New England": one region the planner keeps as the areas it is made of
    if len(got) != len(wanted):
        wrong.append(f"{what}: {[p.label for p in got]} != {[w.get('name') for w in wanted]}")
        return
    for w in wanted:
        if not any(_is_place(p, w) for p in got):
            wrong.append(f"{what} {[_say(p) for p in got]} is not {w.get('name')}")


def _say(p) -> str:
    return f"{p.label} ({p.area or f'{p.lat:.3f},{p.lon:.3f} r{p.radius_m / 1000:.1f}km'})"


def _is_place(p, w: dict) -> bool:
    if w.get("country"):
        if p.area:
            code, _, region = p.area.partition("/")
            if code != w["country"]:
                return False
            return not w.get("region") or _fold(region) in _fold(w["region"]) or _fold(w["region"]) in _fold(region)
        if not w.get("lat"):
            return False
    if "lat" not in w:
        return False
    if p.box is not None:
        south, north, west, east = p.box
        inside = south - 0.05 <= w["lat"] <= north + 0.05 and west - 0.05 <= w["lon"] <= east + 0.05
        if not inside:
            return False
    elif _km(p.lat, p.lon, w["lat"], w["lon"]) > w.get("max_offset_km", 25):
        return False
    # the largest sensible radius is a judgement: half as much again still fits
    return not w.get("max_radius_km") or p.area is not None or p.radius_m / 1000 <= 1.5 * w["max_radius_km"]


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(min(1.0, math.sqrt(a)))


# -- what the files say -----------------------------------------------------------------

def _facts(plan, m: dict, missed: list, wrong: list) -> None:
    facts = list(plan.facts)
    used: set[int] = set()
    hours = m.get("hours")
    asked = [(f, False) for f in m.get("facts", [])] + [(f, True) for f in m.get("exclude_facts", [])]
    both = _bounds_together(asked)
    if both:  # "less than 28mm but more than 16": one span in the plan holds for both bounds, or two facts do
        name, wants = both
        found = [k for k, f in enumerate(facts) if name in _names(f)]
        used.update(found)
        if not found:
            missed.append(f"fact {wants} not read")
        else:
            for x in sorted({x for w in wants for x, _ in _probes(w, name)}):
                expected = all(_compare(x, w["op"], w["value"], tolerant=name != "rating") for w in wants)
                said = [_accepts(facts[k], name, x) for k in found]  # the plan's facts all hold, or it is no
                if all(a is None for a in said) or all(a is not False for a in said) != expected:
                    wrong.append(f"fact {[facts[k].label for k in found]} is not {wants} at {x}")
                    break
        asked = [(w, neg) for w, neg in asked if not (not neg and FIELD_OF.get(w["field"]) == name)]
    for want, negated in asked:
        if want["field"] == "rating" and want["value"] == -1 and want["op"] == "=" or \
                want["field"] == "picked" and want["value"] in ("rejected", "reject", -1):
            want = {"field": "picked", "op": "=", "value": False}  # rejected: the catalog's pick of -1
        name = FIELD_OF.get(want["field"], want["field"])
        found = [k for k, f in enumerate(facts) if name in _names(f)]
        if not found:
            missed.append(f"fact {want} not read")
            continue
        used.update(found)
        if not any(_fact_holds_as(facts[k], want, name, negated) for k in found):
            wrong.append(f"fact {[facts[k].label for k in found]} is not {'not ' if negated else ''}{want}")
    if hours:
        clock = [k for k, f in enumerate(facts) if f.name == "hour"]
        found = clock or [k for k, f in enumerate(facts) if "daytime" in _names(f)]
        used.update(found)
        if not found:
            missed.append(f"hours {hours} not read")
        elif clock and not any(abs(facts[k].value[0] - hours[0]) <= 1 and abs(facts[k].value[1] + 1 - hours[1]) <= 1
                               for k in clock):
            wrong.append(f"hours {[facts[k].value for k in clock]} != {hours}")
    compared = [_fold(str(c)) for c in (m.get("group_by") or {}).get("compare", [])] \
        if isinstance(m.get("group_by"), dict) else []
    for k, f in enumerate(facts):
        # "leica vs fuji": the two compared, and only they, side by side, as with seasons
        if k not in used and not (compared and all(c in _fold(f.label) for c in compared)):
            wrong.append(f"fact {f.label!r} not asked for")


def _bounds_together(asked: list) -> tuple[str, list[dict]] | None:
    """(the field, its bounds) when a meaning bounds one number from both sides."""
    by_field: dict[str, list[dict]] = {}
    for want, negated in asked:
        name = FIELD_OF.get(want["field"], want["field"])
        if not negated and name in NUMERIC and want["op"] in (">", ">=", "<", "<="):
            by_field.setdefault(name, []).append(want)
    return next(((name, wants) for name, wants in by_field.items() if len(wants) > 1), None)


def _names(fact) -> set[str]:
    if fact.name in ("either", "not"):
        return {n for part in fact.value for n in _names(part)}
    return {fact.name}


def _fact_holds_as(fact, want: dict, name: str, negated: bool) -> bool:
    """Whether the plan's fact accepts the same probe values as the meaning."""
    for value, expected in _probes(want, name):
        got = _accepts(fact, name, value)
        if got is None:
            return False
        if got != (expected != negated):
            return False
    return True


def _probes(want: dict, name: str) -> list[tuple[Any, bool]]:
    op, v = want["op"], want["value"]
    if name in NUMERIC and op in ("=", ">", ">=", "<", "<=", "between"):
        if name == "rating":
            values = [-1, 0, 1, 2, 3, 4, 5]
        elif op == "between":
            low, high = v
            values = [low * 0.5, low * 0.98, (low + high) / 2, high * 1.02, high * 2]
        else:
            values = [v * 0.5, v * 0.8, v * 1.25, v * 2] + ([v] if op == "=" else [])
        return [(x, _compare(x, op, v, tolerant=name != "rating")) for x in values]
    if name in ("camera", "lens", "keyword", "title"):
        return [(str(v).lower(), True), ("zzz", False)]
    return [(v, True)]


def _compare(x, op, v, tolerant: bool) -> bool:
    if op == "between":
        return v[0] <= x <= v[1]
    if op == "=":
        return abs(x - v) <= abs(v) * 0.05 if tolerant else x == v
    return {">": x > v, ">=": x >= v, "<": x < v, "<=": x <= v}[op]


def _accepts(fact, name: str, value) -> bool | None:
    """Whether `fact` holds for a photo whose `name` is `value` (None: it says nothing of it)."""
    if fact.name == "either":
        answers = [_accepts(part, name, value) for part in fact.value if name in _names(part)]
        return any(a for a in answers if a is not None) if answers else None
    if fact.name == "not":
        answers = [_accepts(part, name, value) for part in fact.value if name in _names(part)]
        return not any(answers) if answers else None
    op, v = fact.op, fact.value
    if name in NUMERIC:
        if isinstance(value, str):
            return None
        if op == "is" and name == "focal":
            return {"wide": value <= 28, "ultra wide": value <= 20, "telephoto": value >= 70}.get(v)
        if op == "between":
            return v[0] <= value <= v[1]
        if op in ("=", ">=", "<=", ">", "<"):
            if name == "rating" and op == "<=" and v <= 0:
                return value <= 0
            return {"=": value == v, ">=": value >= v, "<=": value <= v, ">": value > v, "<": value < v}[op]
        return None
    if name in ("camera", "lens", "keyword", "title"):
        said = _squash(str(v))
        return bool(said) and (said in _squash(value) or _squash(value) in said) if value != "zzz" else False
    if name == "pick":
        return v == (1 if value else -1)
    if name in ("flash", "located"):
        return bool(int(v)) == bool(value)
    if name == "format":
        same = ({"heic", "heif"}, {"jpeg", "jpg"}, {"raw", "dng"}, {"tiff", "tif"})
        if any({_fold(str(v)), _fold(str(value))} <= pair for pair in same):
            return True
        return _fold(str(v)) == _fold(str(value)) or {str(v).lower(), str(value).lower()} <= {"raw", "dng"} or \
            (str(v).lower(), str(value).lower()) in {("jpeg", "jpg"), ("jpg", "jpeg")}
    return _fold(str(v)).replace("_", " ") == _fold(str(value)).replace("_", " ")  # "blue_hour" is blue hour


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_]", "", _fold(text))


# -- how many, and how grouped ---------------------------------------------------------

def _count_and_group(plan, m: dict, missed: list, wrong: list) -> None:
    limit = getattr(plan, "limit", None)
    said_limit = getattr(plan, "limit_said", None)
    if said_limit is None:  # plans that do not tell a said limit from the default
        said_limit = limit if limit not in (None, 12) else None
    if m.get("count") is not None:
        if limit != m["count"]:
            missed.append(f"count {limit} != {m['count']}")
    elif said_limit is not None and not m.get("group_by"):
        missed.append(f"count {said_limit} not asked for")
    want = m.get("group_by")
    have = plan.group_by
    if isinstance(want, dict):
        kinds = {"summer": "season", "winter": "season", "spring": "season", "autumn": "season",
                 "fall": "season"}
        want = next((kinds.get(str(c).lower(), "year" if str(c).isdigit() else None)
                     for c in want.get("compare", [])), None) or "compare"
    if want != have and not (want == "place" and have in ("place", "locality", "city")) and \
            not (want == "compare" and have is not None):  # side by side by what the two are
        missed.append(f"grouped by {have}, not {want}")


def _fold(text: str) -> str:
    text = re.sub(r"['’]s\b|['’]", "", text or "")  # "women's march" is "women march" to the planner
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _singular(text: str) -> str:
    """Each word as its singular, near enough to compare: "church ladies" is "church lady"."""
    words = []
    for w in _fold(text).split():
        for plural, one in (("ies", "y"), ("men", "man"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("s", "")):
            if w.endswith(plural) and len(w) > len(plural) + 2 and not w.endswith("ss"):
                w = w[: -len(plural)] + one
                break
        words.append(w)
    return " " + " ".join(words) + " "


# -- the command ------------------------------------------------------------------------

def offline_planner(index_dir: Path, **settings):
    """plan() as an archive without a catalog would call it: the offline gazetteers, no geocoder."""
    from flux_ask.query import plan
    from flux_ask.query.places import offline_places

    resolver = offline_places(index_dir)
    return lambda question: plan(question, now=TODAY.get(), places=resolver, **settings)


def score(rows: list[dict], planner) -> tuple[Counter, list[tuple[dict, Verdict]]]:
    verdicts = [(row, judge(row["q"], row, planner)) for row in rows]
    return Counter(v.kind for _, v in verdicts), verdicts


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.meanings")
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--show", default="silent,missed,refused,crash")
    parser.add_argument("--index", type=Path, default=Path("/tmp/flux-ask-meanings-index"))
    args = parser.parse_args(argv)
    planner = offline_planner(args.index)
    shown = set(args.show.split(","))
    for path in args.sets:
        rows = load(path)
        counts, verdicts = score(rows, planner)
        for row, verdict in verdicts:
            if verdict.kind in shown:
                print(f"[{verdict.kind}] ({row.get('kind')}) {row['q']}\n    " + "\n    ".join(verdict.why))
        by_kind: dict[str, Counter] = {}
        for row, verdict in verdicts:
            by_kind.setdefault(row.get("kind", "?"), Counter())[verdict.kind] += 1
        print(f"\n{path.name}: {len(rows)} questions")
        for kind, c in sorted(by_kind.items()):
            print(f"  {kind:12} {c['right']:3}/{sum(c.values()):3} right, {c['silent']} silent")
        total = len(rows)
        print(f"  right {counts['right']}/{total} ({counts['right'] / total:.0%}), silently wrong "
              f"{counts['silent']} ({counts['silent'] / total:.1%}), missed {counts['missed']}, "
              f"refused {counts['refused']}, crash {counts['crash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
