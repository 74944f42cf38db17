"""plan(text, now=..., places=..., previous=...) -> QueryPlan. Pure: the place resolver is a
parameter and nothing here touches a database, a model or the network.

The question is read left to right (query/text.py makes it words). At each word the readers
are asked in turn, and the first that reads a phrase there takes its words:
- what the files say (query/facts.py, its quantities in query/quantities.py);
- a negation, whose scope is whatever phrase follows it, of any kind, else the words up to
  the next phrase ("not shot on the iPhone", "except July", "anything but sunsets");
- the grammar's longest phrase that parses and makes sense (query/reader.py): dates,
  holidays, places, counts, groupings, order;
- a well-known place named bare ("rome fountains").
Words no reader takes are the visual text. A filter is taken only with evidence, and where
another reading is fair the plan offers it (`other_readings`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from flux_ask.daytimes import CLOCK_TIMES, SUN_TIMES, clock_hours, clock_words
from flux_ask.query import dates, english, vocabulary
from flux_ask.query.facts import PHOTO_KINDS, Holdings, read_fact
from flux_ask.query.phrases import (
    Count,
    Dates,
    Echoes,
    Every,
    FactPhrase,
    Grouping,
    Near,
    Negated,
    Order,
    Phrase,
    Similar,
    Weekdays,
    Without,
)
from flux_ask.query.places import (
    EVERYDAY_PLACE_WORDS,
    FEATURE_WORDS,
    GREAT_CITY_RADIUS_M,
    Resolver,
    called,
    city_and_what_lies_in_it,
    is_district,
    is_everyday_word,
    lies_in,
    names_a_part,
    plausible_name,
    takes_the,
)
from flux_ask.query.plan import (
    DEFAULT_LIMIT,
    DEFAULT_MOTIF_YEARS,
    PERIODS,
    SEVERAL,
    Fact,
    FileRef,
    OtherReading,
    Place,
    PlaceReading,
    QueryPlan,
    SimilarTo,
    describe_target,
    place_notes,
    PhotoRef,
)
from flux_ask.query.reader import (
    MAX_PHRASE_WORDS,
    MAX_RANGE_WORDS,
    RANGE_STARTS,
    Context,
    ImpossibleQuestion,
    PhraseReader,
    UnknownPlace,
    may_begin,
    may_end,
    misspelt_place,
    others,
    parse,
    worn,
)
from flux_ask.query.text import Words, holiday_of, read

__all__ = ["ImpossibleQuestion", "UnknownPlace", "plan", "similar_plan"]

MAX_QUESTION_WORDS = 60  # CLIP reads 77 tokens: a longer question is cut, and the plan says so
MAX_WORD_CHARS = 300  # longer than any word or file path: cut before dozens of patterns each read all of it
ASKING = vocabulary.terms("ask.asking")
ASKING_VERBS = vocabulary.terms("ask.verbs")
ASKING_AFTER: dict[str, list[str]] = vocabulary.table("ask.after")
PICTURE_NOUNS = vocabulary.terms("picture.nouns")
SHAPED_PHOTOS = vocabulary.terms("picture.shaped")
ONE_PICTURE = vocabulary.terms("picture.one")
COLLECTIVES = vocabulary.terms("picture.collectives")
NEAR_WORDS = {"distance", "block", "blocks", "km", "kms", "mile", "miles", "m", "meters", "metres", "minutes", "walk",
              "steps", "kilometers", "kilometres", "yards", "feet"}  # how far from a place
LONG_SPANS = {w for w in vocabulary.terms("units.span") if not w.startswith(("d", "h", "min"))}  # weeks and longer
WEEKDAY_IDIOMS = vocabulary.terms("dates.weekday_idioms")  # "sunday best", "taco tuesday"
NOT_IN_NAMES = vocabulary.terms("places.not_in_names")  # prepositions, negations: a name ends before them
LARGE_COUNT = range(vocabulary.entry("picture.large_count")[0], vocabulary.entry("picture.large_count")[1] + 1)
BY_THE_DOZEN = vocabulary.terms("picture.by_the_dozen")
SEEN_IN_FESTIVALS = vocabulary.terms("picture.in_festival_names")
STEERING = vocabulary.terms("ask.steering")
TRAVEL_WORDS = vocabulary.terms("ask.travel")
CONNECTORS = vocabulary.terms("ask.connectors")
AUXILIARIES = vocabulary.terms("ask.auxiliaries")
MAKING_VERBS = vocabulary.terms("ask.making_verbs")
HOW_AUXILIARIES = vocabulary.terms("ask.how_auxiliaries")
CHANGE_WORDS = vocabulary.terms("ask.change_words")
EVERY_WORDS = vocabulary.terms("ask.every")
NARROWING = vocabulary.phrases("ask.narrowing")
SWAPPING = vocabulary.phrases("ask.swapping")
THESE = vocabulary.phrases("ask.these")
GOOD = vocabulary.terms("ask.good")
STRONG = vocabulary.phrases("ask.strong")
HEDGES = vocabulary.terms("ask.hedges")
HOLIDAY_ADJECTIVES = vocabulary.terms("festivals_settings.adjectives")
DATE_PREPS = vocabulary.terms("dates.prepositions")
UNREAD_ALWAYS = vocabulary.terms("dates.unread_always")
MONTH_WORDS = vocabulary.terms("dates.months") - {"may", "march", "mar"}
SEASON_WORDS = vocabulary.terms("dates.seasons")
UNREAD_ALONE = UNREAD_ALWAYS | vocabulary.terms("dates.weekdays") | {f"{d}s" for d in vocabulary.terms("dates.weekdays")}
NEGATIONS = vocabulary.phrases("negation.words")
ORDERED_NEGATIONS = frozenset(vocabulary.phrases("negation.ordered"))
FAMILY_EVENTS = vocabulary.terms("picture.family_events")
NOBODY_TAILS = vocabulary.phrases("negation.nobody_tails")
NOBODY = vocabulary.phrases("negation.nobody")
PLACES_ONLY = vocabulary.phrases("negation.places_only")
NEGATION_FILLERS = vocabulary.phrases("negation.fillers")
SIGNS = vocabulary.terms("negation.signs")
SIGN_WORDS = vocabulary.terms("negation.sign_words")
SIGN_NEGATIONS = frozenset({"no", "dont", "don't", "do not", "not"})
SHOWS_NOTHING = vocabulary.terms("negation.shows_nothing")
VERSUS = vocabulary.terms("grouping.versus")
LANDMARK_WORDS = vocabulary.terms("places.landmark_words")
AREA_FEATURES = vocabulary.terms("places.area_features")
NAME_PARTICLES = vocabulary.terms("places.name_particles")
GENERIC_AREAS = vocabulary.terms("places.generic_areas")
GENERIC_MOTIF_WORDS = vocabulary.terms("picture.generic_motifs")
LOWER_CASE_NEVER_BARE = vocabulary.terms("places.lower_case_never_bare")
BARE_PLACE_NEVER = ASKING | PICTURE_NOUNS | CONNECTORS | AUXILIARIES | STEERING | \
    vocabulary.terms("places.never_bare")
# what ends the words a negation leaves out ("without leashes in Paris")
NEGATED_WORDS_END = NOT_IN_NAMES | {"the", "a", "an", "one", "top", "best", "all", "made", "within", "around",
                                   "taken", "shot", "except"} | \
    STEERING | {w for n in NEGATIONS for w in n} | vocabulary.terms("negation.clause_ends")


@dataclass
class Draft:
    """A plan being assembled."""

    text: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)
    date_ranges: list[tuple[date, date]] = field(default_factory=list)
    every_dates: list[tuple[date, date]] = field(default_factory=list)  # "in January": narrowed by other dates
    # "christmas markets": a holiday said as a word, a date only if another date is named
    maybe_dates: list[tuple[int, int, Dates]] = field(default_factory=list)
    date_notes: list[str] = field(default_factory=list)
    excluded_dates: list[tuple[date, date]] = field(default_factory=list)
    excluded_every: list[tuple[date, date]] = field(default_factory=list)
    excluded_notes: list[str] = field(default_factory=list)
    weekdays: set[int] = field(default_factory=set)
    near: Place | None = None
    exclude_near: Place | None = None
    similar_to: SimilarTo | None = None
    echoes_of: Place | None = None
    mode: str | None = None
    limit: int | None = None
    group_by: str | None = None
    span_years: int | None = None
    rank: str | None = None
    order: str | None = None
    notes: list[str] = field(default_factory=list)
    readings: list[PlaceReading] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    others: list[OtherReading] = field(default_factory=list)
    kinds: list[tuple[int, str]] = field(default_factory=list)  # (word, what was read there): for "x vs y"
    fresh: bool = False  # asked as a whole question, not as a follow-up
    follows: str | None = None  # how it says it follows the question before: "narrow" or "swap"
    every: bool = False  # "all", "every", "everything" said ("any" asks whether there are some)
    asks_how: bool = False  # "how did my portraits change": a change over time, not a picture of one
    asked: bool = False  # an asking verb came first ("show me 5 foggy bridges": a count)
    holidays: bool = False  # a calendar holiday was read
    # a place named bare, with what it took from the text (where, its words, its note): a place
    # named later with a preposition is the place, and the bare name's words go back
    bare_near: tuple[int, list[str], str] | None = None
    # the last date said without its year: (the word after it, it, where its ranges and note are)
    yearless: tuple[int, Dates, int, int] | None = None
    open_dates: list[tuple[int, int, str]] = field(default_factory=list)  # (range, note, "since" or "until")
    dated: tuple[int, Dates] | None = None  # the last date said with its year, and the word after it

    def _again_in_year(self, phrase: Dates, at: int) -> bool:
        """A year said after a dated phrase and "and" or "or" is that phrase in the year:
        "christmas 2024 and 2025", "oktoberfest 2019 or 2022", "june 2019 & 2021"."""
        year = dates.whole_year(phrase.ranges)
        if self.dated is None or year is None or phrase.every:
            return False
        joined = self.dated[0] + 1 == at and self.text and self.text[-1] in ("and", "or", "&")
        if not joined and self.dated[0] != at:  # "christmas 2022, 2023 and 2024": a comma
            return False
        ranges, note = self.dated[1].again(year)
        if not ranges:
            return False
        if joined:
            self.text.pop()
        self.date_ranges.extend(ranges)
        self.date_notes.append(note)
        self.dated = (at + 1, self.dated[1])
        return True

    def _in_year_said(self, phrase: Dates, at: int) -> bool:
        """A year said right after a date said without one puts it in that year: "the day after
        thanksgiving last year", "june 1st to 14th in 2023"; it is no date of its own."""
        year = dates.whole_year(phrase.ranges)
        if self.yearless is None or year is None or phrase.every or self.yearless[0] != at:
            return False
        _, earlier, k, n = self.yearless
        ranges, note = earlier.in_year(year)
        if not ranges:
            return False
        self.date_ranges[k:k + len(earlier.ranges)] = ranges
        self.date_notes[n] = note
        self.yearless = None
        return True

    def _closes(self, phrase: Dates) -> bool:
        """A range open at one end closes one open at the other that it overlaps: "after 2015 and
        before 2019" is 2016 to 2018, not everything ("before 2015 and after 2019" stays either)."""
        other = {"since": "until", "until": "since"}.get(phrase.open or "")
        found = next(((k, n) for k, n, way in self.open_dates if way == other), None)
        if found is None:
            if phrase.open:
                self.open_dates.append((len(self.date_ranges), len(self.date_notes), phrase.open))
            return False
        k, n = found
        start, end = max(self.date_ranges[k][0], phrase.ranges[0][0]), min(self.date_ranges[k][1], phrase.ranges[0][1])
        if start > end:  # "before 2015 and after 2019": either
            return False
        self.date_ranges[k] = (start, end)
        self.date_notes[n] = f"from {start.isoformat()} to {end.isoformat()}"
        self.open_dates = [d for d in self.open_dates if d[:2] != found]
        return True

    def _words_back(self) -> None:
        """ "the i love ny shirt in rome": Rome is the place, and "ny" words of the picture again."""
        if self.bare_near is None:
            return
        at, said, note = self.bare_near
        self.text[at:at] = said
        dropped = {note, *(r.note() for r in self.readings if r.chosen == self.near)}
        self.notes = [n for n in self.notes if n not in dropped]
        self.readings = [r for r in self.readings if r.chosen != self.near]
        self.others = [o for o in self.others if not o.label.startswith(f"'{' '.join(said)}' as words")]
        self.bare_near = None

    def put_back(self, said: list[str]) -> None:
        """The place just read is no filter after all: its words go back to the picture's."""
        if self.bare_near is not None:
            self._words_back()
        else:
            self.text += said
        self.notes = [n for n in self.notes if n not in {r.note() for r in self.readings if r.chosen == self.near}]
        self.readings = [r for r in self.readings if r.chosen != self.near]
        self.kinds = [(at, kind) for at, kind in self.kinds if kind != "place"]
        self.near = None

    def add(self, phrase: Phrase | list[Phrase], at: int, said: list[str]) -> None:
        """Take a phrase read at word `at` from the words `said`."""
        for one in phrase if isinstance(phrase, list) else [phrase]:
            self._add(one, at, said)

    def _add(self, phrase: Phrase, at: int, said: list[str]) -> None:
        match phrase:
            case Dates(tentative=True):  # the words stay for CLIP, and may become a date at the end
                self.maybe_dates.append((len(self.text), len(said), phrase))
                self.text += said
            case Dates() if self._in_year_said(phrase, at) or self._closes(phrase) or self._again_in_year(phrase, at):
                pass
            case Dates():
                self.dated = (at + len(said), phrase) if phrase.again else None
                (self.every_dates if phrase.every else self.date_ranges).extend(phrase.ranges)
                self.date_notes.append(phrase.note)
                self.yearless = (at + len(said), phrase, len(self.date_ranges) - len(phrase.ranges),
                                 len(self.date_notes) - 1) if phrase.in_year else None
                self.kinds.append((at, phrase.unit))
                self.holidays = self.holidays or phrase.holiday is not None
                if phrase.holiday is not None:  # "the mummers parade": its day, and mummers on parade
                    self.text += [w for one in said for w in one.split() if w in SEEN_IN_FESTIVALS]
            case Weekdays(days=days):
                self.weekdays |= days
                self.kinds.append((at, "weekday"))
            case Near(place=place) if self.near is not None and place.area and \
                    self.near.country_code == place.area.split("/")[0]:
                pass  # "split in croatia": the country says which Split, it does not widen it
            case Near(place=place) if self.near is not None and is_district(self.near) and \
                    names_a_part(self.near, place) and lies_in(self.near, place):
                pass  # "the alfama in lisbon": the district said, in the city that says which
            case Near(place=place, readings=readings):
                self._words_back()
                self.near = place
                self._read_as(readings)
                self.kinds.append((at, "place"))
            case Similar(target=target):
                self.similar_to = target
            case Echoes(place=place, readings=readings):
                self.echoes_of = place
                self._read_as(readings)
            case Every():
                self.mode = "strong" if self.mode == "strong" else "all"
                self.every = True
            case Count(n=n, best=best):
                if n < 1:
                    raise ImpossibleQuestion(f"a count of {n} shows no photo: ask for 1 or more")
                self.limit = n
                self.mode = self.mode or "top_k"
                if best:
                    self.rank = "keeper"
            case Grouping(by="year", per=None) if said[:1] in (["every"], ["each"]) and \
                    (self.every_dates or self.maybe_dates):
                pass  # "4th of july fireworks, every year": every one of them, as a date without its year says
            case Grouping(by=by, per=per, span_years=span_years):
                # "over time" keeps a period already named ("by month over time"); any other grouping replaces
                self.group_by = (self.group_by or by) if by == "year" and per is None else by
                self.limit = per or self.limit
                self.span_years = span_years or self.span_years
            case Order(by=by, count=count):
                self.order = by
                self.limit = count or self.limit
            case FactPhrase(fact=fact, keep=keep, note=note):
                self.facts = [f for f in self.facts if f.name != fact.name or f.name in SEVERAL] + [fact]
                self.text += keep.split()
                if note:
                    self.notes.append(note)
                self.kinds.append((at, fact.name if fact.name != "either" else fact.value[0].name))
            case Without(words=said):
                self.negative.append(said)
            case Negated(phrase=inner):
                self._add_negated(inner, at)

    def _read_as(self, readings) -> None:
        """The other places a name may mean, named in the notes and kept for the chips."""
        self.readings += readings
        self.notes += [r.note() for r in readings]

    def _add_negated(self, inner, at: int) -> None:
        match inner:
            case Dates():
                (self.excluded_every if inner.every else self.excluded_dates).extend(inner.ranges)
                self.excluded_notes.append(inner.note)
            case Weekdays(days=days):
                self.weekdays |= set(range(7)) - days
            case Near(place=place, readings=readings):
                self.exclude_near = place if self.exclude_near is None else \
                    replace(self.exclude_near, either=(*self.exclude_near.either, place))
                self._read_as(readings)
            case FactPhrase(fact=fact, note=note):
                self.facts.append(Fact("not", "none", (fact,), f"not {fact.label}"))
                if note:
                    self.notes.append(note)


