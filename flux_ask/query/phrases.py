"""The typed phrases a question is read into. Each reader (the grammar's, what the files say,
negation) returns one of these; the planner puts them together into a QueryPlan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flux_ask.query.plan import Fact, Place, PlaceReading, SimilarTo

Range = tuple[date, date]


@dataclass(frozen=True)
class Dates:
    """Days the photos were taken on: "in 2019", "last Christmas", "every January"."""

    ranges: tuple[Range, ...]
    note: str
    every: bool = False  # every January, winter or Christmas: narrowed by another date of the question
    tentative: bool = False  # "christmas markets": what the picture shows, a date only beside another date
    holiday: str | None = None  # the calendar holiday it names, for the notes
    # a date said without its year, in the year said next: "the day after thanksgiving | last year"
    in_year: Callable[[int], tuple[tuple[Range, ...], str]] | None = field(default=None, compare=False)
    open: str | None = None  # "since" or "until": open at one end, closed by the other ("after 2015 and before 2019")
    unit: str = "year"  # what two of them side by side are grouped by: "june and july compared" by month
    # said with its year, the same date in another: "christmas 2024 | and 2025"
    again: Callable[[int], tuple[tuple[Range, ...], str]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Weekdays:
    days: frozenset[int]  # Monday 0 to Sunday 6


@dataclass(frozen=True)
class Near:
    place: Place
    readings: tuple[PlaceReading, ...] = ()  # what else its name may mean


@dataclass(frozen=True)
class Similar:
    target: SimilarTo


@dataclass(frozen=True)
class Echoes:
    place: Place
    readings: tuple[PlaceReading, ...] = ()


@dataclass(frozen=True)
class Every:
    """ "all": every match above the bar."""


@dataclass(frozen=True)
class Count:
    n: int
    best: bool = False  # "the best 5": ranked by the keeper score


@dataclass(frozen=True)
class Grouping:
    by: str  # year, season, month, motif, camera, lens, country, region, place, weekday, hour
    per: int | None = None  # "12 per year"
    span_years: int | None = None  # "across six years"


@dataclass(frozen=True)
class Order:
    by: str  # newest, oldest, time, score
    count: int | None = None  # "the most recent 15"


@dataclass(frozen=True)
class FactPhrase:
    """What the files say: "shot on the Canon", "over 200mm", "5 stars"."""

    fact: Fact
    keep: str = ""  # words CLIP should still see ("sunset")
    note: str = ""


@dataclass(frozen=True)
class Without:
    """What must not be in the picture: "without people", "no cars"."""

    words: str


@dataclass(frozen=True)
class Negated:
    """Whatever follows a "not", "except" or "other than": a date, a place or a fact left out."""

    phrase: Dates | Weekdays | Near | FactPhrase


Phrase = Dates | Weekdays | Near | Similar | Echoes | Every | Count | Grouping | Order | FactPhrase | Without | Negated
