"""The grammar's phrases (query.lark, its word lists filled from words.toml), each rule read
by one method of `PhraseReader` into a typed phrase (query/phrases.py), or into None where the
words parse but do not make sense here (a place that is not one, "may" in "may flowers")."""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

import lark
from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, VisitError

from flux_ask.atomic import kept_pickled
from flux_ask.errors import FluxAskError
from flux_ask.query import dates, english, festivals, vocabulary
from flux_ask.query.phrases import (
    Count,
    Dates,
    Echoes,
    Every,
    Grouping,
    Near,
    Order,
    Phrase,
    Similar,
    Weekdays,
)
from flux_ask.query.places import (
    LookupUnavailable,
    Resolver,
    called,
    city_and_what_lies_in_it,
    plausible_name,
    takes_the,
)
from flux_ask.query.plan import FileRef, OtherReading, Place, PhotoRef, PlaceReading, ResultRef, SelectedRef
from flux_ask.query.text import MAX_WORD_CHARS, holiday_of

MAX_PHRASE_WORDS = 9
# a range may run longer: "between the autumn of 2016 and the spring of 2017"
RANGE_STARTS, MAX_RANGE_WORDS = frozenset({"between", "from"}), 11
Range = tuple[date, date]


class ImpossibleQuestion(FluxAskError):
    """A question no photo can answer as asked: a range that ends before it begins, a
    distance of nothing."""


class UnknownPlace(FluxAskError):
    """A name that is surely a place, and none the lists (or the online map) know. `near`: names
    a letter or two from it; `places_file`: where the user's own places are kept."""

    def __init__(self, name: str, why: str = "", near: tuple[str, ...] = (), places_file: str = ""):
        quoted = [f"'{n}'" for n in near]
        meant = f"; did you mean {' or '.join([', '.join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)}?" \
            if near else "."
        where = places_file or "places.toml in the archive home"
        super().__init__(f"unknown place {name!r}{f' ({why})' if why else ''}{meant} To name it yourself, add it to "
                         f"{where} (a [name] table with lat, lon and optional radius_m and aliases)")
        self.name, self.why = name, why


# -- the grammar ------------------------------------------------------------------------

def grammar() -> str:
    """query.lark with the lists of words.toml it names in double braces written in."""
    text = vocabulary.source("query.lark").read_text(encoding="utf-8")
    return re.sub(r"\{\{([\w.]+)\}\}", lambda m: vocabulary.pattern(m.group(1)), text)


def parser() -> Lark:
    return _built()[0]


@lru_cache(maxsize=1)
def _built() -> tuple[Lark, re.Pattern, re.Pattern]:
    """The parser and its edges, kept in the install's cache by what the grammar is made of: building them
    takes 0.1 s of every new process, loading them 0.02 s."""
    from flux_ask.config import file_stamp, static_cache_dir

    said = "".join(file_stamp(vocabulary.source(name)) for name in ("query.lark", "words.toml")) + \
        lark.__version__ + str(sys.version_info[:2])

    def build() -> tuple[Lark, re.Pattern, re.Pattern]:
        built = Lark(grammar(), start="phrase", parser="earley", lexer="dynamic", ambiguity="resolve")
        return (built, *_edges(built))
    return kept_pickled(static_cache_dir() / f"grammar-{hashlib.sha256(said.encode()).hexdigest()[:16]}.pickle",
                        build, _ModulesByName)


class _ModulesByName(pickle.Pickler):
    """Lark's lexer keeps the `re` module; a module is pickled as its name."""

    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        return NotImplemented


def _edges(built: Lark) -> tuple[re.Pattern, re.Pattern]:
    """Patterns for the words a phrase can begin with and end with, worked out from the grammar
    (its first and last terminals): a span that fails them is no phrase, without asking Earley."""
    rules: dict[str, list[list]] = {}
    for rule in built.rules:
        rules.setdefault(rule.origin.name, []).append(rule.expansion)
    nullable: set[str] = set()
    while True:  # the rules that can match nothing
        grown = {name for name, alts in rules.items()
                 if any(all(sym.name in nullable for sym in alt) for alt in alts)} - nullable
        if not grown:
            break
        nullable |= grown

    def edge(order) -> set[str]:
        found: dict[str, set[str]] = {name: set() for name in rules}
        changed = True
        while changed:
            changed = False
            for name, alts in rules.items():
                for alt in alts:
                    for sym in order(alt):
                        more = found[sym.name] if sym.name in rules else {sym.name}
                        if not more <= found[name]:
                            found[name] |= more
                            changed = True
                        if sym.name not in nullable:
                            break
        return found["phrase"]

    regex = {t.name: t.pattern.to_regexp() for t in built.terminals}
    first = "|".join(f"(?:{regex[name]})" for name in sorted(edge(list)))
    last = "|".join(f"(?:{regex[name]})" for name in sorted(edge(lambda alt: list(reversed(alt)))))
    return re.compile(first), re.compile(f"(?:{last})$")


def may_begin(span: str) -> bool:
    return bool(_built()[1].match(span))


def may_end(span: str) -> bool:
    # a search for an ending tries every character, so it reads only the last few words, from
    # a word's start: no ending is longer, and a word longer than any word ends no phrase
    if len(span) > 2 * MAX_WORD_CHARS:
        tail = span[-2 * MAX_WORD_CHARS:]
        space = tail.find(" ")
        if space < 0:
            return False
        span = tail[space + 1:]
    return bool(_built()[2].search(span))


@lru_cache(maxsize=4096)
def parse(phrase: str) -> Tree | int:
    """The phrase's tree, or the character where no phrase of the grammar can go on: no
    longer span from the same word parses past it. A word longer than any word of any language
    ends a phrase before it: the parser reads a letter at a time."""
    start = 0
    for word in phrase.split(" "):
        if len(word) > MAX_WORD_CHARS:
            return start
        start += len(word) + 1
    try:
        return parser().parse(phrase)
    except UnexpectedCharacters as exc:
        return exc.pos_in_stream
    except LarkError:  # the words so far may start a phrase that they do not finish
        return len(phrase)


# -- what a reading needs to know -------------------------------------------------------

@dataclass
class Context:
    """The settings and the question around a phrase."""

    now: date
    places: Resolver
    hemisphere: str = "north"
    block_m: float = 100.0
    walk_m: float = 800.0
    date_order: str = "MDY"
    country: str = "US"  # the configured calendar
    asked_country: str | None = None  # a calendar the question names or implies ("tet in hanoi")
    case_speaks: bool = True  # capitals mark names ("Show All Umbrellas In Fog" says nothing)
    # the span being read, and its neighbours
    originals: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""
    calendars: list[str] = field(default_factory=list)  # the calendars holidays were read from
    notes: list[str] = field(default_factory=list)
    others: list[OtherReading] = field(default_factory=list)  # how else the question may be read
    question_before: list[str] = field(default_factory=list)  # the words before the span, as typed
    question_after: list[str] = field(default_factory=list)  # ... and after it
    clause_after: list[str] = field(default_factory=list)  # the words after it up to a comma or a stop
    alone: bool = False  # a clause of its own, set off by a comma or a stop from the question's others


@dataclass(frozen=True)
class Span:
    """A date phrase before it is placed in the plan."""

    ranges: tuple[Range, ...]
    note: str
    every: bool = False  # every one of them (a month, season or holiday said without a year)
    in_year: Callable[[int], Span] | None = None  # the same words in another year: "3 march" of "... 2023"
    # a date said with its year, in another: "christmas 2024 | and 2025", "june 2019 | or 2021"
    again: Callable[[int], Span] | None = field(default=None, compare=False)
    year_said: bool = True
    holiday: str | None = None
    bare: bool = False  # a month, season or short year that is a date only after a preposition
    said: str = ""  # the word, for a bare one: "october" is a date, "may" a word
    unit: str = "year"  # what two of them side by side are grouped by (phrases.Dates)
    daytime: str | None = None  # "this morning", "last night": the time of day too
    open: str | None = None  # "since" or "until": a range open at one end ("after 2015", "before 2019")
    numeric: str = ""  # a day written in digits ("20/07/2019"), for its range to read both ends alike


# -- one method per rule ----------------------------------------------------------------

PICTURE_NOUNS = vocabulary.terms("picture.nouns")
# "first 15 from morocco", "the last 5 taken in rome": a count of photos without the noun, by
# the word after it ("the first 2 weeks", "the first 3 of july" are no count)
PHOTOS_FROM = {"from", "in", "at", "taken", "shot", "made", "on", "with"}
WORN = vocabulary.terms("picture.worn")  # "in a yankees cap": what people wear
EXCEPTING = {"but", "except", "excluding", "minus", "apart"}  # after a date: "winter except december"
# after a season or month said bare, a time of it: "summer evenings", "august nights", "winter days"
TIMES_OF_THE_SEASON = {"mornings", "afternoons", "evenings", "nights", "days", "weekends", "sunsets", "sunrises",
                       "morning", "afternoon", "evening", "night", "sunset", "sunrise", "dusk", "dawn"}