def _no_places(name: str, sure: bool = True) -> Place | None:
    return None


def plan(
    text: str,
    *,
    now: date,
    places: Resolver | None = None,
    previous: QueryPlan | None = None,
    hemisphere: str = "north",
    block_m: float = 100.0,
    walk_m: float = 800.0,
    date_order: str = "MDY",
    country: str = "US",
    holdings: Holdings | None = None,
) -> QueryPlan:
    """The plan of a question. `holdings`, what the archive holds, lets "with the X100V" name a
    camera by its model, and weighs a name that may or may not be a place."""
    ctx = Context(now=now, places=places or _no_places, hemisphere=hemisphere, block_m=block_m, walk_m=walk_m,
                  date_order=date_order, country=country)
    if not text.strip():
        raise ImpossibleQuestion("an empty question: say what the photos show, or when or where they were "
                                 "taken (\"dogs in the snow\", \"photos from 2019\")")
    draft = _read(text, ctx, holdings)
    implied = _calendar_implied(draft, ctx)
    southern = _other_hemisphere(draft, ctx)
    if implied or southern:  # "tet in hanoi", "summer in sydney": the place's calendar or seasons, read again
        ctx = Context(now=now, places=places or _no_places, hemisphere=southern or hemisphere, block_m=block_m,
                      walk_m=walk_m, date_order=date_order, country=country, asked_country=implied)
        draft = _read(text, ctx, holdings)
    return _held_place(_festival_place(_finish(draft, previous, ctx.date_order), ctx), holdings)


def _held_place(p: QueryPlan, holdings: Holdings | None) -> QueryPlan:
    """A name several places have: the one where the archive holds photos, when the likeliest by
    size holds none ("germantown" in a Philadelphia photographer's archive is Philadelphia's)."""
    if holdings is None or not p.readings:
        return p
    number = 0
    for reading in p.readings:
        first, number = number + 1, number + len(reading.others)
        if not reading.others or (holdings.photos_near(reading.chosen) or 0) > 0:
            continue
        held, k = max((holdings.photos_near(other) or 0, k) for k, other in enumerate(reading.others))
        if held > 0:
            read = p.read_instead(first + k)
            said = f"'{reading.name}' read as {reading.others[k].label}: the archive holds {held:,} photos there, " \
                   f"none in {reading.chosen.label}"
            return replace(read, notes=(*read.notes, said))
    return p


def _festival_place(p: QueryPlan, ctx: Context) -> QueryPlan:
    """A festival's country picks among a name's places: "las fallas valencia" is Valencia in
    Spain, where Las Fallas is, not the larger Valencia in Venezuela."""
    if not ctx.calendars or not p.readings:
        return p
    number = 0
    for reading in p.readings:
        fits = []
        for other in reading.others:
            number += 1
            if other.country_code in ctx.calendars:
                fits.append((other.area is not None, number))  # a town before its region: the festival is held there
        if fits and (reading.chosen.country_code not in ctx.calendars or reading.chosen.area and not min(fits)[0]):
            return p.read_instead(min(fits)[1])
    return p


def _other_hemisphere(draft: Draft, ctx: Context) -> str | None:
    """The hemisphere of the place a question names, where its seasons were read by the other
    ("last summer in new zealand" is December to February): clear of the tropics, whose seasons
    are no summer and winter."""
    place = draft.near
    if place is None or not any(kind == "season" for _, kind in draft.kinds):
        return None
    theirs = "south" if place.lat < -23.5 else "north" if place.lat > 23.5 else ctx.hemisphere
    return theirs if theirs != ctx.hemisphere else None


def _calendar_implied(draft: Draft, ctx: Context) -> str | None:
    """The country of the place a question names, when it read a holiday by another calendar."""
    place = draft.near
    code = place.country_code if place is not None else None
    if not draft.holidays or code is None or not ctx.calendars or all(c == code for c in ctx.calendars):
        return None
    return code


def _read(text: str, ctx: Context, holdings: Holdings | None) -> Draft:
    long_words = [len(w) for w in text.split() if len(w) > MAX_WORD_CHARS]
    if long_words:
        text = re.sub(r"\S{%d,}" % (MAX_WORD_CHARS + 1), lambda m: m.group()[:MAX_WORD_CHARS], text)
    words = read(text)
    draft = Draft(notes=list(words.notes))
    draft.notes += [f"a word of {n:,} characters was read as its first {MAX_WORD_CHARS}" for n in long_words]
    if len(words) > MAX_QUESTION_WORDS:
        draft.notes.append(f"only the first {MAX_QUESTION_WORDS} of its {len(words)} words were read: "
                           "CLIP reads no more")
        words.cut(MAX_QUESTION_WORDS)
    draft.follows, at, pointing = _follow_lead(words.words)
    start = _drop_asking(words, draft, holdings, at)
    if at + 1 < start < len(words) and words.words[start - 2] in DATE_PREPS and words.words[start - 1] == "the" and \
            isinstance((_grammar(words, start - 2, ctx) or (None,))[0], (Dates, Near)):
        start -= 2  # "photos from the 90s", "from the city of split": the preposition and the article are the phrase's
    elif at < start < len(words) and words.words[start - 1] in DATE_PREPS and \
            isinstance((_grammar(words, start - 1, ctx) or (None,))[0], (Dates, Near, Weekdays)):
        start -= 1  # "photos from summer": the preposition belongs to the date ("looking for portraits": none)
    # "find all photographs made within ..." is a question of its own; "only 2019", "those from 2020",
    # "now show me dogs" and "just the vertical photos" say which they are
    asked_anew = any(w in ASKING_VERBS for w in words.words[at:start])
    draft.fresh = (not pointing and asked_anew) if draft.follows else \
        any(w in ASKING_VERBS or w in PICTURE_NOUNS for w in words.words[:start])
    # Capitals mark names only where most words have none ("Show All Umbrellas In Fog").
    ctx.case_speaks = sum(w[:1].isupper() for w in words.originals) <= len(words.originals) / 2
    i = start
    last = -2  # the last word that went to CLIP
    while i < len(words):
        near = draft.near
        taken = _one_phrase(words, i, draft, ctx, holdings, start)
        if taken and draft.near is not near and draft.near is not None:
            _unknown_in_list(words, i, i + taken, draft, ctx)
        if taken:
            if draft.text[-2:] in (["dated", "to"], ["dating", "to"], ["dating", "from"]):
                del draft.text[-2:]  # "material dated to the 1990s"
            if draft.text and draft.text[-1] in MAKING_VERBS:  # "made within one block of ..."
                draft.text.pop()
            i += taken
            continue
        if words.glued[i] and last == i - 1 and draft.text:
            draft.text[-1] += words.spoken(i)  # "35mm film": as it was written
        else:
            draft.text.append(words.spoken(i))
        last = i
        i += 1
    draft.notes += [n for n in ctx.notes if n not in draft.notes]
    draft.others += ctx.others
    _offer_holiday_of_compounds(words, draft)
    _offer_as_typed(words, draft)
    return draft


def _offer_as_typed(words: Words, draft: Draft) -> None:
    """A word corrected into a filter after "the" or written with a capital ("the weeknd
    concert" read as a weekend) may have been meant as typed, as a name: that reading is offered."""
    for typed, meant in words.typos:
        at = next((k for k, o in enumerate(words.originals) if o.lower() == typed.lower()), None)
        if at is None or meant in draft.text or meant in PICTURE_NOUNS or meant in ASKING_VERBS:
            continue  # still words of the picture, or words of the asking: nothing to offer
        if not (at and words.words[at - 1] == "the" or at and typed[:1].isupper()):
            continue  # "photos at tusday": a typo, no name
        question = " ".join(f'"{o}"' if o.lower() == typed.lower() else o for o in words.originals)
        draft.others.append(OtherReading(f"'{typed}' as typed, not '{meant}'", question))


def _unknown_in_list(words: Words, i: int, j: int, draft: Draft, ctx: Context) -> None:
    """ "boats in capri or positano", "the catskills or the adirondacks": a place, then "or" or
    "and" and a name that no gazetteer knows and no dictionary keeps. The place alone would leave
    out the other without a word: both stay words of the picture, said, and the place alone is
    offered."""
    w = words.words
    if j >= len(w) or w[j] not in ("or", "and", "&", "/"):
        return
    k = j + 1 + (w[j + 1:j + 2] == ["the"])
    if k >= len(w) or not words.free(k, k + 1) or not _unknown_name(w[k]) or _grammar(words, k, ctx):
        return
    place, said = draft.near, _said(words, i, j)
    draft.put_back(said)
    named = " ".join(words.originals[i:k + 1])
    draft.notes.append(f"no place called '{words.originals[k]}' is known: '{named}' stay words of the picture, "
                       f"not a search of {place.label} alone")
    draft.others.append(OtherReading(f"only {place.label}", " ".join([*words.originals[:j], *words.originals[k + 1:]])))


def _unknown_name(word: str) -> bool:
    """A word that can only be a name: no dictionary keeps it, and it says nothing the planner reads."""
    return len(word) >= 4 and word.isalpha() and not english.known(word) and word not in PICTURE_NOUNS


def _offer_holiday_of_compounds(words: Words, draft: Draft) -> None:
    """ "halloween costumes from 2021" are the costumes of any day of 2021, as the words say,
    and, offered, those of Halloween 2021: a compound's holiday is a word of the picture, and
    whether its day or the weeks around it (lights, markets) is the asker's to choose."""
    if not draft.date_ranges or draft.holidays:
        return
    for k, word in enumerate(words.words):
        if not words.kept[k] or k and words.kept[k - 1] or word not in HOLIDAY_ADJECTIVES:
            continue
        end = k
        while end < len(words) and words.kept[end]:
            end += 1
        question = " ".join([*words.originals[:end], "on", words.originals[k], *words.originals[end:]])
        draft.others.append(OtherReading(f"only the days of '{word}', within the dates asked",
                                         question))


def _one_phrase(words: Words, i: int, draft: Draft, ctx: Context, holdings, start: int) -> int:
    """Words taken by the first reader that reads a phrase at word i (0: none does)."""
    if words.kept[i]:
        return 0
    if n := _longest_of(words.words, i, STRONG):  # "every strong match": however few
        draft.mode, draft.every = "strong", True
        return n
    if fact := _fact_at(words, i, holdings):  # what the files say, never words for CLIP
        draft.add(FactPhrase(fact.fact, fact.keep, fact.note), i, _said(words, i, i + fact.words))
        if fact.other:  # "aperture bigger than f/16": a wider opening, or a bigger number
            draft.others.append(OtherReading(fact.other[0], _rewritten(words, i, i + fact.words, fact.other[1])))
        by = {"camera": "camera", "lens": "lens", "focal": "lens"}.get(fact.fact.value[0].name) if fact.versus else None
        if by:  # "the iphone vs the fuji": side by side
            draft.add(Grouping(by), i, [])
        if i == start and not draft.follows and PICTURE_NOUNS & set(words.words[i:i + fact.words]):
            draft.fresh = True  # "square photos shot on the Canon" is a question of its own
        return fact.words
    if taken := _negation(words, i, draft, ctx, holdings, start):
        return taken
    if setting := _setting_of_gear(words, i, draft):  # "the 70-200 at 200", "the 85 at 1.2"
        fact, taken = setting
        draft.add(FactPhrase(fact.fact, fact.keep, fact.note), i, _said(words, i, i + taken))
        return taken
    if found := _grammar(words, i, ctx):
        phrase, taken = found
        if isinstance(phrase, Near):
            return _place_taken(words, i, i + taken, phrase, draft, ctx, start)
        draft.add(phrase, i, _said(words, i, i + taken))
        return taken
    return _bare_place(words, i, draft, ctx, holdings, start)


def _setting_of_gear(words: Words, i: int, draft: Draft):
    """(the fact, the words) of where a lens just named was set: "the 70-200 at 200" and "the
    100-400 at the long end" are focal lengths, "the 85 at 1.2" an aperture; or None."""
    if words.words[i] != "at" or not draft.facts or draft.facts[-1].name not in ("lens", "focal"):
        return None
    last = draft.facts[-1]
    zoom = re.fullmatch(r"(\d+)-(\d+)", str(last.value)) if last.name == "lens" else None
    span = (float(zoom.group(1)), float(zoom.group(2))) if zoom else \
        tuple(last.value) if last.op == "between" else None
    rest = words.words[i + 1:i + 4]
    end = {"long": 1, "tele": 1, "wide": 0, "short": 0}.get(rest[1]) if rest[:1] == ["the"] and \
        rest[2:3] == ["end"] and len(rest) > 1 else None
    if zoom and end is not None:
        said, taken = f"{span[end]:g}", 4
    elif rest[:1] and re.fullmatch(r"(f/?)?\d+(\.\d+)?", rest[0]):
        said, taken = rest[0], 2
    else:
        return None
    number = float(said.lstrip("f/"))
    if zoom and span[0] <= number <= span[1] and not said.startswith("f"):
        found = read_fact([said, "mm"], [said, "mm"], 0, None)
    elif number <= 22 and not (span and span[0] <= number <= span[1]):
        found = read_fact([f"f/{said.lstrip('f/')}"], [f"f/{said.lstrip('f/')}"], 0, None)
    else:
        return None
    return (found, taken) if found is not None else None


def _said(words: Words, i: int, j: int) -> list[str]:
    out: list[str] = []
    for k in range(i, j):
        if words.glued[k] and out:
            out[-1] += words.spoken(k)
        else:
            out.append(words.spoken(k))
    return out


def _fact_at(words: Words, i: int, holdings):
    # a word that ends its clause is read as said last: "one per month, horizontal, nothing below 3"
    upto = i + 1 if words.ends[i] else len(words)
    found = read_fact(words.words[:upto], words.originals[:upto], i, holdings)
    if found is None or not words.free(i, i + found.words) and found.fact.name not in ("keyword", "title"):
        return None
    return found


# -- negation: its scope is whatever follows ----------------------------------------------

def _clause_begins(words: Words, i: int) -> bool:
    """Whether word i begins a clause: the question's first, after a comma, or after "but", "and", "now"."""
    return i == 0 or words.ends[i - 1] or words.words[i - 1] in ("but", "and", "now", "then", "so", "just", "pls",
                                                                   "please", "also", "ok", "okay")


def _negation_at(words: list[str], i: int) -> int:
    if words[i] == "any" and i + 2 < len(words) and (words[i + 1] in KINDS_OF_FILTER or words[i + 1] == "day"):
        n = _longest_of(words, i + 2, NEGATIONS) or (words[i + 2] == "but")  # "any year but 2020"
        return 2 + n if n and words[i + 2] != "not" else 0
    return _longest_of(words, i, NEGATIONS)


GROUP_UNITS = vocabulary.table("units.group")  # what a unit is called when it groups: "cams" is camera
KINDS_OF_FILTER = frozenset(GROUP_UNITS)  # year, month, season, camera, country, city...


def _negation(words: Words, i: int, draft: Draft, ctx: Context, holdings, start: int) -> int:
    """ "not shot on the iPhone", "except July", "other than Hanoi", "aren't 5 stars": the phrase
    after a negation, left out; else the words up to the next phrase ("without people")."""
    nobody = _longest_of(words.words, i, NOBODY)
    if nobody:  # "where nobody is around", "no one on the street": no people
        nobody += _longest_of(words.words, i + nobody, NOBODY_TAILS)
        draft.add(Without("people"), i, _said(words, i, i + nobody))
        return nobody
    n, places_only = _negation_at(words.words, i), False
    if n and tuple(words.words[i:i + n]) in ORDERED_NEGATIONS and not _clause_begins(words, i):
        return 0  # "a water drop the size of a pea": an order to leave out only where a clause begins
    if not n:
        n, places_only = _longest_of(words.words, i, PLACES_ONLY), True
        if n and i + n < len(words) and words.words[i + n] in ("on", "in", "at", "during", "for", "with"):
            return 0  # "eating outside on weekdays": outdoors, and then the days
    if not n or _written_on_a_sign(words.words, i, i + n):
        return 0
    j = i + n
    # "outside paris", "outside of fall": a place or a time, never a thing ("people outside a cafe")
    phrase, taken = _negatable(words, j, draft, ctx, holdings, start,
                               same=(Near, Dates, Weekdays) if places_only else None)
    if phrase is None and places_only and words.words[j - 1] == "of":  # "outside of fall": "of fall" is the date
        phrase, taken = _negatable(words, j - 1, draft, ctx, holdings, start, same=(Dates, Weekdays))
        j -= phrase is not None
    if phrase is not None:
        draft.add(Negated(phrase), i, _said(words, i, j + taken))
        j += taken
        while j + 1 < len(words) and words.words[j] in ("or", "and", "nor"):  # "not in 2019 or 2020"
            more, more_taken = _negatable(words, j + 1, draft, ctx, holdings, start, same=type(phrase))
            if more is None:
                break
            draft.add(Negated(more), j, _said(words, j, j + 1 + more_taken))
            j += 1 + more_taken
        return j - i
    said = [] if places_only else _negated_words(words, j)
    if not any(words.words[k].isalpha() and words.words[k] not in SHOWS_NOTHING for k in said) or \
            said and words.words[said[0]] in ("what", "who", "how", "why", "whatever", "whoever"):
        return 0  # "not what it shot", "isn't 😂": nothing a picture could show is left out
    if words.words[said[0]] in ("my", "our"):  # "kids playing but not my kids": whose they are is not seen
        draft.notes.append(f"'{' '.join(words.originals[i:said[-1] + 1])}' is not searched: a picture does not "
                           "show whose they are")
        return said[-1] + 1 - i
    if words.words[j] in ("in", "at", "near", "on") and words.words[said[0]] not in ("the", "a", "an") and \
            len(said) > 1 and words.words[said[-1]] in LANDMARK_WORDS:
        raise UnknownPlace(" ".join(words.words[k] for k in said))  # "not in times square": a place, not a thing
    if words.words[said[-1]] in LONG_SPANS and (draft.date_ranges or draft.every_dates):
        # "2020 except the lockdown months": a time no phrase could read, no thing a picture shows ("rainy days" are)
        draft.notes.append(f"not understood: '{' '.join(words.originals[i:said[-1] + 1])}' (no dates are left out; "
                           "name them, as in '2020 except march to may')")
        return said[-1] + 1 - i
    draft.add(Without(" ".join(_said(words, said[0], said[-1] + 1))), i, _said(words, i, said[-1] + 1))
    return said[-1] + 1 - i