class PhraseReader(Transformer):
    """Trees of the grammar into phrases. Bottom up: a rule's method sees its children read."""

    def __init__(self, ctx: Context):
        super().__init__(visit_tokens=False)
        self.ctx = ctx

    def read(self, tree: Tree) -> Phrase | list[Phrase] | None:
        try:
            return self.transform(tree)
        except VisitError as exc:
            raise exc.orig_exc from None

    # ---- dates ----------------------------------------------------------------------
    def when(self, children) -> Dates | None:
        span = children[-1]
        if not isinstance(span, Span):
            return None
        first = self.ctx.originals[0].lower()
        introduced = first in vocabulary.terms("dates.prepositions") | {"the", "every", "each", "this", "last", "first",
                                                                         "final"} or \
            _after_a_negation(self.ctx.question_before) or \
            vocabulary.terms("grouping.versus") & {self.ctx.before, self.ctx.after} or \
            self.ctx.after in EXCEPTING or \
            vocabulary.terms("grouping.comparing") & {w.lower() for w in self.ctx.question_before}
        if first == "of" and span.holiday and _a_word_follows(self.ctx):
            introduced = False  # "images of carnival costumes": what the picture shows, not "photos of christmas"
        if span.holiday and self.ctx.after in vocabulary.terms("places.landmark_words"):
            return None  # "st patrick's cathedral", "easter island": a place named for the day
        if span.bare and self.ctx.after in TIMES_OF_THE_SEASON:
            introduced = True  # "summer evenings", "august nights": the time of day, in that season or month
        if span.bare and (self.ctx.after in PICTURE_NOUNS or self.ctx.alone or
                          [w.lower() for w in self.ctx.question_before[-2:]] in (["what", "about"], ["how", "about"])):
            introduced = True  # "summer pics", "fog in sf, summer", "what about summer": when the photos were taken
        # "summer vs winter", "winter but not december", "compare summer and winter"
        if span.bare and "the" in (w.lower() for w in self.ctx.originals) and self.ctx.clause_after and \
                _a_noun_follows(self.ctx):
            return None  # "the winter issue", "the summer house": a season that names a thing
        if span.bare and not introduced and not _month_for_sure(span.said):
            return None  # "may flowers", "march of the penguins", "winter coats": words; "october leaves" a date
        if span.holiday and span.every and not introduced and _a_word_follows(self.ctx):
            said, *rest = self.ctx.originals[1:] if first == "of" else self.ctx.originals
            if festivals.key_of(said) in vocabulary.terms("festivals_settings.adjectives"):
                # "christmas markets", "easter eggs": what the picture shows; a date only beside another date
                return Dates(span.ranges, span.note, every=True, tentative=True, holiday=span.holiday)
            # "songkran water fights", "holi colours": the days, and the words offered
            self._offer(f"'{said}' as words of the picture, not its days", f'"{said}"', *rest)
        in_year = _as_ranges(span.in_year) if not span.year_said and not span.every else None
        dates_read = Dates(span.ranges, span.note, every=span.every, holiday=span.holiday, in_year=in_year,
                           open=span.open, unit="season" if "meteorological" in span.note else span.unit,
                           again=_as_ranges(span.again))
        if span.numeric:
            self._offer_other_order(span.numeric)
        if span.daytime:  # "this morning": today, in the morning
            from flux_ask.query.facts import daytime_fact

            return [dates_read, daytime_fact(span.daytime)]
        return dates_read

    def day(self, c) -> Span:
        t = _tokens(c)
        year = _year_child(c)
        words = " ".join(t + ([str(year)] if year else []))
        found = dates.parsed_day(words, self.ctx.now, self.ctx.date_order)
        if found is None:
            raise ImpossibleQuestion(f"'{words}' is no day on the calendar")
        said = " ".join(t)

        def in_year(y: int) -> Span:
            return self.day([*c[:len(t)], y])
        return Span(((found, found),), _on(found), year_said=year is not None or bool(re.search(r"\d{4}", said)),
                    in_year=None if year else in_year, numeric=said if DAY_IN_DIGITS.fullmatch(said) else "")

    def weekend_of(self, c) -> Span | None:
        """ "the weekend of june 8 2024": the Saturday and Sunday of that day (a weekday's, the next)."""
        day = c[-1]
        if not isinstance(day, Span):
            return None
        found = day.ranges[0][0]
        saturday = found + timedelta(days=5 - found.weekday()) if found.weekday() < 5 else \
            found - timedelta(days=found.weekday() - 5)
        rng = (saturday, saturday + timedelta(days=1))
        return Span((rng,), _from_to(rng))

    def week_of(self, c) -> Span | None:
        """ "the week of the 4th of july": Monday to Sunday round that day."""
        day = c[-1]
        if not isinstance(day, Span):
            return None
        found = day.ranges[0][0]
        rng = (found - timedelta(days=found.weekday()), found + timedelta(days=6 - found.weekday()))
        return Span((rng,), _from_to(rng))

    def weekday_day(self, c) -> Span | None:
        """ "fri dec 4": the day, which the weekday confirms; said without a year, the latest
        year it fell on that weekday; a weekday the day does not fall on is said in the notes."""
        said, day = str(c[0]).lower(), c[-1]
        if not isinstance(day, Span):
            return None
        wanted = [d[:3].lower() for d in dates.DAY_NAMES].index(said[:3])
        found = day.ranges[0][0]
        if found.weekday() == wanted:
            return day
        name = dates.DAY_NAMES[wanted]
        if day.in_year is not None:
            for year in range(found.year - 1, found.year - 12, -1):
                other = day.in_year(year)
                if other.ranges[0][0].weekday() == wanted:
                    self.ctx.notes.append(f"'{' '.join(self.ctx.originals)}' read as {other.ranges[0][0].isoformat()}, "
                                          f"the latest year it fell on a {name}")
                    return other
        self.ctx.notes.append(f"{found.isoformat()} was a {dates.DAY_NAMES[found.weekday()]}, not a {name}: "
                              "read as the date")
        return day

    def year_said(self, c) -> int:
        return dates.year_of(str(c[0]), self.ctx.now)

    def day_range(self, c) -> Span:
        t = _tokens(c)
        year = _year_child(c) or self.ctx.now.year
        month = next(dates.month_number(w) for w in t if w[:3] in dates.MONTHS and not w[0].isdigit())
        first, last = sorted(int(re.match(r"\d+", w).group()) for w in t if w[0].isdigit())
        try:
            rng = (date(year, month, first), date(year, month, last))
        except ValueError:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no span of days on the calendar") from None
        if not _year_child(c) and rng[0] > self.ctx.now:
            rng = (rng[0].replace(year=year - 1), rng[1].replace(year=year - 1))
        return Span((rng,), _from_to(rng), year_said=_year_child(c) is not None,
                    in_year=None if _year_child(c) else lambda y: self.day_range([*c, y]))

    def holiday_name(self, c) -> tuple | None:
        """(the festival, "weekend" or "week" when said, the words) of a holiday's name; a
        demonym names its calendar ("canadian thanksgiving", "indian independence day")."""
        t = {tok.type: str(tok) for tok in c if isinstance(tok, Token)}
        name = holiday_of(t["HOLIDAY"])
        demonym = t.get("DEMONYM")
        found = (demonym and festivals.find(f"{demonym} {name}")) or festivals.find(name)
        if found is None:
            return None
        if demonym and found.rule is None:
            found = replace(found, countries=(vocabulary.table("demonyms")[demonym],))
        self._offer_part(found, name)
        return found, t.get("HOLIDAY_SPAN"), name

    def _offer_part(self, festival, name: str) -> None:
        """A festival's name holding the name of a part of it ("passover seder": the week, or
        the seder nights alone) is read as the whole, and the part offered."""
        for word in name.split() if festival.rule and " " in name else ():
            part = festivals.find(word)
            if part is not None and part.rule and part.key != festival.key and _part_of(part, festival):
                said = " ".join(self.ctx.originals)
                self._offer(f"'{name}' as {part.label} alone", re.sub(re.escape(name), word, said, flags=re.I))

    def holiday(self, c):
        return c[0]

    def _calendar(self, festival) -> str:
        country = festival.calendar_for(self.ctx.asked_country, self.ctx.country)
        if country is None:
            whose = ", ".join(festival.countries[:6]) + (" ..." if len(festival.countries) > 6 else "")
            adjective = {code: word for word, code in reversed(vocabulary.table("demonyms").items())}
            example = next((f", as in '{adjective[c]} {festival.label.lower()}'" for c in festival.countries
                            if c in adjective), "")
            self.ctx.notes.append(f"'{festival.label}' is a holiday of several calendars ({whose}): read as words; "
                                  f"name the country{example}")
            raise _Ambiguous()
        self.ctx.calendars.append(country)
        return country

    def _holiday_days(self, named, year: int) -> list[Range]:
        festival, span, said = named
        country = self._calendar(festival)
        found = festival.days(year, country, self.ctx.asked_country)
        return [_holiday_span(a, b, span, said) for a, b in found]

    def _holiday_note(self, named, rng_words: str, next_to: str = "") -> str:
        festival, span, said = named
        whose = festival.calendar_for(self.ctx.asked_country, self.ctx.country)
        if festival.kept_by(self.ctx.asked_country):
            whose = self.ctx.asked_country
        where = f", {whose} calendar" if festival.rule is None or whose != festival.country else ""
        before = f"the {next_to} " if next_to else ""
        return f"{rng_words} ({before}{festival.label}{f' {span}' if span else ''}{where})"

    def holiday_year(self, c) -> Span | None:
        if any(isinstance(x, Token) for x in c) and self.ctx.after in PICTURE_NOUNS:
            return None  # "christmas 12 photos": a count
        c = [dates.year_of(str(x), self.ctx.now) if isinstance(x, Token) else x for x in c]  # "thanksgiving 22"
        named = next(x for x in c if not isinstance(x, int))
        year = next(x for x in c if isinstance(x, int))
        if named is None:
            return None
        try:
            found = self._holiday_days(named, year)
        except _Ambiguous:
            return None
        if not found:
            raise ImpossibleQuestion(f"{named[0].label} is not in the {self._calendar(named[0])} calendar in {year}: "
                                     "set `country` in config.toml for another calendar")
        return Span(tuple(found), self._holiday_note(named, ", ".join(_from_to(r) for r in found)),
                    holiday=named[0].label, again=lambda y: self.holiday_year([named, y]))

    def holiday_edge(self, c) -> Span | None:
        """ "the first night of hanukkah", "the last day of ramadan 2023": the festival's first or last day."""
        span = c[-1]
        if not isinstance(span, Span) or not span.ranges:
            return None
        edge, day = _tokens(c)[:2]
        ranges = tuple((a, a) if edge == "first" else (b, b) for a, b in span.ranges)
        said = f"the {edge} {day} of {span.holiday}"
        note = f"{said}, every year ({len(ranges)} of them)" if span.every else f"{said}: {_from_to(ranges[0])}"
        return replace(span, ranges=ranges, note=note, in_year=None, again=None)

    def holiday_relative(self, c) -> Span | None:
        which, named = str(c[0]), c[1]
        if named is None:
            return None
        now = self.ctx.now
        try:
            found = [r for year in (now.year - 1, now.year) for r in self._holiday_days(named, year) if r[0] <= now]
        except _Ambiguous:
            return None
        if not found:
            return None
        if which == "this":
            found = [r for r in found if r[0].year == now.year] or found[-1:]
        elif len(found) > 1 and found[-1][1] >= now:  # "last hanukkah" while it lasts: the one before
            found = found[:-1]
        rng = found[-1]
        return Span((rng,), self._holiday_note(named, _from_to(rng)), holiday=named[0].label)

    def holiday_every(self, c) -> Span | None:
        named = c[-1]
        if named is None:
            return None
        now = self.ctx.now
        try:
            found = [r for year in range(now.year - dates.EVERY_YEARS + 1, now.year + 1)
                     for r in self._holiday_days(named, year) if r[0] <= now]
        except _Ambiguous:
            return None
        if not found:
            raise ImpossibleQuestion(f"{named[0].label} is not in the {self._calendar(named[0])} holiday calendar: "
                                     "set `country` in config.toml for another calendar")
        found = [(a, min(b, now)) for a, b in _back_in_time(found, now)]
        label = f"{named[0].label}{f' {named[1]}' if named[1] else ''}"
        whose = named[0].calendar_for(self.ctx.asked_country, self.ctx.country)

        def in_year(y: int) -> Span:
            days = self._holiday_days(named, y)
            return Span(tuple(days), self._holiday_note(named, ", ".join(_from_to(r) for r in days)),
                        holiday=named[0].label)
        return Span(tuple(found), f"on {label}, every year ({len(found)} of them, {whose} calendar)", every=True,
                    holiday=named[0].label, year_said=False, in_year=in_year)

    def holiday_next_to(self, c) -> Span | None:
        which = str(next(x for x in c if isinstance(x, Token) and x.type == "NEXT_TO"))
        named = next((x for x in c if isinstance(x, tuple)), None)
        if named is None:
            return None
        year = next((x for x in c if isinstance(x, Token) and x.type == "YEAR"), None)
        now = self.ctx.now
        try:
            years = [int(year)] if year else [now.year - 1, now.year]
            found = [r for y in years for r in self._holiday_days(named, y) if year or r[0] <= now]
        except _Ambiguous:
            return None
        if not found:
            return None
        rng = _next_to(which, *found[-1])

        def in_year(y: int) -> Span:
            days = self._holiday_days(named, y)
            near = _next_to(which, days[-1][0], days[-1][1]) if days else None
            return Span((near,) if near else (), self._holiday_note(named, _from_to(near), which) if near else "",
                        holiday=named[0].label)
        return Span((rng,), self._holiday_note(named, _from_to(rng), which), holiday=named[0].label,
                    year_said=year is not None, in_year=None if year else in_year)

    def _before_something(self) -> bool:
        """ "ten years before" is ten years ago; "ten years before 2020", "a week before christmas"
        and "3 days before my birthday" count back from what follows, which the phrase does not hold."""
        return self.ctx.originals[-1].lower() in ("before", "earlier") and bool(self.ctx.after) and \
            self.ctx.after not in vocabulary.terms("dates.prepositions") | {"and", "or", "with", "near", "by"}

    def ago(self, c) -> Span | None:
        if self._before_something():
            return None
        counts = [x for x in c if isinstance(x, int)]
        unit = _unit(_tokens(c)[-1])
        count = counts[0] if counts else 1
        if unit == "hour":
            day = self.ctx.now - timedelta(hours=count) if count < 10 ** 6 else date.min
            return Span(((day, self.ctx.now),), _from_to((day, self.ctx.now)))
        rng = dates.around(dates.past_span(count, unit, self.ctx.now)[0], unit)
        return Span((rng,), dates.describe(rng))

    def ago_exact(self, c) -> Span:
        """ "a year ago today": that day; "3 years ago this week": that week."""
        counts = [x for x in c if isinstance(x, int)]
        t = _tokens(c)
        unit = _unit(next(w for w in t if _unit(w)))
        day = dates.past_span(counts[0] if counts else 1, unit, self.ctx.now)[0]
        window = _unit(t[-1]) if t[-1] not in ("today", "tonight") else "day"
        rng = dates.around(day, window)
        return Span((rng,), _from_to(rng))

    def seasons_ago(self, c) -> Span | None:
        if self._before_something():
            return None
        rng = dates.seasons_ago(_tokens(c)[-1], c[0], self.ctx.now, self.ctx.hemisphere)
        return Span((rng,), dates.describe(rng))

    def relative_day(self, c) -> Span:
        said = " ".join(_tokens(c))
        daytime = {"this morning": "morning", "this afternoon": "afternoon", "this evening": "evening",
                   "tonight": "night", "last night": "night"}.get(said)
        if said in dates.WEEKDAYS:
            said = f"last {said}"
        elif said == "last night":
            said = "yesterday"
        said = dates.RELATIVE_DAYS.get(said, said)
        day = dates.parsed_day(said, self.ctx.now, self.ctx.date_order)
        if day is None:
            raise ImpossibleQuestion(f"'{said}' is no day on the calendar")
        if " ".join(_tokens(c)) == "last night":  # from yesterday evening into the small hours of today
            rng = (day, self.ctx.now)
            return Span((rng,), _from_to(rng), daytime=daytime)
        return Span(((day, day),), _on(day), daytime=daytime)

    def this_weekend(self, c) -> Span:
        """This weekend: the one under way on a Saturday or Sunday, else the last one."""
        now = self.ctx.now
        if now.weekday() >= 5:
            saturday = now - timedelta(days=now.weekday() - 5)
            rng = (saturday, min(saturday + timedelta(days=1), now))
        else:
            rng = dates.last_weekend(now)
        return Span((rng,), _from_to(rng))

    def last_weekend(self, c) -> Span:
        rng = dates.last_weekend(self.ctx.now)
        now = self.ctx.now
        said = [w.lower() for w in self.ctx.originals]
        if now.weekday() >= 5 and ("past" in said or "over" in said):  # "this past weekend", said on a Sunday
            this = (now - timedelta(days=now.weekday() - 5), now)
            self._offer(f"'{' '.join(self.ctx.originals)}' as the weekend before, {_from_to(rng)}",
                        f"from {rng[0].isoformat()} to {rng[1].isoformat()}")
            rng = this
        return Span((rng,), _from_to(rng))

    def weekend_before_last(self, c) -> Span:
        last = dates.last_weekend(self.ctx.now)
        rng = (last[0] - timedelta(days=7), last[1] - timedelta(days=7))
        return Span((rng,), _from_to(rng))

    def recently(self, c) -> Span:
        rng = (self.ctx.now - timedelta(days=dates.RECENT_DAYS), self.ctx.now)
        return Span((rng,), f"{_from_to(rng)} (recently: the last {dates.RECENT_DAYS} days)")

    def decade(self, c) -> Span | None:
        t = _tokens(c)
        if self._era():
            return None
        rng = dates.decade_range(t[-1], t[0] if len(t) > 1 else None, self.ctx.now)
        # "the 30s" and "the 1930s" are a decade; "30s" alone may be thirty seconds, or an age
        short = len(t) == 1 and not re.match(r"(19|20)\d0s", t[0]) and "the" not in \
            (self.ctx.originals[0].lower(), self.ctx.before)
        return Span((rng,), dates.describe(rng), bare=short)

    def year_part(self, c) -> Span:
        t = _tokens(c)
        rng = dates.year_part_range(t[0], int(t[-1]))
        return Span((rng,), dates.describe(rng))

    def year_half(self, c) -> Span:
        t = _tokens(c)
        rng = dates.year_part_range(f"{t[0]} half", int(t[-1]))
        return Span((rng,), dates.describe(rng))

    def year_quarter(self, c) -> Span:
        t = _tokens(c)
        rng = dates.year_part_range(f"{t[0]} quarter", int(t[-1]))
        return Span((rng,), dates.describe(rng))

    def month_part(self, c) -> Span:
        t = _tokens(c)
        return self._within_month(c, vocabulary.table("dates.month_parts")[t[0]], f"{t[0]} {t[1]}")

    def month_week(self, c) -> Span:
        t = _tokens(c)
        return self._within_month(c, vocabulary.table("dates.month_weeks")[t[0]], f"the {t[0]} week of {t[-1]}")

    def month_days(self, c) -> Span | None:
        edge, unit = _tokens(c)[:2]
        n = next(x for x in c if isinstance(x, int))
        length = n * {"week": 7, "day": 1}.get(_unit(unit), 99)
        if not 0 < length <= 28:
            return None  # "the first 2 months of june": no part of a month
        days = [1, length] if edge == "first" else [-length, -1]
        return self._within_month(c, days, f"the {edge} {n} {unit} of {_tokens(c)[2]}")

    def _within_month(self, c, days: list[int], said: str) -> Span:
        month = dates.month_number(next(w for w in _tokens(c) if w[:3] in dates.MONTHS and w not in
                                        vocabulary.table("dates.month_weeks")))
        year = _year_child(c)

        def in_year(y: int) -> Span:
            last = dates.month_range(y, month)[1]
            first_day = last.day + 1 + days[0] if days[0] < 0 else days[0]
            last_day = last.day + 1 + days[1] if days[1] < 0 else min(days[1], last.day)
            rng = (date(y, month, first_day), date(y, month, last_day))
            return Span((rng,), _from_to(rng))
        if year:
            return in_year(year)
        found = in_year(self.ctx.now.year)
        if found.ranges[0][0] > self.ctx.now:
            found = in_year(self.ctx.now.year - 1)
        return replace(found, year_said=False, in_year=in_year)

    def day_of_period(self, c) -> Span:
        t = _tokens(c)
        day = int(re.match(r"\d+", t[0]).group())
        first, last = dates.relative_period("last" if t[1] == "previous" else t[1], _unit(t[2]), self.ctx.now)
        try:
            found = first.replace(day=day)
        except ValueError:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no day on the calendar") from None
        if found > last:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no day on the calendar")
        return Span(((found, found),), _on(found))

    def season_year(self, c) -> Span:
        t = _tokens(c)
        rng = dates.season_range(t[0], dates.year_of(t[1], self.ctx.now), self.ctx.hemisphere)
        return Span((rng,), f"{dates.describe(rng)}{self._season_note(t[0])}",
                    again=lambda y: self.season_year([Token("SEASON", t[0]), Token("YEAR", str(y))]))

    def year_season(self, c) -> Span:
        year, season = _tokens(c)
        return self.season_year([Token("SEASON", season), Token("YEAR", year)])

    def season_span(self, c) -> Span:
        """ "winter 2017-18": the season that runs across the two years, named by the later."""
        t = _tokens(c)
        later = dates.year_of(t[-1] if len(t[-1]) == 4 else t[1][:2] + t[-1].strip("'"), self.ctx.now)
        for hemisphere in (self.ctx.hemisphere, "south" if self.ctx.hemisphere == "north" else "north"):
            rng = dates.season_range(t[0], later, hemisphere)
            if rng[0].year < later:  # "summer 2024/25": only the southern summer runs across the two
                if hemisphere != self.ctx.hemisphere:
                    self._offer(f"the {t[0]}s of {later - 1} and {later}, {self.ctx.hemisphere}ern",
                                f"{t[0]} {later - 1} and {t[0]} {later}")
                return Span((rng,), f"{dates.describe(rng)}{self._season_note(t[0], hemisphere)}")
        rng = dates.season_range(t[0], int(t[1]), self.ctx.hemisphere)  # "spring 2019-20": no spring runs across
        return Span((rng,), f"{dates.describe(rng)}{self._season_note(t[0])}")

    def short_range(self, c) -> Span:
        """ "2017-18": the two years."""
        t = _tokens(c)
        first, last = int(t[0]), int(t[0][:2] + t[1].strip("'"))
        if last < first:
            return None
        rng = (date(first, 1, 1), date(last, 12, 31))
        return Span((rng,), dates.describe(rng))

    def _season_note(self, season: str, hemisphere: str | None = None) -> str:
        return f" (meteorological {season.rstrip('s')}, {hemisphere or self.ctx.hemisphere}ern hemisphere)"

    def month_year(self, c) -> Span:
        t = _tokens(c)
        rng = dates.month_range(dates.year_of(t[1], self.ctx.now), dates.month_number(t[0]))
        return Span((rng,), dates.describe(rng),
                    again=lambda y: self.month_year([Token("MONTH", t[0]), Token("YEAR", str(y))]))

    def year_month(self, c) -> Span:
        year, month = _tokens(c)
        return self.month_year([Token("MONTH", month), Token("YEAR", year)])

    def numeric_month(self, c) -> Span:
        month, year = _tokens(c)[0].split("/")
        rng = dates.month_range(int(year), int(month))
        return Span((rng,), dates.describe(rng))

    def month_only(self, c) -> Span | None:
        """ "snow in January": every January; "may flowers" and "march of the penguins" are words."""
        word = _tokens(c)[0]
        month = dates.month_number(word)
        every = dates.every_year(lambda year: dates.month_range(year, month), self.ctx.now)
        return Span(tuple(every), f"in {date(2000, month, 1):%B}, every year ({len(every)} of them)", every=True,
                    year_said=False, bare=True, said=word,
                    in_year=lambda y: self.month_year([Token("MONTH", word), Token("YEAR", str(y))]))

    def month_list(self, c) -> Span:
        months = [dates.month_number(w) for w in _tokens(c)]
        return replace(self._listed([lambda y, m=m: dates.month_range(y, m) for m in months],
                                    [f"{date(2000, m, 1):%B}" for m in months], _year_child(c)), unit="month")

    def season_list(self, c) -> Span:
        seasons = _tokens(c)
        return self._listed([lambda y, s=s: dates.season_range(s, y, self.ctx.hemisphere) for s in seasons],
                            [s.rstrip("s") for s in seasons], _year_child(c),
                            f" (meteorological, {self.ctx.hemisphere}ern hemisphere)")

    def _listed(self, each: list[Callable[[int], Range]], names: list[str], year: int | None, how: str = "") -> Span:
        """Months or seasons listed ("june and july", "spring or fall 2021"): each in the year said,
        or each of them every year."""
        said = f"{', '.join(names[:-1])} and {names[-1]}"
        if year is not None:
            return Span(tuple(sorted(one(year) for one in each)), f"in {said} {year}{how}")
        every = sorted(r for one in each for r in dates.every_year(one, self.ctx.now))
        return Span(tuple(every), f"in {said}, every year ({len(every)} spans){how}", every=True, year_said=False)

    def season_only(self, c) -> Span | None:
        word = _tokens(c)[0]
        every = dates.every_year(lambda year: dates.season_range(word, year, self.ctx.hemisphere), self.ctx.now)
        return Span(tuple(every), f"in {word.rstrip('s')}, every year ({len(every)} of them; meteorological, "
                                  f"{self.ctx.hemisphere}ern hemisphere)", every=True, year_said=False, bare=True,
                    in_year=lambda y: self.season_year([Token("SEASON", word), Token("YEAR", str(y))]))

    def relative_month(self, c) -> Span:
        """ "last December" is the latest gone by; "this December" this year's."""
        which, word = _tokens(c)
        month = dates.month_number(word)
        now = self.ctx.now
        last_year = now.year if month < now.month else now.year - 1
        rng = dates.month_range(now.year if which == "this" else last_year, month)
        return Span((rng,), dates.describe(rng))

    def year(self, c) -> Span | None:
        if self._era():
            return None
        word = _tokens(c)[0]
        rng = dates.month_range(dates.year_of(word, self.ctx.now), 1, 12)
        return Span((rng,), dates.describe(rng))  # "in '08", "galway '18": a year however said

    def _era(self) -> bool:
        """ "a 1967 mustang", "1920s style dresses": what the picture shows, not when it was taken."""
        first = self.ctx.originals[0].lower()
        if self.ctx.after in PICTURE_NOUNS:
            return False  # "my 2019 photos", "a 1998 snapshot": when they were taken
        if self.ctx.after in ("and", "or", "vs", "versus", "to") and \
                re.fullmatch(r"(?:19|20)\d\d|'\d\d", "".join(self.ctx.question_after[1:2])):
            return False  # "my 2017 and 2026 shots": years, listed
        return first not in vocabulary.terms("dates.prepositions") and \
            (self.ctx.before in vocabulary.terms("dates.era_before") or
             self.ctx.after in vocabulary.terms("dates.era_after"))

    def relative_season(self, c) -> Span:
        which, season = _tokens(c)
        pick = dates.this_season if which == "this" else dates.last_season
        rng = pick(season, self.ctx.now, self.ctx.hemisphere)
        return Span((rng,), f"{dates.describe(rng)}{self._season_note(season)}")

    def relative_period(self, c) -> Span:
        which, period = _tokens(c)
        rng = dates.relative_period(which if which != "previous" else "last", _unit(period), self.ctx.now)
        said = [w.lower() for w in self.ctx.originals]
        if which == "last" and "the" in said[:said.index("last") if "last" in said else 0]:
            # "in the last year": last calendar year, or the twelve months up to today
            rolling = dates.past_span(1, _unit(period), self.ctx.now)
            self._offer(f"'{' '.join(self.ctx.originals)}' as the {_unit(period).rstrip('s')} up to today, "
                        f"{_from_to(rolling)}",
                        f"from {rolling[0].isoformat()} to {rolling[1].isoformat()}")
        return Span((rng,), dates.describe(rng))

    def before_last(self, c) -> Span:
        period = _unit(_tokens(c)[0])
        rng = dates.around(dates.past_span(2, period, self.ctx.now)[0], period)
        return Span((rng,), dates.describe(rng))

    def this_time(self, c) -> Span | None:
        said = next(x for x in c if isinstance(x, (Span, int)))
        year = said if isinstance(said, int) else dates.whole_year(said.ranges)
        if year is None:
            return None
        then = dates.safe_date(year, self.ctx.now.month, self.ctx.now.day)
        days = timedelta(days=vocabulary.entry("dates.this_time_days"))
        rng = (then - days, min(then + days, self.ctx.now))
        return Span((rng,), f"{_from_to(rng)} (this time of year in {year})")

    def on_this_day(self, c) -> Span:
        return self._every_year_round_today(0)

    def this_time_every_year(self, c) -> Span:
        return self._every_year_round_today(vocabulary.entry("dates.this_time_days"))

    def _every_year_round_today(self, days: int) -> Span:
        """Today's date in every year, or the weeks round it."""
        now, either_side = self.ctx.now, timedelta(days=days)

        def round_today(year: int) -> Range:
            then = dates.safe_date(year, now.month, now.day)
            return then - either_side, then + either_side
        found = dates.every_year(round_today, now)
        first, last = round_today(now.year)
        said = f"from {first:%-d %B} to {last:%-d %B}" if days else f"on {first:%-d %B}"
        return Span(tuple(found), f"{said}, every year ({len(found)} of them)", every=True, year_said=False,
                    in_year=lambda y: Span((round_today(y),), _from_to(round_today(y))))

    def named_before_last(self, c) -> Span:
        word = _tokens(c)[0]
        if word.rstrip("s") in ("winter", "spring", "summer", "autumn", "fall"):
            last = dates.last_season(word, self.ctx.now, self.ctx.hemisphere)
            rng = dates.season_range(word, last[1].year - 1, self.ctx.hemisphere)
            return Span((rng,), f"{dates.describe(rng)}{self._season_note(word)}")
        month = dates.month_number(word)
        last_year = self.ctx.now.year if month < self.ctx.now.month else self.ctx.now.year - 1
        rng = dates.month_range(last_year - 1, month)
        return Span((rng,), dates.describe(rng))

    def period_part(self, c) -> Span | None:
        t = _tokens(c)
        which = t[1] if len(t) == 3 else "this"
        unit = _unit(t[-1])
        start, _ = dates.relative_period("last" if which == "previous" else which, unit, self.ctx.now)
        if unit == "year":
            rng = dates.year_part_range(t[0], start.year)
        elif unit == "month":
            days = vocabulary.table("dates.month_parts")[t[0]]
            end = dates.month_range(start.year, start.month)[1]
            rng = (start.replace(day=end.day + 1 + days[0] if days[0] < 0 else days[0]),
                   start.replace(day=end.day + 1 + days[1] if days[1] < 0 else min(days[1], end.day)))
        else:
            return None
        rng = (rng[0], min(rng[1], self.ctx.now))
        return Span((rng,), dates.describe(rng)) if rng[0] <= rng[1] else None

    def days_of_period(self, c) -> Span:
        t = _tokens(c)
        first_day, last_day = (int(re.match(r"\d+", w).group()) for w in t[:2])
        start, end = dates.relative_period("last" if t[2] == "previous" else t[2], _unit(t[3]), self.ctx.now)
        try:
            rng = (start.replace(day=first_day), start.replace(day=last_day))
        except ValueError:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no span of days on the calendar") from None
        if rng[0] > rng[1] or rng[1] > end:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no span of days on the calendar")
        return Span((rng,), _from_to(rng))

    def past_span(self, c) -> Span:
        count = next(x for x in c if isinstance(x, int))
        unit = _unit(_tokens(c)[-1])
        if unit == "hour":
            days = -(-count // 24)
            rng = (self.ctx.now - timedelta(days=min(days, 10 ** 6)) if days < 10 ** 6 else date.min, self.ctx.now)
        else:
            rng = dates.past_span(count, unit, self.ctx.now)
        return Span((rng,), _from_to(rng))

    def past_seasons(self, c) -> Span | None:
        count = next(x for x in c if isinstance(x, int))
        if not 1 <= count <= dates.EVERY_YEARS:
            return None
        season = _tokens(c)[-1].rstrip("s")
        found = tuple(dates.seasons_ago(season, k, self.ctx.now, self.ctx.hemisphere) for k in range(count, 0, -1))
        return Span(found, f"the last {count} {season}s: " + ", ".join(dates.describe(r) for r in found))

    # ranges: any two dates, or one end open
    def range(self, c) -> Span | None:
        first, last = [x for x in c if isinstance(x, Span)]
        in_year = _range_in_year(first, last)
        if first.every and not last.every and first.in_year:  # "between christmas and new year 2022"
            year, every = last.ranges[-1][1].year, first
            first = min((every.in_year(y) for y in (year, year - 1) if every.in_year(y).ranges),
                        key=lambda s: abs((last.ranges[0][0] - s.ranges[0][0]).days) if
                        s.ranges[0][0] <= last.ranges[0][0] else 10 ** 6)
            if every.holiday and first.ranges[0][0].year < year and (same := every.in_year(year)).ranges:
                self._offer_year_of_start(same.ranges[0][0], last)
        elif not first.year_said and last.year_said and first.in_year:  # "from 3 march to 10 march 2023"
            first = first.in_year(last.ranges[0][0].year)
            if first.ranges and first.ranges[0][0] > last.ranges[-1][1]:
                first = first.in_year(last.ranges[0][0].year - 1)
        if last.every and first.every and first.in_year and last.in_year:  # "from march until june": every year
            return self._every_span(first, last)
        if first.holiday and first.again and not last.holiday and (end := dates.whole_year(last.ranges)) and \
                first.ranges[0][0].year < end and self.ctx.originals[0].lower() not in ("from", "between"):
            return self._holiday_each_year(first, end)
        if last.every or first.every:
            return None
        if first.numeric and last.numeric:  # "20/07/2019 - 05/08/2019": one end shows the order of both
            first, last = self._in_one_order(first, last)
            self._offer_other_order(first.numeric, last.numeric)
        rng = (first.ranges[0][0], last.ranges[-1][1])
        if rng[0] > rng[1]:
            raise ImpossibleQuestion(f"the dates in '{' '.join(self.ctx.originals)}' end before they begin")
        return Span((rng,), _from_to(rng) if not _whole(rng) else dates.describe(rng), year_said=in_year is None,
                    in_year=in_year)

    def _holiday_each_year(self, first: Span, end: int) -> Span:
        """ "4th of july 2021-2023", "christmas 2019 to 2021": the holiday in each of the years;
        the days from the first to the end of the last are offered."""
        years = [first.again(y) for y in range(first.ranges[0][0].year, end + 1)]
        ranges = tuple(r for y in years if y.ranges for r in y.ranges)
        start, last_day = first.ranges[0][0], min(date(end, 12, 31), self.ctx.now)
        self._offer(f"'{' '.join(self.ctx.originals)}' as every day from {start.isoformat()} to {last_day.isoformat()}",
                    f"from {start.isoformat()} to {last_day.isoformat()}")
        return Span(ranges, f"{first.holiday}, each year from {start.year} to {end}", holiday=first.holiday,
                    year_said=True)

    def _offer_other_order(self, *said: str) -> None:
        """Days in digits either order reads ("03/04/2019": March or April), read in the configured
        order, are offered in the other: the plan says how it read them."""
        if any("." in day or _only_order(day) for day in said):
            return  # "03.07.2022": dots put the day first wherever they are written
        other = "DMY" if self.ctx.date_order.startswith("M") else "MDY"
        read = [dates.parsed_day(day, self.ctx.now, other) for day in said]
        if None in read or read[0] > read[-1] or all(a == b for a, b in map(_two_numbers, said)):
            return
        days = ["from", read[0].isoformat(), "to", read[-1].isoformat()] if len(read) > 1 else ["on", read[0].isoformat()]
        self._offer(f"'{' - '.join(said)}' with the {'day' if other == 'DMY' else 'month'} first: {' '.join(days[1:])}",
                    *days)

    def _in_one_order(self, first: Span, last: Span) -> tuple[Span, Span]:
        """Two days in digits, read in the one order that can read both: a day past the 12th
        says which number is the day ("20/07" is day first, so "05/08" is the 5th of August)."""
        orders = {order for day in (first, last) if (order := _only_order(day.numeric))}
        if len(orders) != 1 or (order := orders.pop()) == self.ctx.date_order:
            return first, last
        read = [dates.parsed_day(day.numeric, self.ctx.now, order) for day in (first, last)]
        if None in read:
            return first, last
        return tuple(replace(day, ranges=((found, found),), note=_on(found)) for day, found in zip((first, last), read))

    def _every_span(self, first: Span, last: Span) -> Span | None:
        def in_year(y: int) -> Range:
            start, end = first.in_year(y).ranges, last.in_year(y).ranges
            if start and end and start[0][0] > end[-1][1]:  # "from november to february": across new year
                start = first.in_year(y - 1).ranges
            return (start[0][0], end[-1][1]) if start and end else (date.max, date.max)  # after today: left out
        every = dates.every_year(in_year, self.ctx.now)
        if not every:
            return None
        said = " ".join(self.ctx.originals)
        return Span(tuple(every), f"'{said}', every year ({len(every)} of them)", every=True, year_said=False,
                    in_year=lambda y: Span((in_year(y),), _from_to(in_year(y))))

    def _offer_year_of_start(self, start: date, last: Span) -> None:
        """The year said once may be the first date's: "between christmas and new year 2022" as the
        end of 2022 too."""
        end = last.in_year(start.year + 1).ranges[-1][1] if last.in_year else \
            dates.safe_date(start.year + 1, last.ranges[-1][1].month, last.ranges[-1][1].day)
        if end <= start or end > self.ctx.now:
            return
        self._offer(f"'{' '.join(self.ctx.originals)}' as {start.isoformat()} to {end.isoformat()}",
                    f"from {start.isoformat()} to {end.isoformat()}")

    def _offer(self, label: str, *instead: str) -> None:
        """Another fair reading: the question with this phrase's words said `instead`."""
        self.ctx.others.append(OtherReading(label, " ".join([*self.ctx.question_before, *instead,
                                                               *self.ctx.question_after])))

    def until_now(self, c) -> Span:
        first = next(x for x in c if isinstance(x, Span))
        rng = (first.ranges[0][0] if not first.every else first.ranges[-1][0], self.ctx.now)
        return Span((rng,), _from_to(rng))

    def since(self, c) -> Span:
        span = next(x for x in c if isinstance(x, Span))
        start = _latest(span, self.ctx.now)[0]
        return self._open((start, self.ctx.now), "since")

    def after(self, c) -> Span | None:
        span = c[0]
        if not isinstance(span, Span):  # a date the phrase's own reader turned down
            return None
        if self._edge_said(("start", "beginning", "begin")):  # "after the start of 2020": from its first day
            return self._open((span.ranges[0][0], self.ctx.now), "since")
        end = _latest(span, self.ctx.now)[1] if span.every else span.ranges[-1][1]
        return self._open((end + timedelta(days=1), self.ctx.now), "after")

    def before(self, c) -> Span | None:
        span = c[0]
        if not isinstance(span, Span):
            return None
        if self._edge_said(("end",)):  # "before the end of 2023": until its last day
            return self._open((date(1900, 1, 1), span.ranges[-1][1]), "until")
        start = _latest(span, self.ctx.now)[0] if span.every else span.ranges[0][0]
        return self._open((date(1900, 1, 1), start - timedelta(days=1)), "before")

    def _edge_said(self, edges: tuple[str, ...]) -> bool:
        """Whether "before" or "after" is followed by the edge of a period: "before the end of 2023"."""
        said = [w.lower() for w in self.ctx.originals[1:4]]
        return bool(said) and (said[0] in edges or said[:1] == ["the"] and said[1:2] and said[1] in edges)

    def until(self, c) -> Span | None:
        said = [w.lower() for w in self.ctx.originals]
        if said[:2] == ["up", "to"] and not re.fullmatch(r"(19|20)\d\d|\d{1,2}(st|nd|rd|th)?|[a-z]{3,9}", said[2]) \
                or said[:2] == ["up", "to"] and said[2] in ("a", "an", "this", "last", "the"):
            return None  # "what were you up to a year ago": "up to" ends at a date said as one, not a relative one
        span = next(x for x in c if isinstance(x, Span))
        end = _latest(span, self.ctx.now)[1] if span.every else span.ranges[-1][1]
        return self._open((date(1900, 1, 1), end), "until")

    def older_than(self, c) -> Span:
        """ "older than 10 years": taken ten years ago or before."""
        count, unit = next(x for x in c if isinstance(x, int)), _unit(_tokens(c)[0])
        start = dates.past_span(count, unit or "year", self.ctx.now)[0]
        return self._open((date(1900, 1, 1), start), "before")

    def newer_than(self, c) -> Span:
        """ "less than two weeks old": taken since the day two weeks ago."""
        count, unit = next(x for x in c if isinstance(x, int)), _unit(_tokens(c)[0])
        return self._open((dates.past_span(count, unit or "year", self.ctx.now)[0], self.ctx.now), "since")

    def _open(self, rng: Range, kind: str) -> Span:
        if rng[0] > rng[1]:
            said = " ".join(self.ctx.originals)
            raise ImpossibleQuestion(f"'{said}' is in the future: no photo is taken after today"
                                     if kind in ("after", "since") else f"the dates in '{said}' end before they begin")
        note = f"before {rng[1] + timedelta(days=1)}" if rng[0] == date(1900, 1, 1) else _from_to(rng)
        return Span((rng,), note, open="until" if kind in ("before", "until") else "since")

    # ---- days of the week -----------------------------------------------------------
    def weekday_filter(self, c) -> Weekdays | None:
        said = _tokens(c)[-1]
        after = self.ctx.after
        if {f"{said} {after}", f"{self.ctx.before} {said}"} & vocabulary.terms("dates.weekday_idioms") or \
                after in vocabulary.terms("places.landmark_words") or \
                said == "weekend" and after in vocabulary.terms("dates.weekend_things"):
            return None  # "her sunday best", "weekend trips", "friday harbor", "sunday river": words
        if said in ("sat", "sun", "wed", "mon", "fri", "tue") and after not in dates.TIMES_OF_DAY:
            return None  # "sat on a bench", "sun on the water"
        around = {self.ctx.before, *map(str.lower, self.ctx.originals)}
        if said in dates.WEEKDAYS and not {"every", "each", "on"} & around:
            # "all of saturday", "at tuesday": every one, or, offered, the last one
            back = (self.ctx.now.weekday() - dates.DAY_NAMES.index(said.title())) % 7 or 7
            last = self.ctx.now - timedelta(days=back)
            self._offer(f"'{' '.join(self.ctx.originals)}' as last {said.title()}, {last.isoformat()}", "last", said)
        return Weekdays(frozenset(dates.WEEKDAY_SETS[dates.WEEKDAY_SHORT.get(said, said)]))

    def weekday_span(self, c) -> Weekdays:
        first, last = (dates.DAY_NAMES.index(w.title()) for w in _tokens(c))
        return Weekdays(frozenset((first + k) % 7 for k in range((last - first) % 7 + 1)))

    def count(self, c) -> int:
        return dates.count_of(str(c[0]))

    # ---- places -------------------------------------------------------------------------
    def name(self, c) -> str:
        return " ".join(str(t) for t in c)

    def place_in(self, c) -> Near | None:
        prep, name = str(c[0]), c[1]
        kind = re.match(r"(?:the )?(?:city|town|village) of (.+)", name)
        if kind:  # "from the city of split": a place, whatever its name means as a word
            prep, name = "the city of", kind.group(1)
        if prep == "in" and worn(self.ctx.clause_after):  # "guys in patagonia fleeces", "a kid in a denver broncos jersey"
            place = self.ctx.places(name, sure=None)
            if place is not None:
                self._offer(f"'{name}' as the place {place.label}", "in", place.label)
            return None
        sure = self._sureness(name, prep)
        if not sure and (not self._may_be_a_place(name, prep) or
                         self.ctx.after in vocabulary.terms("places.landmark_words") and
                         not city_and_what_lies_in_it(self.ctx.places, name, [self.ctx.after])):
            return None  # "in the bath", "in reading glasses"; "in jackson heights" is not Jackson
        return self._near(name, sure)

    def _may_be_a_place(self, name: str, prep: str = "in") -> bool:
        """Whether a name written in lower case after "in", "at" or "from" may be a place: "in the
        bath" and "in reading glasses" are words; "in nice" and "in the hague" may be places.
        Where the words win, the place is offered as the other reading."""
        words = name.split()
        bare = words[1:] if words[0] in ("the", "a", "an", "my", "our", "his", "her", "their") else words
        if bare and bare[0] in vocabulary.terms("marks.colours") | {"black", "white", "grey", "gray", "brown"}:
            return False  # "everyone in orange": a colour
        if len(bare) == 1 and words[0] == "the" and not english.everyday(bare[0]):
            place = self.ctx.places(bare[0], sure=None)
            return place is None or takes_the(place)  # "in the metro" is a thing; "in the bronx" a place
        if len(bare) != 1 or not english.everyday(bare[0]):
            return True
        area = self.ctx.places(" ".join(bare), sure=False)
        if area is not None and prep == "of":  # "photos of turkey": what they show, the place offered
            self._offer(f"'{bare[0]}' as the place {area.label}", "in", area.label)
            return False
        if area is not None and area.area is not None and "/" not in area.area:
            return True  # "not in the us", "the netherlands": a country
        if _goes_on(self.ctx.after) and not holiday_of(self.ctx.after):
            return False  # "in reading glasses": the word goes on into a thing
        if len(bare) < len(words):  # "in the bath": a thing, unless the archive says otherwise
            place = self.ctx.places(bare[0], sure=False)
            if place is not None:
                self._offer(f"'{bare[0]}' as the place {place.label}", *self.ctx.originals[:1], place.label)
            return False
        return True

    def place_either(self, c) -> Near | None:
        prep = str(c[0])
        names = [x for x in c if isinstance(x, str) and not isinstance(x, Token)]
        sure = prep in vocabulary.terms("places.sure_prepositions") or all(self._capitalised(n) for n in names) \
            or None
        found = [self._near(name, sure if sure else self._sureness(name, prep)) for name in names]
        if any(f is None for f in found):
            return None
        first, *rest = found
        return Near(replace(first.place, either=tuple(f.place for f in rest)),
                    tuple(r for f in found for r in f.readings))

    def place_within(self, c) -> Near | None:
        meters, name = c[0], c[-1]
        near = self._near(name, True)
        return near and Near(_within(near.place, meters), near.readings)

    def place_blocks(self, c) -> Near | None:
        near = self._near(c[-1], True)
        return near and Near(_within(near.place, c[0] * self.ctx.block_m), near.readings)

    def place_walk(self, c) -> Near | None:
        near = self._near(c[-1], True)
        return near and Near(_within(near.place, self.ctx.walk_m), near.readings)

    def distance(self, c) -> float:
        if len(c) == 1:  # "within a mile of"
            number, unit = 1, c[0]
        else:
            number, unit = c
        value = 0.5 if isinstance(number, Token) and str(number).startswith("half") else \
            number if isinstance(number, int) else float(number)
        return value * vocabulary.table("units.length")[str(unit)]

    def blocks(self, c) -> int:
        return c[0] if c and isinstance(c[0], int) else 1

    def _capitalised(self, name: str) -> bool:
        """Whether `name`, the last words of the phrase, was written as a name ("Lund", not "LUND")."""
        words = self.ctx.originals[-len(name.split()):]
        first = words[1] if len(words) > 1 and words[0].lower() == "the" else words[0]  # "in the Alps"
        return self.ctx.case_speaks and first[:1].isupper() and not first.isupper()

    def _near(self, name: str, sure: bool | None) -> Near | None:
        if self.ctx.after == "of" and name.split()[-1] in ISLE_WORDS:
            return None  # "the isle | of skye": the first words of a longer name
        if self.ctx.originals[0].lower() == "of" and self.ctx.question_before[-1:] and \
                self.ctx.question_before[-1].lower() in ISLE_WORDS:
            whole = f"{self.ctx.question_before[-1].lower()} of {name}"  # "the isle of man": a country's name
            place = self.ctx.places(whole, sure=True) or resolve(name, self.ctx.places, sure=True)[0]
            # "the isle of skye": the island, or a region named so (Crete), never a town of its name
            return Near(place) if place is not None and (place.area is not None or place.country is None) else None
        try:
            place, readings = resolve(name, self.ctx.places, sure=sure)
        except UnknownPlace:
            if sure is False or (place := self._misspelt(name)) is None:
                raise
            return Near(place)
        if place is None and sure is not False:  # "in tokoyo", "around amsterdamn"
            place, readings = self._misspelt(name), ()
        return Near(place, readings) if place else None

    def _misspelt(self, name: str) -> Place | None:
        """The well-known place a name no place has is a typo of, said in the notes, with the
        words as typed offered as the other reading."""
        if (place := misspelt_place(name, self.ctx.places)) is None:
            return None
        n = len(name.split())
        said = " ".join(self.ctx.originals[-n:])
        self.ctx.notes.append(f"read '{said}' as {place.label}: no place is called '{said}'")
        question = [*self.ctx.question_before, *self.ctx.originals[:-n], f'"{said}"', *self.ctx.question_after]
        self.ctx.others.append(OtherReading(f"'{said}' as words of the picture, not {place.label}", " ".join(question)))
        return place

    def _sureness(self, name: str, prep: str) -> bool | None:
        """How surely a name after a preposition is a place: True after "near" or written as a
        name; None for a name no dictionary keeps as a word ("in jackson heights": any size will
        do); False for everyday words ("in fog": only a well-known place)."""
        if prep == "of" and not self._capitalised(name):  # "portraits of skye": people too are named after "of"
            return False
        if prep in vocabulary.terms("places.sure_prepositions") or self._capitalised(name):
            return True
        words = [w for w in name.split() if w not in ("the", "a", "an")]
        # "in times square", "in little rock": a name of two words is a name, whatever its words
        return None if len(words) > 1 or any(not english.ordinary(w) and w.isalpha() for w in words) else False

    # ---- similarity and echoes --------------------------------------------------------
    def similar(self, c) -> Similar | None:
        return Similar(c[0]) if c[0] is not None else None  # "like 4 stars": a word of speech, no photo

    def this_one(self, c) -> SelectedRef:
        return SelectedRef()

    def nth_one(self, c) -> ResultRef:
        word = str(c[-1])
        return ResultRef(vocabulary.table("ordinals").get(word) or int(word[:-2]))  # "third", "23rd"

    def photo_id(self, c) -> PhotoRef | None:
        if self.ctx.originals[0].lower() == "like" and len(self.ctx.originals) == 2:
            return None  # "show me like 8 of the best": a word of speech, not photo 8
        return PhotoRef(int(c[-1]))

    def file(self, c) -> FileRef:
        return FileRef(os.path.expanduser(self.ctx.originals[-1]))

    def echoes(self, c) -> Echoes:
        place, readings = resolve(c[-1], self.ctx.places, sure=True)
        return Echoes(place, readings)

    # ---- how many, how grouped, in what order -------------------------------------------
    def all(self, c) -> Every:
        return Every()

    def counted(self, c) -> Count | None:
        if 1900 <= c[0] <= self.ctx.now.year and re.fullmatch(r"(19|20)\d\d", self.ctx.originals[0]):
            return None  # "my 2019 photos": a year
        return Count(c[0])

    def top(self, c) -> Count:
        return Count(c[0])

    def best(self, c) -> Count:
        return Count(c[0], best=True)

    def over_time(self, c) -> Grouping:
        return Grouping("year")

    evolution = over_time
    across_all_years = over_time

    def by_unit(self, c) -> Grouping:
        return Grouping(vocabulary.table("units.group")[_tokens(c)[-1]])

    def count_by_unit(self, c) -> Grouping:
        return Grouping(vocabulary.table("units.group")[_tokens(c)[-1]], per=c[0])

    def across_years(self, c) -> Grouping:
        return Grouping("motif", span_years=c[0])

    def recurring(self, c) -> Grouping:
        return Grouping("motif")

    def by_season(self, c) -> Grouping:
        return Grouping("season")

    def newest(self, c) -> Order:
        return Order("newest", next((x for x in c if isinstance(x, int)), None))

    def oldest(self, c) -> Order:
        return Order("oldest", next((x for x in c if isinstance(x, int)), None))

    def oldest_said(self, c) -> Order | None:
        return self.oldest(c) if self.ctx.after in PHOTOS_FROM else None

    def newest_said(self, c) -> Order | None:
        return self.newest(c) if self.ctx.after in PHOTOS_FROM else None

    def first_one(self, c) -> Order:
        return Order("oldest", self._one_said())

    def last_one(self, c) -> Order:
        return Order("newest", self._one_said())

    def _one_said(self) -> int | None:
        """1 for "the first photo", none for "the first pics" (the oldest, as many as shown)."""
        return None if self.ctx.originals[-1].lower().endswith("s") else 1

    def in_time(self, c) -> Order:
        return Order("time")

    def random(self, c) -> Order:
        return Order("random")

    def random_count(self, c) -> list:
        return [Count(c[0]), Order("random")]

    def by_score(self, c) -> Order:
        return Order("score")


ISLE_WORDS = ("isle", "island", "islands")  # "the isle of skye": the island, never a town called Skye


class _Ambiguous(Exception):
    """A holiday several calendars keep, and nothing in the question says whose."""


# -- helpers ---------------------------------------------------------------------------

def resolve(name: str, places: Resolver, *, sure: bool) -> tuple[Place | None, tuple[PlaceReading, ...]]:
    """The place a name means, and its other readings ("Athens, Georgia" beside Athens). A name
    that is surely a place and is none we know is an error that names it."""
    try:
        place = places(name, sure=sure)
    except LookupUnavailable as exc:
        raise UnknownPlace(name, why=str(exc)) from None
    if place is None and sure:
        raise UnknownPlace(name)
    if place is None:
        return None, ()
    return place, others(name, place, places)


def misspelt_place(name: str, places: Resolver) -> Place | None:
    """The well-known place `name` is a typo of ("veince": Venice), where no place has the name
    itself and the resolvers know one a letter off; else None."""
    find = getattr(places, "misspelt", None)
    if find is None or not all(w.isalpha() for w in name.split()) or all(english.known(w) for w in name.split()):
        return None  # "parks", "strangers": words, not typos of Paris or Stanger
    for meant in find(name):  # one place's names, its own and others ("lisbon", "lisbxn")
        try:
            place = places(meant, sure=None)
        except LookupUnavailable:
            return None
        if place is not None and called(place, meant):  # "cayes" is no name of Les Cayes
            return place
    return None


def others(name: str, place: Place, places: Resolver) -> tuple[PlaceReading, ...]:
    """An ambiguous name is read one way, and the plan names the others, each as a place to
    switch to: "'athens' is read as Athens; it may also mean Athens, Georgia"."""
    ask_others = getattr(places, "others", None)
    found = []
    for label in ask_others(name, place) if ask_others else []:
        try:
            other = places(label, sure=True)
        except LookupUnavailable:
            other = None
        if other is not None and (other.lat, other.lon) != (place.lat, place.lon):
            found.append(replace(other, label=label))  # as it is said: "Georgia, United States"
    return (PlaceReading(name, place, tuple(found)),) if found else ()


def _within(place: Place, radius_m: float) -> Place:
    if not radius_m > 0:
        raise ImpossibleQuestion(f"within {radius_m:g} m of {place.label} holds no photo: say how far, as in "
                                 f"'within 200 m of {place.label}'")
    return place.within(radius_m)


def _back_in_time(found: list[Range], now: date) -> list[Range]:
    """A holiday on the same date every year its calendar knows (Orthodox Christmas, 7 January,
    kept by Serbia's since 2007) on that date in the years before the calendar began too."""
    if len({(a.month, a.day, (b - a).days) for a, b in found}) != 1:
        return found
    a, b = found[0]
    earlier = [(dates.safe_date(y, a.month, a.day), dates.safe_date(y, a.month, a.day) + (b - a))
               for y in range(now.year - dates.EVERY_YEARS + 1, a.year)]
    return earlier + found


def _next_to(which: str, first: date, last: date) -> Range:
    """The days beside a holiday's (`first` to `last`): the day, week or weekend before or after."""
    one = timedelta(days=1)
    if which.startswith("week "):
        return (last + one, last + 7 * one) if "after" in which else (first - 7 * one, first - one)
    if which.startswith("weekend"):  # the Saturday and Sunday after its last day, or before its first
        saturday = last + timedelta(days=(5 - last.weekday()) % 7 or 7) if "after" in which else \
            first - timedelta(days=(first.weekday() - 5) % 7 or 7)
        return saturday, saturday + one
    day = last + one if "after" in which else first - one
    return day, day


def _range_in_year(first: Span, last: Span) -> Callable[[int], Span] | None:
    """ "from june 1st to june 14th", said without a year: the same days in the year said after it."""
    if first.year_said or last.year_said or first.every or last.every or not (first.in_year and last.in_year):
        return None

    def in_year(y: int) -> Span:
        start, end = first.in_year(y), last.in_year(y)
        if start.ranges and end.ranges and start.ranges[0][0] > end.ranges[-1][1]:
            start = first.in_year(y - 1)  # "from december to february"
        if not (start.ranges and end.ranges):
            return Span((), "")
        rng = (start.ranges[0][0], end.ranges[-1][1])
        return Span((rng,), _from_to(rng))
    return in_year


def _part_of(part, whole, year: int = 2024) -> bool:
    """Whether a festival's days lie within another's and are fewer (the seder nights in Passover)."""
    inner, outer = part.days(year, part.country or "US"), whole.days(year, whole.country or "US")
    return bool(inner and outer) and all(any(a <= c and d <= b for a, b in outer) for c, d in inner) and \
        sum((d - c).days for c, d in inner) < sum((b - a).days for a, b in outer)


def _tokens(children) -> list[str]:
    return [str(c) for c in children if isinstance(c, Token)]


def _year_child(children) -> int | None:
    return next((c for c in children if isinstance(c, int) and not isinstance(c, bool) and c > 31), None)


def _unit(word: str) -> str | None:
    for unit, forms in vocabulary.table("units.time").items():
        if word in forms:
            return unit
    return None


DAY_IN_DIGITS = re.compile(r"\d{1,2}[/.]\d{1,2}[/.](?:\d{2}|\d{4})|\d{1,2}-\d{1,2}-\d{4}")


def _only_order(said: str) -> str | None:
    """The one order a day in digits can be read in: "20/07/2019" only day first, "07/20/2019"
    only month first; "05/08/2019" either (None)."""
    a, b = _two_numbers(said)
    return "DMY" if a > 12 >= b else "MDY" if b > 12 >= a else None


def _two_numbers(said: str) -> tuple[int, int]:
    """The day and the month of a day in digits, in the order written."""
    a, b = (int(n) for n in re.findall(r"\d+", said)[:2])
    return a, b


def _on(day: date) -> str:
    return f"on {day.isoformat()}"


def _from_to(rng: Range) -> str:
    return _on(rng[0]) if rng[0] == rng[1] else f"from {rng[0].isoformat()} to {rng[1].isoformat()}"


def _whole(rng: Range) -> bool:
    return rng[0].day == 1 and (rng[1] + timedelta(days=1)).day == 1


def _latest(span: Span, now: date) -> Range:
    """The most recent of an every-year date that has begun ("since march": this March)."""
    begun = [r for r in span.ranges if r[0] <= now]
    return begun[-1] if begun else span.ranges[0]


def _holiday_span(start: date, end: date, span: str | None, said: str) -> Range:
    """ "Thanksgiving weekend", "Christmas week", "New Year's" with its eve."""
    if span in (None, "day"):
        return start, end
    return dates.holiday_span(start, said, span)[0], max(end, dates.holiday_span(start, said, span)[1])


def _as_ranges(in_year: Callable[[int], Span] | None) -> Callable[[int], tuple[tuple[Range, ...], str]] | None:
    """A span's words in another year, as the plan's phrases keep them: (ranges, note)."""
    if in_year is None:
        return None

    def ranges(y: int) -> tuple[tuple[Range, ...], str]:
        found = in_year(y)
        return found.ranges, found.note
    return ranges


def _after_a_negation(before: list[str]) -> bool:
    """Whether the words before end with a negation ("not", "anything but", "except for")."""
    said = [w.lower().strip(",.;:!?") for w in before[-3:]]
    return any(" ".join(said[k:]) in vocabulary.terms("negation.words") for k in range(len(said)))


def _month_for_sure(word: str) -> bool:
    """Whether a month said alone is surely a date: "october leaves" is, "may flowers" and
    "march of the penguins" are not (the dictionary keeps "may" and "march" as words)."""
    return word in vocabulary.terms("dates.sure_months")


def worn(clause_after: list[str]) -> bool:
    """Whether the words after "in" and a name go on to what someone wears ("in patagonia
    fleeces", "in a denver broncos jersey"): the name is on the clothes, not where the photo was
    taken. `clause_after`: the words after the name, up to a comma."""
    for word in clause_after[:3]:
        if word in WORN:
            return True
        if not _goes_on(word):
            return False
    return False


def _goes_on(after: str, ends=frozenset()) -> bool:
    """Whether the word after a phrase goes on into a thing ("reading glasses", "christmas
    markets"): a word, and none that ends a phrase (a preposition, a negation, `ends`)."""
    return bool(re.fullmatch(r"[a-z][a-z\-]*", after)) and after not in vocabulary.terms("places.not_in_names") | \
        vocabulary.terms("negation.words") | ends


def _a_noun_follows(ctx: Context) -> bool:
    """Whether the word after a phrase goes on its noun ("the winter issue"), rather than ending it."""
    return ctx.after.isalpha() and _goes_on(ctx.after, vocabulary.terms("places.name_stops") |
                                            vocabulary.terms("dates.prepositions") | PICTURE_NOUNS)


def _a_word_follows(ctx: Context) -> bool:
    """Whether a holiday named bare is followed by a word of what the picture shows ("christmas
    markets", "holi colours"), not by "every", a year or a place."""
    if not ctx.after or ctx.before in ("every", "each", "on", "at", "during", "over", "for", "last", "this"):
        return False
    return _goes_on(ctx.after, {"photos", "pics", "pictures", "shots", "images", "photo", "weekend", "week", "day",
                                "eve", "night", "parade", "celebrations"})


def plausible(name: str) -> bool:
    return plausible_name(name)