def _longest_of(words: list[str], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    for said in phrases:
        if tuple(words[i:i + len(said)]) == said:
            return len(said)
    return 0


def _negatable(words: Words, j: int, draft: Draft, ctx: Context, holdings, start: int, same=None):
    """(a phrase that can be left out at word j, after filler words like "shot" or "the", and the
    words it took), or (None, 0)."""
    for skip in range(0, 5):
        k = j + skip
        if k >= len(words):
            break
        if skip and not _fillers(words.words, j, k):
            continue  # "the ones that are": fillers of more than one word end further on
        if not words.free(k, k + 1):
            break
        fact = _fact_at(words, k, holdings) or _fact_led(words, k, holdings) or _counted_as_before(words, k, draft,
                                                                                                   holdings)
        if fact:  # "not shot on the iphone"; "anything but the fuji" is "but with the fuji"
            phrase = FactPhrase(fact.fact, note=fact.note)
            found = (phrase, skip + fact.words)
        elif grammar := _grammar(words, k, ctx):
            found = (grammar[0], skip + grammar[1])
        else:
            place = _bare_name(words, k, ctx, start)
            found = (Near(place[0], others(" ".join(words.words[k:k + place[1]]), place[0], ctx.places)),
                     skip + place[1]) if place else None
        if found and isinstance(found[0], (Dates, Weekdays, Near, FactPhrase)) and \
                (same is None or isinstance(found[0], same)):
            if isinstance(found[0], Dates) and found[0].tentative:
                found = (replace(found[0], tentative=False), found[1])
            return found
    return None, 0


UNIT_SAID = {"rating": "{} stars", "focal": "{} mm", "iso": "iso {}"}  # a bare number, as its fact says it


def _counted_as_before(words: Words, k: int, draft: Draft, holdings):
    """A bare number after a negation counts what the fact before it counted: "more than 3 stars
    but not 5", "over 35mm, not 50"."""
    if not re.fullmatch(r"\d+(\.\d+)?", words.words[k]) or not draft.facts or draft.facts[-1].name not in UNIT_SAID:
        return None
    said = UNIT_SAID[draft.facts[-1].name].format(words.words[k]).split()
    found = read_fact(said, said, 0, holdings)
    return replace(found, words=1) if found is not None and found.words == 2 else None


def _fact_led(words: Words, k: int, holdings):
    """A fact said after a negation without its preposition: "anything but the fuji", "did not use the
    flash"."""
    found = read_fact(["with", *words.words[k:]], ["with", *words.originals[k:]], 0, holdings)
    if found is None or found.words < 2 or found.fact.name not in ("camera", "lens", "focal", "flash"):
        return None
    return replace(found, words=found.words - 1)


def _fillers(words: list[str], j: int, k: int) -> bool:
    """Whether words j..k-1 are only fillers between a negation and what it negates."""
    at = j
    while at < k:
        for said in NEGATION_FILLERS:
            if tuple(words[at:at + len(said)]) == said and at + len(said) <= k:
                at += len(said)
                break
        else:
            return False
    return True


# "not at the beach", "that don't have people", "that don't show any cars"
SKIPPED_BEFORE_NEGATED = {"the", "a", "an", "any", "at", "single", "of", "in", "have", "has", "had", "show", "shows",
                          "contain", "contains", "include", "includes", "feature", "features"}


def _written_on_a_sign(w: list[str], i: int, j: int) -> bool:
    """Whether the negation at i..j-1 is what a sign says: "no parking signs", "a dont walk
    sign", "no dogs allowed sign" (up to three words, one a verb in -ing or of the sign list,
    then the sign)."""
    if " ".join(w[i:j]) not in SIGN_NEGATIONS:
        return False
    sign = next((k for k in range(j + 1, min(len(w), j + 4)) if w[k] in SIGNS), None)
    said = w[j:sign] if sign is not None else []
    return bool(said) and all(x.isalpha() and x not in ("and", "or", "in", "on", "at", "with") for x in said) and \
        any(x.endswith("ing") or x in SIGN_WORDS for x in said)


def _negated_words(words: Words, j: int) -> list[int]:
    """The words a negation leaves out of the pictures: up to the next phrase ("without
    leashes in Paris"), a preposition or article before them skipped ("not at the beach")."""
    while j < len(words) and (words.words[j] in DATE_PREPS | SKIPPED_BEFORE_NEGATED or
                              words.words[j] in PICTURE_NOUNS and words.words[j + 1:j + 2] == ["of"]):
        j += 1  # "not at the beach", "no photos of the dog"
    out: list[int] = []
    k = j
    while k < len(words):
        word = words.words[k]
        if word in ("and", "or") and out and k + 1 < len(words) and words.words[k + 1] not in NEGATED_WORDS_END \
                and not _negation_at(words.words, k + 1):
            out.append(k)
            k += 1
            continue
        if word in NEGATED_WORDS_END or word in PICTURE_NOUNS and out or re.fullmatch(r"(19|20)\d\d", word) or \
                _negation_at(words.words, k) or holiday_of(word) or out and read_fact(words.words, words.originals, k,
                                                                                       None):
            break
        if out and may_begin(" ".join(words.words[k:k + MAX_PHRASE_WORDS])) and _grammar_quiet(words, k):
            break
        out.append(k)
        k += 1
        if words.ends[k - 1]:
            break  # "not the jersey shore, 4+ stars": the clause ends
    return out


def _grammar_quiet(words: Words, k: int) -> bool:
    """Whether a grammar phrase could start at k (without resolving places)."""
    span = " ".join(words.words[k:k + MAX_PHRASE_WORDS])
    return not isinstance(parse(span), int) or any(not isinstance(parse(" ".join(words.words[k:e])), int)
                                                   for e in range(k + 1, min(len(words), k + 4) + 1))


# -- the grammar's phrases -----------------------------------------------------------------

def _grammar(words: Words, i: int, ctx: Context):
    """(the longest sensible phrase of the grammar at word i, its words), or None. A phrase that
    surely names a place ("near X", "within 1 block of X") and names none we know is an error,
    reported with the longest plausible name."""
    longest = min(len(words), i + (MAX_RANGE_WORDS if words.words[i] in RANGE_STARTS else MAX_PHRASE_WORDS))
    while longest > i and not words.free(i, longest):
        longest -= 1
    if longest <= i or not may_begin(" ".join(words.words[i:longest])):
        return None  # no phrase begins with this word
    unknown: list[UnknownPlace] = []
    dead_end = None  # where the longest span stopped parsing: shorter spans past it need no try
    reader = PhraseReader(ctx)
    for j in range(longest, i, -1):
        span = " ".join(words.words[i:j])
        if dead_end is not None and len(span) > dead_end or not may_end(span):
            continue
        tree = parse(span)
        if isinstance(tree, int):
            dead_end = tree if dead_end is None else min(dead_end, tree)
            continue
        ctx.originals = words.originals[i:j]
        ctx.before = words.words[i - 1] if i else ""
        ctx.after = words.words[j] if j < len(words) else ""
        ctx.question_before, ctx.question_after = words.originals[:i], words.originals[j:]
        ctx.clause_after = words.clause_from(j)
        ctx.alone = len(words) > j - i and (i == 0 or words.ends[i - 1]) and (j == len(words) or words.ends[j - 1])
        try:
            phrase = reader.read(tree)
        except UnknownPlace as exc:
            unknown.append(exc)
            continue
        except (OverflowError, ValueError):  # "9223372036854775808 winters ago": past the calendar's end
            raise ImpossibleQuestion(f"'{span}' lies beyond the calendar (years 1 to 9999)") from None
        if phrase is None or isinstance(phrase, (int, str, tuple)):
            continue
        if isinstance(phrase, Near) and unknown and _name_goes_on(words, j, "the" in words.words[i:j]):
            continue  # "within two blocks of union square sf": never Union, New Jersey
        return phrase, j - i
    plausible = [e for e in unknown if plausible_name(e.name)]
    if unknown:
        exc = plausible[0] if plausible else unknown[-1]
        if (words.words[i] == "of" or words.words[i] == "from" and exc.name.startswith("the ")) and \
                not NEAR_WORDS & set(words.words[max(0, i - 3):i]) and not LANDMARK_WORDS & set(exc.name.split()):
            # "pictures of the Hamburger", "from the Berlin trip": a thing named, more likely than a place;
            # "within 5 km of the eiffel tower", "of the shibuya crossing", "at the Kurfürstendamm" are places
            ctx.notes.append(f"no place is called '{exc.name}': read as words of the picture")
            return None
        raise exc
    return None


def _name_goes_on(words: Words, j: int, the: bool = False) -> bool:
    """Whether the word after a place's name belongs to it: "union square", "the brooklyn
    bridge", "venice beach", "union square sf"; after "the", any noun ("a block from the liberty
    bell": a town's name rarely takes "the")."""
    after = words.words[j:j + 2]
    if not after or words.ends[j - 1]:
        return False  # "in yorkshire, england": a comma ends the name
    if after[0] in LANDMARK_WORDS or after[0] in vocabulary.table("places.abbreviations"):
        return True
    if the and after[0].isalpha() and after[0] not in NEGATED_WORDS_END and after[0] not in PICTURE_NOUNS and \
            not read_fact(words.words, words.originals, j, None) and not may_begin(" ".join(words.words[j:j + 4])):
        return True
    # "philly city hall": a landmark's name two words on, the word between no stop
    return len(after) == 2 and after[1] in LANDMARK_WORDS and after[0] not in NEGATED_WORDS_END


# -- the front of a question: asking words and counts --------------------------------------

def _count_alone(words: Words, i: int, draft: Draft) -> bool:
    """Whether word i is a count that ends its clause after an asking word or "just": how many photos."""
    word = words.words[i]
    return dates.is_count(word) and not re.fullmatch(r"(19|20)\d\d", word) and \
        (i + 1 == len(words) or words.ends[i]) and (draft.asked or i > 0 and words.words[i - 1] in ("just", "only"))


def _date_begins(words: Words, i: int) -> bool:
    """Whether a date of two words or more begins at word i ("up to 2017")."""
    return may_begin(" ".join(words.words[i:i + 4])) and any(
        getattr(parse(" ".join(words.words[i:j])), "data", None) == "when"
        for j in range(min(len(words), i + 4), i + 1, -1))


def _follow_lead(words: list[str]) -> tuple[str | None, int, bool]:
    """How a question says that it follows the one before: ("narrow", "swap" or None, the
    number of words that said it, whether they pointed at the answer: "those from 2020")."""
    follows, i = None, 0
    if n := _longest_of(words, 0, SWAPPING):
        follows, i = "swap", n
    elif n := _longest_of(words, 0, NARROWING):
        follows, i = "narrow", n
    if n := _longest_of(words, i, THESE):
        return follows or "narrow", i + n, True
    if follows is None and len(words) > 1 and words[-1] == "instead":
        follows = "swap"  # "dogs instead"
    return follows, i, False


def _drop_asking(words: Words, draft: Draft, holdings: Holdings | None = None, i: int = 0) -> int:
    w = words.words
    # "a dozen umbrellas pls": a request, so a count at the front is what is asked
    draft.asked = draft.asked or words.polite or "please" in w
    while i < len(w):
        word = w[i]
        if words.kept[i] or read_fact(w, words.originals, i, holdings) or _negation_at(w, i) > 1:
            break  # "with flash", "picks" (not a typo of "pics"), "anything but ...": a phrase begins
        if word in ("every", "each") and i + 1 < len(w) and \
                (w[i + 1] in GROUP_UNITS or holiday_of(w[i + 1]) or w[i + 1] in SEASON_WORDS):
            break  # "one picture from every year", "every christmas", "every winter": a phrase begins
        asked = _unit_asked_about(w, i)
        if asked is not None:  # "which camera did i use most", "how many cams have i used": by that unit
            draft.group_by, i = asked
            while i < len(w) and w[i] in USE_ASKED:
                i += 1
            continue
        if word in EVERY_WORDS:
            draft.mode = "all"
            draft.every = draft.every or word not in ("any", "anything")
        elif word == "best" and not (i + 1 < len(w) and dates.is_count(w[i + 1])):
            draft.rank = "keeper"  # "best umbrellas in fog"; "best 10 ..." is a phrase
            if w[i + 1:i + 2] and w[i + 1] in ONE_PICTURE:
                draft.limit = 1  # "the best photo of the waterfall"
        elif word in ("a", "an") and i + 1 < len(w) and w[i + 1] in PICTURE_NOUNS:
            pass  # "a photo of a dog"
        elif word in HEDGES and i + 1 < len(w) and dates.is_count(w[i + 1]) and \
                _front_count(w, i + 1, True) is not None and not _date_begins(words, i + 1):
            draft.asked = True  # "like 15 sunsets", "about 20 foggy mornings": the count is what is asked
        elif (taken := _front_count(w, i, draft.asked) or (
                (dates.count_of(word), i + 1) if _count_alone(words, i, draft) else None)) is not None:
            if taken[0] < 1:  # "10 beach photos", "a dozen sunsets"; alone: "show me three", "just one."
                raise ImpossibleQuestion(f"a count of {taken[0]} shows no photo: ask for 1 or more")
            draft.limit, i = taken
            continue
        elif (j := _count_or_things(words, i, draft)) is not None:  # "a dozen doorways"
            i = j
            continue
        elif not (_is_asking(word, i) or draft.asks_how and word in HOW_AUXILIARIES or
                  i and w[i - 1] in ASKING_AFTER.get(word, ())) or _date_begins(words, i):
            break  # "up to 2017": an asking word that begins a date
        draft.asks_how = draft.asks_how or word == "how"
        draft.asked = draft.asked or word in ASKING_VERBS
        i += 1
    while i < len(w) and w[i] in AUXILIARIES:  # "where a person is ..." keeps "a person"
        i += 1
    return i


def _unit_asked_about(w: list[str], i: int) -> tuple[str, int] | None:
    """(the unit, the word after it) in "which camera", "what lenses", "how many cities", "what
    hour of the day" at word i: a question about a kind of thing the catalog keeps is answered
    side by side by it; a unit of time only when asked of the most ("what year was it" is not)."""
    n = 2 if w[i:i + 2] == ["how", "many"] else 1 if w[i] in ("which", "what", "whats") else 0
    unit = i + n
    if n and w[i] != "how":  # "what's my most shot weekday", "which is my favourite lens"
        while unit < len(w) - 1 and w[unit] in UNIT_ASKED_BEFORE:
            unit += 1
    said = 3 if w[unit:unit + 3] == ["time", "of", "day"] else 1  # "what time of day do i shoot most"
    if not n or unit >= len(w) or (kind := GROUP_UNITS.get(" ".join(w[unit:unit + said]))) is None:
        return None
    after = unit + said + 3 * (tuple(w[unit + 1:unit + 4]) == OF_THE.get(w[unit]))
    asked = after == len(w) or w[after] in AUXILIARIES_ASKING
    if kind in ("year", "month", "hour"):  # "how many hours", "what city lights": no grouping asked
        asked = after < len(w) and w[after] in AUXILIARIES_ASKING and bool({"most", "more", "often"} & set(w[after:]))
    return (kind, after) if asked else None


AUXILIARIES_ASKING = {"did", "do", "does", "have", "has", "had", "is", "was", "are", "were"}
OF_THE = {"hour": ("of", "the", "day"), "month": ("of", "the", "year"), "day": ("of", "the", "week")}
UNIT_ASKED_BEFORE = {"is", "was", "are", "my", "our", "the", "most", "least", "often", "shot", "used", "photographed",
                     "favourite", "favorite", "common", "usual", "frequent", "popular"}
USE_ASKED = AUXILIARIES_ASKING | {"i", "we", "use", "used", "shoot", "shot", "the", "most", "often", "mostly"}


def _is_asking(word: str, position: int) -> bool:
    if word in ASKING or word in PICTURE_NOUNS or word in CONNECTORS:
        return True
    # typos in the asking words ("shwo", "fnid", "photgraphs"), at the front only
    pool = ASKING | PICTURE_NOUNS if position == 0 else PICTURE_NOUNS
    return any(_typo_of(word, known) for known in pool if len(known) >= 4)


def _typo_of(word: str, known: str) -> bool:
    """Two letters swapped, or one letter missing or extra. A different letter is a
    different word ("last" is not "list")."""
    if len(word) == len(known):
        diff = [i for i, (a, b) in enumerate(zip(word, known, strict=True)) if a != b]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == known[diff[1]] \
            and word[diff[1]] == known[diff[0]]
    if abs(len(word) - len(known)) != 1 or min(len(word), len(known)) < 4:
        return False
    short, long_ = sorted((word, known), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _front_count(words: list[str], i: int, asked: bool) -> tuple[int, int] | None:
    """(count, next index) for a count at the front of a question: "10 beach photos", "two dozen
    wildflower shots", "half a dozen pics", "a few foggy mornings", "a couple of sunsets", and
    after an asking verb any count ("show me 5 foggy bridges"). Other counts need a picture noun
    within three words ("3 dogs", "a dozen roses" are what the picture shows); later in a
    question, "a couple of friends" is who is in it."""
    if words[i - 1:i] == ["of"]:
        return None
    if words[i:i + 3] == ["half", "a", "dozen"]:
        count, j = 6, i + 3
    elif words[i] == "a" and words[i + 1:i + 2] and words[i + 1] in COLLECTIVES:
        count, j = dates.count_of(words[i + 1]), i + 2
    elif dates.is_count(words[i]) and words[i] not in COLLECTIVES:
        count, j = dates.count_of(words[i]), i + 1
        if words[j:j + 1] == ["dozen"]:
            count, j = count * 12, j + 1
    else:
        return None
    if words[j:j + 2] == ["or", "so"]:
        j += 2
    elif words[j:j + 1] in (["or"], ["to"]) and words[j + 1:j + 2] and dates.is_count(words[j + 1]) and \
            words[j + 1] not in COLLECTIVES and not re.fullmatch(r"(19|20)\d\d", words[j + 1]):
        count, j = max(count, dates.count_of(words[j + 1])), j + 2  # "2 or 3 good pigeon shots": up to 3
    if words[j:j + 1] == ["of"]:
        if words[i] == "a" and words[j + 1:j + 2] and words[j + 1] not in PICTURE_NOUNS:
            return count, j + 1  # "a couple of sunsets"
        return None  # "a couple of photos of the bay", "20 of them": phrases of the grammar
    if re.fullmatch(r"(19|20)\d\d", words[i]):
        return None  # "my 2019 photos": a year
    if words[i:i + 2] == ["a", "few"] or any(w in PICTURE_NOUNS or w in PHOTO_KINDS or w in SHAPED_PHOTOS
                                             for w in words[j:j + 3]):
        return count, j  # "10 beach photos", "20 vertical portraits", "20 verticals"
    if asked and j < len(words) and 0 < count <= 1000 and not _unit_at(words, j):
        return count, j  # "show me 5 foggy bridges"
    return None  # "a dozen roses in a vase", "a couple dancing": what the picture shows


UNITS_AFTER_A_NUMBER = vocabulary.terms("units.span") | vocabulary.terms("measure.stars") | {"mm"}


def _unit_at(words: list[str], j: int) -> bool:
    return words[j] in UNITS_AFTER_A_NUMBER


def _things_after(words: list[str], j: int) -> str | None:
    """The plural noun within three words of j that a count at the front counts ("a hundred
    street portraits"), if one is: none after a unit ("10 years of ...", "5 stars")."""
    if j >= len(words) or _unit_at(words, j):
        return None
    for word in words[j:j + 3]:
        if re.fullmatch(r"[a-z\-]{2,}[^su]s", word) and word not in CONNECTORS:
            return word
    return None


def _count_or_things(words: Words, i: int, draft: Draft) -> int | None:
    """A count at the front that no picture noun or asking verb makes a count: a large one
    before things is how many photos are asked ("a dozen doorways", "a hundred street
    portraits"), the things offered as what the picture shows; a small one is what it shows
    ("3 dogs on a bench"), the count offered. The index after the count, when it is taken."""
    w = words.words
    if i and w[i - 1] == "the":
        return None  # "the 10 commandments", "the 7 train": a name
    if w[i:i + 3] == ["half", "a", "dozen"]:
        count, j = 6, i + 3  # "half a dozen doorways"
    elif w[i] == "a" and w[i + 1:i + 2] and (w[i + 1] == "dozen" or w[i + 1] in ("100", "1000")):
        count, j = dates.count_of(w[i + 1]), i + 2  # "a dozen", "a hundred" (written "a 100" by now)
    elif dates.is_count(w[i]) and w[i] not in COLLECTIVES and not re.fullmatch(r"(19|20)\d\d", w[i]):
        count, j = dates.count_of(w[i]), i + 1
    else:
        return None
    things = _things_after(w, j)
    if things is None or count is None or not 1 < count <= 1000:
        return None  # "10 years of rain", "1 dog"
    said = " ".join(words.originals[i:j])
    if count in LARGE_COUNT and things not in BY_THE_DOZEN:
        draft.others.append(OtherReading(f"{said} {things} in one picture, not {said} photos",
                                         _rewritten(words, i, j, f'"{said}"')))
        draft.limit = count
        return j
    draft.others.append(OtherReading(f"the best {count} photos of {things}, not {said} {things} in one picture",
                                     f"show me {' '.join(words.originals[i:])}"))
    return None


# -- places named without a preposition ------------------------------------------------

def _bare_place(words: Words, i: int, draft: Draft, ctx: Context, holdings, start: int) -> int:
    """A well-known place named without a preposition ("Berlin photos", "rome fountains", "new
    york subway"), or several ("Kyoto or Nara temples"): taken when written as a name inside the
    question, or when its words are no everyday English ("nice", "reading", "split", "turkey" stay
    words unless written "in Nice")."""
    if _on_clothes(words, i):
        return 0
    if draft.near is not None:  # "hk neon signs, mong kok": a part of the place named
        part = _part_named(words, i, draft.near, ctx, start)
        return _place_taken(words, i, i + part[1], Near(part[0]), draft, ctx, start) if part else 0
    found = [_bare_name(words, i, ctx, start, holdings=holdings) or _first_listed(words, i, ctx, start)]
    misspelt = False
    if found[0] is None:
        found = [_offer_place(words, i, draft, ctx, holdings)]
        if found[0] is None:
            found, misspelt = [_misspelt_name(words, i, ctx)], True
            if found[0] is None:
                return 0
    end = i + found[0][1]
    if _larger_after(words, end, found[0][0], ctx, start):  # "williamsburg brooklyn", "chinatown, philly"
        return _place_taken(words, i, end, Near(found[0][0]), draft, ctx, start)
    found, end = _listed(words, end, found, draft, ctx, start)
    found = _listed_together(words, i, found, draft, ctx)
    place = replace(found[0][0], either=(*found[0][0].either, *(p for p, _ in found[1:])))
    said = " ".join(words.originals[i:end])
    note = f"read '{said}' as {'places' if len(found) > 1 else 'a place'}, not as words of the picture"
    if misspelt:  # one note, which a place named later takes back with the rest
        note = f"read '{said}' as {place.label}: no place is called '{said}'"
    draft.notes.append(note)
    at = i
    readings = []
    for one, length in found:
        readings += others(" ".join(words.words[at:at + length]), one, ctx.places)
        at += length + 1
    draft.add(Near(place, tuple(readings)), i, _said(words, i, end))
    draft.bare_near = (len(draft.text), _said(words, i, end), note)
    if not _written_as_name(words, i, end, ctx, start):
        draft.others.append(OtherReading(f"'{said}' as words of the picture, not a place",
                                         _rewritten(words, i, end, f'"{said}"')))
    return end - i


def _on_clothes(words: Words, i: int) -> bool:
    """ "guys in patagonia fleeces": a name after "in" that goes on to what someone wears."""
    before = words.words[max(0, i - 2):i]
    if before[-1:] != ["in"] and before not in (["in", "a"], ["in", "an"], ["in", "the"]):
        return False
    return worn(words.clause_from(i + 1))


def _listed(words: Words, end: int, found: list, draft: Draft, ctx: Context, start: int):
    """More places after one, joined by "or", "and", "vs" or a comma ("tokyo, kyoto and osaka"):
    (every place with its length in words, where the list ends). After a comma a name needs the
    evidence any bare name needs ("paris, nice light" is Paris)."""
    while end < len(words):
        joined = words.words[end] in ("or", "and", "&", "+", "plus") or words.words[end] in VERSUS
        # "london and then edinburgh", "red hook and also dumbo"
        step = 2 if joined and words.words[end + 1:end + 2] in (["then"], ["also"]) else 1
        if joined and end + step < len(words) and \
                (more := _bare_name(words, end + step, ctx, start, after_a_place=True)):
            if words.words[end] in VERSUS:  # "hanoi vs saigon": side by side
                draft.group_by = draft.group_by or "place"
            found.append(more)
            end += step + more[1]
        elif words.ends[end - 1] and \
                (more := _bare_name(words, end, ctx, start) or _closed_list(words, end, ctx, start)) and \
                not names_a_part(found[-1][0], more[0]) and not names_a_part(more[0], found[-1][0]):
            found.append(more)
            end += more[1]
        else:
            break
    return found, end


def _first_listed(words: Words, i: int, ctx: Context, start: int) -> tuple[Place, int] | None:
    """The first of places listed with commas, "or" or "and", when a later one is a place by
    itself ("venice, split or dubrovnik"): the list is the evidence for the names that are also
    words or other towns."""
    first = _bare_name(words, i, ctx, start, after_a_place=True)
    k = i + first[1] if first else i
    while first and k < len(words):
        joined = words.words[k] in ("or", "and")
        if not (joined or words.ends[k - 1]):
            return None
        at = k + 1 if joined else k
        if at < len(words) and _bare_name(words, at, ctx, start):
            return first
        more = at < len(words) and _bare_name(words, at, ctx, start, after_a_place=True)
        if not more:
            return None
        k = at + more[1]
    return None


def _closed_list(words: Words, i: int, ctx: Context, start: int) -> tuple[Place, int] | None:
    """A place after a comma in a list that "or" or "and" closes with another place ("lisbon, porto
    or genoa"): the list is the evidence that a name which is also a word is the place."""
    more = _bare_name(words, i, ctx, start, after_a_place=True)
    k = i + more[1] if more else i
    if more and k + 1 < len(words) and words.words[k] in ("or", "and") and \
            _bare_name(words, k + 1, ctx, start, after_a_place=True):
        return more
    return None


def _part_named(words: Words, i: int, larger: Place, ctx: Context, start: int) -> tuple[Place, int] | None:
    """A district or town named bare at word i that lies in the place already named ("hk neon
    signs, mong kok", "nyc, chinatown at night"): lying there is the evidence, unless its name is
    one everyday word written small ("nyc market").
    """
    w = words.words
    if w[i] in BARE_PLACE_NEVER or holiday_of(w[i]) or _a_pronoun(words, i):
        return None
    for j in range(min(len(w), i + 3), i, -1):
        name = " ".join(w[i:j])
        if not words.free(i, j) or not plausible_name(name) or any(x in BARE_PLACE_NEVER or not x.isalpha()
                                                                   for x in w[i:j]) or \
                j < len(w) and w[j] in LANDMARK_WORDS:
            continue
        if j - i == 1 and english.everyday(name) and not _written_as_name(words, i, j, ctx, start):
            continue
        place = ctx.places(name, sure=None)
        if place is not None and not lies_in(place, larger):  # "nyc, chinatown": New York's, not the likeliest
            place = ctx.places(f"{name} {larger.label}", sure=None)
        if place is not None and is_district(place) and names_a_part(place, larger) and lies_in(place, larger):
            return place, j - i  # a city in a country named before is a story: "georgia, grandpa went to tbilisi"
    return None


def _larger_after(words: Words, j: int, place: Place, ctx: Context, start: int) -> tuple[Place, int] | None:
    """The larger place named right after a place, that says which one it is or where it lies
    ("williamsburg brooklyn", "shinjuku, tokyo", "chinatown philly"), and its length in words."""
    if j >= len(words) or place.either:
        return None
    found = _bare_name(words, j, ctx, start, after_a_place=True)  # "new hope pa": "pa" is a state here
    return found if found is not None and names_a_part(place, found[0]) else None


def _place_taken(words: Words, i: int, j: int, near: Near, draft: Draft, ctx: Context, start: int) -> int:
    """Take the place read at words i..j-1, with what is said beside it: the larger place after it
    ("williamsburg, brooklyn") or before it ("nyc ... in soho") says which place of the name is
    meant; where none of the name lies in it, the larger place is searched and the name stays
    words of the picture, said ("chinatown philly": Philadelphia's is none the atlas knows).
    Several places in a list are any of them. Returns the words taken."""
    larger, n = (_larger_after(words, j, near.place, ctx, start) or (None, 0)) if not near.place.either else (None, 0)
    if larger is None and draft.near is not None and is_district(near.place) and names_a_part(near.place, draft.near):
        larger = draft.near  # named before: "hk neon signs, mong kok", "nyc street photos in soho"
    if larger is None:
        found, end = _listed(words, j, [(near.place, j - i)], draft, ctx, start)
        place = replace(near.place, either=(*near.place.either, *(p for p, _ in found[1:])))
        draft.add(Near(place, near.readings), i, _said(words, i, end))
        return end - i
    name = " ".join(w for w in words.words[i:j] if w not in NAME_LEADS)
    if not lies_in(near.place, larger):
        joint = ctx.places(f"{name} {' '.join(words.words[j:j + n]) if n else larger.label}", sure=None)
        if joint is None or not lies_in(joint, larger):
            draft.text += _said(words, i, j)
            draft.notes.append(f"no place called '{name}' is known in {larger.label}: it stays words of the picture")
            draft.others.append(OtherReading(f"'{name}' as {near.place.label}, not in {larger.label}",
                                             _rewritten(words, i, j + n, f"in {near.place.label}")))
            if n:
                draft.add(Near(larger), j, _said(words, j, j + n))
            return j + n - i
        near = Near(joint)
    if larger is draft.near:
        draft.bare_near = None  # narrowed, not replaced: the larger place's words stay taken
        draft.notes.append(f"read '{name}' as {near.place.label}, in {larger.label}")
    draft.add(Near(near.place), i, _said(words, i, j + n))  # the larger place says which: no other reading
    return j + n - i


NAME_LEADS = {"in", "at", "near", "around", "from", "of", "on", "the"}  # what comes before a place's name


def _a_pronoun(words: Words, i: int) -> bool:
    """ "just us on zoom": a word written small that names a place only after "the" ("the us")."""
    return words.originals[i] in LOWER_CASE_NEVER_BARE and not (i and words.words[i - 1] == "the")


def _bare_name(words: Words, i: int, ctx: Context, start: int, after_a_place: bool = False,
               holdings: Holdings | None = None) -> tuple[Place, int] | None:
    """The place whose name begins at word i, and how many words it takes: a well-known one,
    or a town or district whose name no dictionary keeps as a word ("lerwick", "trastevere");
    after another place and "or" or "and", any ("lisbon or porto")."""
    w = words.words
    if w[i] in BARE_PLACE_NEVER or holiday_of(w[i]) or _a_pronoun(words, i):
        return None
    for j in range(min(len(w), i + 3), i, -1):
        name = " ".join(w[i:j])
        if not words.free(i, j) or not plausible_name(name) or any(x in BARE_PLACE_NEVER or x.isdigit() or
                                                                   not any(c.isalpha() for c in x) for x in w[i:j]):
            continue  # "tokyo +" is Tokyo and a joiner
        if i and w[i - 1] == "the" and w[j:j + 1] and w[j] in FAMILY_EVENTS and \
                not ((great := ctx.places(name, sure=False)) and great.radius_m >= GREAT_CITY_RADIUS_M):
            continue  # "the henderson wedding": a family's, not Henderson, Nevada ("the paris wedding" is Paris)
        if j < len(w) and w[j] in LANDMARK_WORDS and not (
                j - i > 1 and (qualified := ctx.places(name, sure=False)) and ", " in qualified.label) and not (
                w[j] in AREA_FEATURES and (area := ctx.places(name, sure=False)) and area.area is not None
                and not ctx.places(f"{name} {w[j]}", sure=None)) and not city_and_what_lies_in_it(ctx.places, name, w[j:j + 2]):
            continue  # "venice beach", "union square": a landmark only a map knows; "portland maine lighthouse",
            # "the maine coast", "patagonia mountains" (a country or region, and what lies in it), "reykjavik
            # harbour" (a well-known city, and what lies in it) not
        if name in NAME_PARTICLES and j < len(w) and w[j].isalpha() and not english.known(w[j]):
            continue  # "la boca": a name in another language, not Los Angeles
        place = ctx.places(name, sure=None if after_a_place else False)  # in a list of places, a town too
        if after_a_place and place is not None and not called(place, name):
            place = None
        if i and w[i - 1] == "the" and not (j < len(w) and english.ordinary(w[j]) and w[j] not in NOT_IN_NAMES) \
                and (place := place or ctx.places(name, sure=None)) and not takes_the(place):
            return None  # "the metro at night": a thing, not Metro, Indonesia; "the tokyo subway" is Tokyo's
        if place is not None and (after_a_place or
                                  _bare_name_is_place(name, place, _written_as_name(words, i, j, ctx, start)) or
                                  holdings is not None and name not in EVERYDAY_PLACE_WORDS and
                                  (holdings.photos_near(place) or 0) > 0):  # "bath" where the archive has been
            return place, j - i
        cut_off = any(0 <= k < len(w) and (w[k] in NAME_PARTICLES or w[k].isalpha() and not english.known(w[k])
                                           and not holiday_of(w[k])) for k in (i - 1, j))
        # "torres del paine", "promenade des anglais": part of a longer name
        named = not cut_off and (_a_name(name) or _part_a_name(name)) and ctx.places(name, sure=None)
        if named and (", " in named.label or _a_name(name) and not any(english.known(w) for w in name.split())):
            return named, j - i  # "trastevere after dark", "lerwick", "mong kok markets" (a district: "X, City")
    return None


def _listed_together(words: Words, i: int, found: list[tuple[Place, int]], draft: Draft,
                     ctx: Context) -> list[tuple[Place, int]]:
    """Places listed together lie in one country where their names allow: "cambridge and boston"
    are both Massachusetts's. The country most of them can share is taken (between two that as
    many can share, the one whose chosen place is the largest), and a name read elsewhere moves
    into it."""
    if len(found) < 2:
        return found
    at, names, options = i, [], []
    for one, length in found:
        names.append(" ".join(words.words[at:at + length]))
        options.append([one, *(o for r in others(names[-1], one, ctx.places) for o in r.others)])
        at += length + 1
    shared = Counter(c for choice in options for c in {o.country_code for o in choice} - {None})
    country = max(shared, key=lambda c: (shared[c], max((p.radius_m for p, _ in found if p.country_code == c),
                                                        default=0)), default=None)
    if country is None or shared[country] < 2:
        return found
    out = list(found)
    for k, (one, length) in enumerate(found):
        better = next((o for o in options[k] if o.country_code == country), None)
        if one.country_code != country and better is not None:
            out[k] = (better, length)
            draft.notes.append(f"read '{names[k]}' as {better.label}, in the country of the places named with it")
    return out


def _misspelt_name(words: Words, i: int, ctx: Context) -> tuple[Place, int] | None:
    """A well-known place misspelt, beginning at word i ("veince gondolas", "new orelans jazz"):
    no place has the name as typed, no dictionary keeps it, and one well-known place is a letter
    off. Said in the notes; the words as typed are offered too."""
    w = words.words
    if w[i] in BARE_PLACE_NEVER or holiday_of(w[i]) or _a_pronoun(words, i):
        return None
    for j in range(min(len(w), i + 2), i, -1):
        name = " ".join(w[i:j])
        if not words.free(i, j) or any(x in BARE_PLACE_NEVER for x in w[i:j]) or ctx.places(name, sure=None):
            continue
        if (place := misspelt_place(name, ctx.places)) is not None:
            return place, j - i
    return None


def _part_a_name(name: str) -> bool:
    """Words of which one, not the first, is no English word: "mong kok", "san telmo"."""
    said = name.split()
    return len(said) > 1 and any(w.isalpha() and not english.known(w) for w in said[1:])


def _a_name(name: str) -> bool:
    """Whether words are a name rather than words: none of them is everyday English, and none is
    a name mostly used as a word ("jordan", "florence")."""
    return not any(english.ordinary(w) or w in EVERYDAY_PLACE_WORDS for w in name.split())


def _offer_place(words: Words, i: int, draft: Draft, ctx: Context, holdings) -> tuple[Place, int] | None:
    """A name read as words that is also a place ("venice canals", "porto bridges"): taken where
    the archive holds photos there and the name is no everyday word; else the place is offered
    as the other reading, never taken without evidence."""
    w = words.words
    if w[i] in BARE_PLACE_NEVER or w[i] in GENERIC_AREAS or holiday_of(w[i]) or not w[i].isalpha() or \
            _a_pronoun(words, i):
        return None
    for j in range(min(len(w), i + 3), i, -1):
        name = " ".join(w[i:j])
        if not words.free(i, j) or not plausible_name(name) or any(x in BARE_PLACE_NEVER or not x.isalpha()
                                                                   for x in w[i:j]):
            continue
        if j < len(w) and w[j] in LANDMARK_WORDS or i and w[i - 1] in FEATURE_WORDS:
            continue  # "the fuji bridge", "mount fuji": a landmark's name
        cut_off = any(0 <= k < len(w) and (w[k] in NAME_PARTICLES or w[k].isalpha() and not english.known(w[k]))
                      for k in (i - 1, j))
        place = None if cut_off else ctx.places(name, sure=None)
        if place is None or is_everyday_word(name) and ctx.places(name, sure=False) is None:
            continue  # "bath toys" is no question about Bath
        held = holdings.photos_near(place) if holdings is not None else None
        if holdings is not None and not held:  # "germantown": another town of the name, where the archive has been
            other, most = max(((other, holdings.photos_near(other) or 0) for reading in others(name, place, ctx.places)
                               for other in reading.others), key=lambda found: found[1], default=(place, 0))
            place, held = (other, most) if most else (place, held)
        if held and not english.ordinary(name.split()[-1]):
            draft.notes.append(f"'{' '.join(words.originals[i:j])}' read as {place.label}: the archive holds "
                               f"{held:,} photos there")
            return place, j - i  # the archive's own photos are the evidence
        if place.country_code and place.country_code in ctx.calendars and ctx.calendars[-1] != ctx.country:
            draft.notes.append(f"'{' '.join(words.originals[i:j])}' read as {place.label}: the holiday named "
                               f"is kept there ({place.country_code} calendar)")
            return place, j - i  # "rosenmontag parade cologne": the festival's country is the evidence
        said = " ".join(words.originals[i:j])
        # "in times square", "photos of skye": the preposition said gives way to "in"
        before = i - 1 if i and words.words[i - 1] in ("in", "at", "near", "around", "of") else i
        question = " ".join([*words.originals[:before], *words.originals[j:], "in", place.label])
        draft.others.append(OtherReading(f"'{said}' as the place {place.label}", question))
        return None
    return None


def _bare_name_is_place(name: str, place: Place, written_as_name: bool) -> bool:
    """Whether a name said without a preposition is the place: written as a name, or words no
    dictionary keeps in lower case; an everyday word ("nice", "split", "turkey") only when it is
    a great city ("berlin") or a country ("japan"), and never one of the names that are mostly
    words ("china", "jordan")."""
    if written_as_name or len(name.split()) > 1 or not is_everyday_word(name):
        return True
    if name in EVERYDAY_PLACE_WORDS:
        return False
    country = place.area is not None and "/" not in place.area
    return country or place.area is None and place.radius_m >= GREAT_CITY_RADIUS_M


def _written_as_name(words: Words, i: int, j: int, ctx: Context, start: int) -> bool:
    first = words.originals[i]
    return i > start and ctx.case_speaks and first[:1].isupper() and not first.isupper()


def _rewritten(words: Words, i: int, j: int, instead: str) -> str:
    """The question with words i..j-1 written otherwise: how to ask for another reading."""
    return " ".join([*words.originals[:i], instead, *words.originals[j:]])


# -- the plan -------------------------------------------------------------------------

def _clean_text(words: list[str]) -> str:
    words = [w for w in words if w not in PICTURE_NOUNS and w not in STEERING]
    while words and (words[0] in CONNECTORS or words[0] in AUXILIARIES or words[0] in ("and", "or")):
        words = words[1:]
    while words and words[-1] in CONNECTORS | MAKING_VERBS | {"and", "or", "in", "at", "on", "i", "we"}:
        words = words[:-1]
    if all(w in ("my", "our", "the", "a", "an", "all", "of") for w in words):
        words = []  # "break down my 2023 photos by place": nothing left to see
    return " ".join(words)


def _finish(draft: Draft, previous: QueryPlan | None, date_order: str = "MDY") -> QueryPlan:
    unread = [k for k, w in enumerate(draft.text) if w in UNREAD_ALONE or w in MONTH_WORDS]
    # inside the words of a picture ("june bug on a leaf", "her sunday best") a time word is a word;
    # at the end or alone ("snow january", "trains before") it is a date no phrase could read
    dropped = [k for k in unread if (k == len(draft.text) - 1 or draft.text[k] in UNREAD_ALWAYS) and
               not (k and f"{draft.text[k - 1]} {draft.text[k]}" in WEEKDAY_IDIOMS)]  # "throwback thursday"
    if dropped:  # said, and kept from CLIP
        draft.notes.append(f"not understood: {', '.join(draft.text[k] for k in dropped)} (dates are read as in "
                           "'14 February 2021', 'last Tuesday', 'since 2019')")
    if kept := [draft.text[k] for k in unread if k not in dropped]:
        draft.notes.append(f"read as words of the picture, not as dates: {', '.join(kept)}")
    _take_maybe_dates(draft)
    draft.text = [w for k, w in enumerate(draft.text) if k not in dropped]
    _narrow_every(draft)
    _days_of_the_month(draft, date_order)
    _days_of_the_week(draft)
    _clock_within_daytime(draft)
    _versus(draft)
    if draft.group_by:  # "break down my 2023 photos by place": the verb said apart from "by"; "side by side"
        draft.text = _without_phrases(draft.text, (*GROUPING_VERBS, ("side", "by", "side")))
    if draft.asks_how and CHANGE_WORDS & set(draft.text):  # "how did my street photography change"
        draft.text = [w for w in draft.text if w not in CHANGE_WORDS | {"has", "have", "did", "do"}]
        draft.group_by = draft.group_by or "year"
    if draft.near is not None or draft.date_ranges or draft.every_dates:  # "the havana trip": a place and its days
        draft.text = [w for k, w in enumerate(draft.text) if w not in TRAVEL_WORDS and
                      not (k and draft.text[k - 1] in TRAVEL_WORDS and w in ("to", "in", "through"))]
    text = _clean_text(draft.text)
    if draft.follows and text and set(text.split()) <= GOOD | {"the", "ones", "only"}:
        text, draft.rank = "", "keeper"  # "only the good ones": the keeper's best of them
    motifs = draft.group_by == "motif"
    if motifs and text in GENERIC_MOTIF_WORDS:
        text = ""
    result = QueryPlan(
        text=text,
        negative_text=" ".join(draft.negative),
        date_ranges=tuple((a.isoformat(), b.isoformat()) for a, b in draft.date_ranges),
        exclude_date_ranges=tuple((a.isoformat(), b.isoformat()) for a, b in draft.excluded_dates),
        weekdays=tuple(sorted(draft.weekdays)),
        near=draft.near,
        exclude_near=draft.exclude_near,
        similar_to=draft.similar_to,
        echoes_of=draft.echoes_of,
        # nothing to rank by: every match, unless a count was said ("10 photos from Lund": the first 10)
        mode=draft.mode or ("all" if not (text or draft.similar_to or draft.echoes_of or motifs or draft.limit)
                            else "top_k"),
        limit=draft.limit,
        group_by=draft.group_by,
        span_years=draft.span_years,
        rank=draft.rank or "similarity",
        readings=tuple(draft.readings),
        facts=tuple(draft.facts),
        order=draft.order,
        other_readings=tuple(dict.fromkeys(draft.others)),
    )
    if previous is not None and text == "more":  # "show more": the next page
        result = replace(previous, limit=previous.count + DEFAULT_LIMIT)
    elif previous is not None and not draft.fresh and (draft.follows or not result.needs_vector):
        result = _follow_up(result, previous, draft)
    # the other readings of names still in the plan: "in rome" after "dogs in athens" drops Athens's
    readings = tuple(r for r in dict.fromkeys(result.readings + (previous.readings if previous else ()))
                     if any(r.means(p) for p in result.places))
    return replace(result, notes=tuple(_notes(result, draft)), readings=readings)


def _take_maybe_dates(draft: Draft) -> None:
    """A holiday said as a word ("halloween costumes last year") is a date beside another date;
    alone, it stays what the picture shows, and the plan offers the date."""
    for at, length, phrase in reversed(draft.maybe_dates):
        if draft.date_ranges and not _overlaps(list(phrase.ranges), draft.date_ranges):
            continue  # "carnival costumes during the Notting Hill Carnival of 2019": no day of both, words
        if draft.date_ranges or draft.every_dates:
            del draft.text[at:at + length]
            draft.every_dates.extend(phrase.ranges)
            draft.date_notes.insert(0, phrase.note)
        else:
            said = " ".join(draft.text[at:at + length])
            draft.others.append(OtherReading(f"'{said}' as the days of {phrase.holiday}, not as words",
                                             f"photos on {said}"))


def _narrow_every(draft: Draft) -> None:
    """Every January, winter or Christmas, within the other dates named ("Halloween last year",
    "summers in the 2010s"), or every one of them when no other date is named; and a date left
    out likewise ("2023 except July" leaves out July 2023)."""
    if draft.every_dates:
        if not draft.date_ranges:
            draft.date_ranges = draft.every_dates
        else:
            # a holiday is of the year it begins in: "hanukkah last year" is not the end of the one before
            begun = [r for r in draft.every_dates
                     if draft.holidays and any(a <= r[0] <= b for a, b in draft.date_ranges)]
            both = _overlaps(begun or draft.every_dates, draft.date_ranges)
            if not both:
                raise ImpossibleQuestion(f"no day is both {' and '.join(draft.date_notes)}")
            draft.date_ranges = both
            # one line: "on Lunar New Year (CN calendar), 2023: 2023-01-22"
            draft.date_notes = [", ".join(_once(note) for note in draft.date_notes) + ": " + (
                ", ".join(dates.describe(r) for r in both) if len(both) <= 3 else f"{len(both)} spans")]
    if draft.excluded_every and draft.date_ranges:  # "2023 except July": July 2023
        narrowed = _overlaps(draft.excluded_every, draft.date_ranges)
        draft.excluded_dates += narrowed
        draft.excluded_notes = [", ".join(dates.describe(r) for r in narrowed) if len(narrowed) <= 3
                                else f"{len(narrowed)} spans"] if narrowed else []
    else:
        draft.excluded_dates += draft.excluded_every


ORDINAL_DAY = re.compile(r"(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)")
SLASHED_DAY = re.compile(r"(\d{1,2})/(\d{1,2})")
DAYS_JOINED = {"and": False, "&": False, "to": True, "through": True, "thru": True, "till": True, "until": True,
               "-": True, "–": True}  # True: every day between


def _days_of_the_month(draft: Draft, date_order: str) -> None:
    """ "sept 2021, the 25th and 26th", "the nov 2022 trip, 11/12 through 11/20": days said apart
    from the one month or year named are those days of it, not words of the picture ("11/12"
    read in the `date_order` setting's order)."""
    if len(draft.date_ranges) != 1 or draft.every_dates:
        return
    (a, b), text = draft.date_ranges[0], draft.text
    month = a.day == 1 and (b + timedelta(days=1)).day == 1 and (a.year, a.month) == (b.year, b.month)
    if not month and (a, b) != (date(a.year, 1, 1), date(a.year, 12, 31)):
        return

    def day(word: str) -> date | None:
        ordinal, slashed = ORDINAL_DAY.fullmatch(word), SLASHED_DAY.fullmatch(word)
        try:
            if ordinal and month:
                found = date(a.year, a.month, int(ordinal.group(1)))
            elif slashed:
                m, d = map(int, slashed.groups())
                found = date(a.year, *((m, d) if date_order == "MDY" else (d, m)))
            else:
                return None
        except ValueError:  # "the 31st" of a month of 30 days, "13/40"
            return None
        return found if a <= found <= b else None

    for k, word in enumerate(text):
        first = day(word)
        if first is None or k + 1 < len(text) and text[k + 1] not in DAYS_JOINED:
            continue  # "may 2023, 5th ave": a street; "the 4th floor"
        start, end, days = k - (k > 0 and text[k - 1] == "the"), k + 1, [(first, first)]
        n = k + 2 + (k + 2 < len(text) and text[k + 2] == "the")
        second = day(text[n]) if n < len(text) else None  # past the last word: no second day
        if second is not None and second > first:
            every_day = DAYS_JOINED[text[k + 1]] or (second - first).days == 1
            days, end = [(first, second)] if every_day else [(first, first), (second, second)], n + 1
        draft.date_ranges = days
        draft.date_notes = [f"{', '.join(dates.describe(r) for r in days)} (the days said of "
                            f"{dates.describe((a, b))})"]
        draft.text = text[:start] + text[end:]
        return


def _days_of_the_week(draft: Draft) -> None:
    """ "2 weeks ago thursday", "last week, the weekend": within dates of a week or less, the
    days themselves."""
    ranges = draft.date_ranges
    if not draft.weekdays or not ranges or any((b - a).days > 6 for a, b in ranges):
        return
    days = [d for a, b in ranges for d in (a + timedelta(k) for k in range((b - a).days + 1))
            if d.weekday() in draft.weekdays]
    if not days:
        raise ImpossibleQuestion(f"no day of {', '.join(dates.describe(r) for r in ranges)} is on "
                                 f"{dates.weekday_words(tuple(sorted(draft.weekdays)))}")
    draft.date_notes = [f"{'; '.join(draft.date_notes)}, on {dates.weekday_words(tuple(sorted(draft.weekdays)))}: "
                        + ", ".join(d.isoformat() for d in days)]
    spans: list[tuple[date, date]] = []
    for d in days:  # a weekend is one span of two days
        spans[-1:] = [(spans[-1][0], d)] if spans and (d - spans[-1][1]).days == 1 else [*spans[-1:], (d, d)]
    draft.date_ranges, draft.weekdays = spans, set()


def _clock_within_daytime(draft: Draft) -> None:
    """ "in the morning between 7 and 10": the hours said; the morning they lie in says nothing more.
    "mornings before 9": the hours of both, 5:00 to 9:00."""
    hours = [f for f in draft.facts if f.name == "hour" and f.op == "between"]
    if len(hours) != 1 or hours[0].value[0] > hours[0].value[1]:
        return
    first, last = hours[0].value
    for f in draft.facts:
        if f.name == "daytime" and f.value in CLOCK_TIMES and len(clock_hours(f.value)) == 1:
            a, b = clock_hours(f.value)[0]
            if a <= b and max(first, a) <= min(last, b) and not a <= first <= last <= b:
                first, last = max(first, a), min(last, b)
                both = Fact("hour", "between", (first, last), f"{f.label} {hours[0].label} ({first}:00-{last}:59)")
                draft.facts = [both if g is hours[0] else g for g in draft.facts if g is not f]
                break
    draft.facts = [f for f in draft.facts if not (f.name == "daytime" and f.value in CLOCK_TIMES and any(
        a <= first and last <= b if a <= b else first >= a or last <= b  # the night runs past midnight
        for a, b in clock_hours(f.value)))]


def _once(note: str) -> str:
    """A date said for every year, without 'every year': "in winter, every year (40 of them; ...)"."""
    return re.sub(r", every year \(\d+ of them\)", "", re.sub(r", every year \(\d+ of them[,;] ", " (", note))


def _overlaps(every, ranges) -> list[tuple[date, date]]:
    return [(max(a, c), min(b, d)) for a, b in every for c, d in ranges if max(a, c) <= min(b, d)]


GROUPING_VERBS = vocabulary.phrases("grouping.verbs")


def _without_phrases(text: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    out, k = [], 0
    while k < len(text):
        n = _longest_of(text, k, phrases)
        if not n:
            out.append(text[k])
        k += n or 1
    return out


COMPARING = vocabulary.terms("grouping.comparing")  # "compare 2019 and 2024"


def _versus(draft: Draft) -> None:
    """ "street photos 2015 vs 2020", "summer vs winter", "the iphone vs the fuji": the two,
    side by side, grouped by what they are."""
    said = [k for k, w in enumerate(draft.text) if w in VERSUS or w in COMPARING]
    if not said:
        return
    kinds = {kind for _, kind in draft.kinds}
    if "weekday" in kinds and len(draft.weekdays) == 7:  # "weekend vs weekday": side by side, not every day
        draft.weekdays = set()
        draft.text = [w for w in draft.text if w not in VERSUS]
        draft.group_by = draft.group_by or "weekday"
        return
    by = "season" if "season" in kinds else "month" if "month" in kinds else \
        "year" if "year" in kinds and len(draft.date_ranges) > 1 else \
        "camera" if "camera" in kinds else "lens" if {"lens", "focal"} & kinds else "place" if "place" in kinds \
        else "hour" if {"daytime", "hour"} & kinds else None  # "morning vs night": by the hour
    if by is None:
        return
    draft.text = [w for w in draft.text if w not in VERSUS and w not in COMPARING]
    while draft.text and draft.text[0] in ("and", "with", "to", "against", "the"):  # "compare 2019 and 2024"
        draft.text.pop(0)
    draft.group_by = draft.group_by or by


def _follow_up(new: QueryPlan, previous: QueryPlan, draft: Draft) -> QueryPlan:
    """A question without a subject, or one that says it follows, refines the previous one:
    "only 2023", "not in Rome", "just those in black and white" (its words added to the
    subject), "what about dogs" (its words in place of the subject). A count said asks for the
    best N, even after "every match"."""
    text = previous.text
    if new.text:
        text = f"{previous.text}, {new.text}" if draft.follows == "narrow" and previous.text else new.text
    return replace(
        previous,
        text=text,
        refines=True,
        negative_text=new.negative_text or previous.negative_text,
        date_ranges=new.date_ranges or previous.date_ranges,
        exclude_date_ranges=new.exclude_date_ranges or previous.exclude_date_ranges,
        weekdays=new.weekdays or previous.weekdays,
        near=new.near or previous.near,
        exclude_near=new.exclude_near or previous.exclude_near,
        group_by=new.group_by or previous.group_by,
        span_years=new.span_years or previous.span_years,
        limit=new.limit if new.limit is not None else previous.limit,
        mode="top_k" if draft.limit is not None else draft.mode if draft.every else previous.mode,
        rank=new.rank if new.rank != "similarity" else previous.rank,
        order=new.order or previous.order,
        readings=new.readings,
        # "only 5 stars" adds to what the files must say; a fact named again replaces its kind
        facts=tuple(f for f in previous.facts if f.name not in {n.name for n in new.facts} or f.name in SEVERAL)
        + new.facts,
        other_readings=new.other_readings,
    )


def _fact_words(fact: Fact) -> str:
    if fact.name == "either":
        return " or ".join(_fact_words(part) for part in fact.value)
    if fact.name == "not":
        return "not " + " or ".join(_fact_words(part) for part in fact.value)
    if fact.name != "daytime":
        return fact.label
    return f"{fact.label} (by the sun at each photo's place and time; by the clock, {clock_words(fact.value)}, " \
           "where a photo has no position)" if fact.value in SUN_TIMES else f"{fact.label} ({clock_words(fact.value)})"


ORDER_WORDS = {"newest": "newest first", "oldest": "oldest first", "time": "in time order", "score": "by score",
               "random": "in a random order (the same each time the question is asked)"}


def _notes(p: QueryPlan, draft: Draft) -> list[str]:
    notes, said = list(draft.notes), place_notes(p)
    if p.text:
        notes.append(f"looking for: {p.text}")
        words = re.findall(r"[^\W\d_]+", p.text)
        if words and not any(english.known(w) for w in words):  # "zxqv blorf": the best of no match at all
            notes.append(f"no word of '{p.text}' is one the dictionaries know: the best matches for it may match "
                         "nothing; check its spelling")
    if p.negative_text:
        notes.append(f"leaving out pictures of: {p.negative_text}")
    if p.similar_to:
        notes.append(f"similar to {describe_target(p.similar_to)}")
    if p.echoes_of:
        notes.append(said["echoes"])
    if draft.date_notes:
        notes.extend(f"taken {note}" for note in draft.date_notes)
    elif p.date_ranges:  # inherited by a follow-up
        notes.append("taken " + ", ".join(f"{a} to {b}" for a, b in p.date_ranges))
    if p.exclude_date_ranges:
        notes.extend(f"not taken {note} (undated photos stay in)" for note in draft.excluded_notes)
    if p.weekdays:
        notes.append(f"taken on {dates.weekday_words(p.weekdays)} (photos dated only by their file are left out)")
    notes += [said[k] for k in ("near", "not near") if k in said]
    if p.facts:
        kept = " (photos whose files do not say are left out)" if any(f.name != "not" for f in p.facts) else \
            " (photos whose files do not say are kept)"
        notes.append("as the files say: " + ", ".join(_fact_words(f) for f in p.facts) + kept)
    if p.group_by == "motif":
        years = p.span_years or DEFAULT_MOTIF_YEARS
        notes.append(f"motifs{' of any subject' if not p.text else ''} that recur in at least {years} distinct years"
                     f"{' of those dates' if p.date_ranges else ' of the archive'}, each in time order")
        notes.append(f"the best {p.count} motifs")
    elif p.group_by:
        notes.append(f"grouped by {p.group_by}" + (", in time order" if p.group_by in PERIODS else ""))
        notes.append(f"the best {p.count} of each {p.group_by}")
    elif p.mode == "strong" and p.needs_vector:
        notes.append("only strong matches (above the score threshold), in pages")
    elif p.mode != "top_k":
        notes.append(f"every strong match, and at least the best {DEFAULT_LIMIT}, in pages" if p.needs_vector
                     else "every match" if p.rank == "keeper" else "every match, in time order")
    elif not p.needs_vector and p.rank != "keeper":
        notes.append(f"the first {p.count}, in time order")
    else:
        notes.append(f"the best {p.count}")
    if p.order:
        notes.append(f"shown {ORDER_WORDS[p.order]}")
    notes += [f"also fair: {r.label} (ask: {r.question})" for r in p.other_readings]
    # how "best ..." was ranked is the answer's to say: it knows whether a keeper model could
    return list(dict.fromkeys(notes))


def similar_plan(target: str, limit: int) -> QueryPlan:
    """Photos like a catalogued photo (its id) or an image file (its path)."""
    if target.isdigit():
        return QueryPlan(similar_to=PhotoRef(int(target)), limit=limit, notes=(f"similar to photo {target}",))
    path = Path(target).expanduser().resolve()
    return QueryPlan(similar_to=FileRef(str(path)), limit=limit, notes=(f"similar to the file {path}",))
