"""plan(text, now=..., places=..., previous=...) -> QueryPlan. Pure: the place
resolver is a parameter and nothing here touches a database, a model or the network.

The question is read left to right. At each word the longest phrase of the grammar
(query/query.lark) that parses *and makes sense* is taken: a place phrase must
name a place the resolver knows. Words that start no phrase are the visual text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Tree
from lark.exceptions import LarkError, UnexpectedCharacters

from flux_ask.daytimes import SUN_TIMES, clock_words
from flux_ask.errors import FluxAskError
from flux_ask.query import dates
from flux_ask.query.places import (
    EVERYDAY_PLACE_WORDS,
    GREAT_CITY_RADIUS_M,
    LookupUnavailable,
    Resolver,
    is_everyday_word,
    plausible_name,
)
from flux_ask.query.facts import Holdings, read_fact
from flux_ask.query.plan import (
    DEFAULT_LIMIT,
    DEFAULT_MOTIF_YEARS,
    PER_PERIOD,
    SEVERAL,
    Fact,
    FileRef,
    PhotoRef,
    Place,
    PlaceReading,
    QueryPlan,
    ResultRef,
    SelectedRef,
    SimilarTo,
    describe_target,
    place_notes,
)

MAX_PHRASE_WORDS = 9
MAX_QUESTION_WORDS = 60  # CLIP reads 77 tokens: a longer question is cut, and the plan says so
METERS = {"m": 1, "meter": 1, "meters": 1, "metre": 1, "metres": 1, "km": 1000, "kilometer": 1000,
          "kilometers": 1000, "kilometre": 1000, "kilometres": 1000, "mi": 1609.344, "mile": 1609.344,
          "miles": 1609.344, "ft": 0.3048, "feet": 0.3048, "yard": 0.9144, "yards": 0.9144}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}
# Words that ask rather than describe, dropped from the front of a question.
ASKING = {"show", "me", "find", "all", "every", "the", "some", "please", "give", "get", "search", "for",
          "display", "list", "can", "you", "i", "want", "to", "see", "any", "my", "our", "how", "what", "did",
          "shoot", "take", "took", "everything", "anything", "single"}
PICTURE_NOUNS = {"photographs", "photograph", "photos", "photo", "pictures", "picture", "images", "image",
                 "pics", "pic", "pix", "fotos", "foto", "shots", "frames", "ones"}
# A month or season alone is a date only after a preposition ("snow in January", "from May")
BARE_DATES = {"month_only", "season_only"}
# Dates that mean every one of them, which another date narrows: "Halloween last year", "winters in the 2010s"
EVERY_DATES = {"month_only", "season_only", "holiday_every"}
DATE_PREPS = {"in", "during", "from", "on", "taken", "shot", "made"}
# Holidays that also say what a picture shows ("christmas markets", "easter eggs"): a date after a
# preposition ("at Christmas") or "every", else words
HOLIDAY_ADJECTIVES = {"christmas", "xmas", "halloween", "easter", "valentine", "valentines"}
# Words about time that mean nothing to CLIP when no date phrase took them
# ... of which these are never a picture's words, wherever they stand ("trains before")
UNREAD_ALWAYS = {"ago", "since", "until", "till", "before", "after", "yesterday", "today"}
UNREAD_ALONE = UNREAD_ALWAYS | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                                "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays"}
# A year or decade that says what a thing is, not when the photo was taken
ERA_BEFORE = {"a", "an", "vintage", "retro", "classic", "old", "antique", "restored"}
ERA_AFTER = {"style", "styled", "era", "model", "vintage", "fashion", "fashions", "car", "cars", "look", "aesthetic",
             "design", "architecture", "furniture", "poster", "posters", "dress", "dresses"}
MONTH_WORDS = {"january", "february", "april", "june", "july", "august", "september", "october", "november",
               "december", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}  # not may, march
# Asking words that start a whole question rather than a follow-up
ASKING_VERBS = {"show", "find", "give", "get", "search", "display", "list", "want", "see"}
# Words that steer a follow-up ("only 2023", "near Walnut instead"), never visual content.
STEERING = {"only", "just", "instead", "also", "now", "but", "then", "again", "please"}
CONNECTORS = {"of", "with", "where", "that", "which", "showing", "featuring", "containing", "having", "from"}
AUXILIARIES = {"is", "are", "was", "were"}
MAKING_VERBS = {"made", "taken", "shot", "photographed", "captured"}
HOW_AUXILIARIES = {"has", "have", "did", "do", "does", "is", "are", "was", "were"}  # "how has my ..."
# A day of the week that is part of another phrase
WEEKDAY_IDIOMS = {"sunday best", "saturday night", "sunday school", "good friday", "black friday", "casual friday",
                  "cyber monday", "ash wednesday", "super tuesday", "man friday", "girl friday", "holy saturday",
                  "easter sunday", "easter monday", "palm sunday"}
WEEKEND_THINGS = {"trip", "trips", "getaway", "getaways", "bag", "warrior", "warriors", "edition"}
GROUP_ADVERBS = {"monthly": "month", "yearly": "year", "annually": "year", "annual": "year", "seasonally": "season"}
# Words never read as a place on their own, whatever the gazetteer holds
BARE_PLACE_NEVER = ASKING | PICTURE_NOUNS | CONNECTORS | AUXILIARIES | STEERING | {
    "a", "an", "and", "or", "of", "the", "in", "at", "on", "by", "to", "with", "more", "like", "best", "top"}
# After "how ...", what asks for a change over time ("how did my portraits change")
CHANGE_WORDS = {"change", "changed", "changes", "changing", "evolve", "evolved", "evolving", "develop", "developed",
                "grow", "grew", "shift", "shifted"}
# Prepositions after which the words are surely meant as a place.
SURE_PLACE_PREPS = {"near", "taken in", "shot in", "made in", "close to"}


class ImpossibleQuestion(FluxAskError):
    """A question no photo can answer as asked: a range that ends before it begins, a
    distance of nothing."""


class UnknownPlace(FluxAskError):
    def __init__(self, name: str, why: str = ""):
        super().__init__(
            f"unknown place {name!r}{f' ({why})' if why else ''}: add it to places.toml in the archive home "
            "(a [name] table with lat, lon and optional radius_m and aliases)"
        )
        self.name = name


@dataclass
class Draft:
    """A plan being assembled."""

    text: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)
    date_ranges: list[tuple[date, date]] = field(default_factory=list)
    every_dates: list[tuple[date, date]] = field(default_factory=list)  # "in January": narrowed by other dates
    # "christmas" written as a word: a date only if another date is named ("christmas 3 years ago")
    maybe_holiday: tuple[int, int, list[tuple[date, date]], str] | None = None
    date_notes: list[str] = field(default_factory=list)
    excluded_dates: list[tuple[date, date]] = field(default_factory=list)
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
    notes: list[str] = field(default_factory=list)
    readings: list[PlaceReading] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    fresh: bool = False  # asked as a whole question, not as a follow-up
    asks_how: bool = False  # "how did my portraits change": a change over time, not a picture of one


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("flux_ask.query").joinpath("query.lark").read_text(encoding="utf-8")
    return Lark(grammar, start="phrase", parser="earley", lexer="dynamic", ambiguity="resolve")


@lru_cache(maxsize=1)
def _edges() -> tuple[re.Pattern, re.Pattern]:
    """Patterns for the words a phrase can begin with and end with, worked out from the grammar
    (its first and last terminals): a span that fails them is no phrase, without asking Earley."""
    parser = _parser()
    rules: dict[str, list[list]] = {}
    for rule in parser.rules:
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

    regex = {t.name: t.pattern.to_regexp() for t in parser.terminals}
    first = "|".join(f"(?:{regex[name]})" for name in sorted(edge(list)))
    last = "|".join(f"(?:{regex[name]})" for name in sorted(edge(lambda alt: list(reversed(alt)))))
    return re.compile(first), re.compile(f"(?:{last})$")


def _may_begin(span: str) -> bool:
    return bool(_edges()[0].match(span))


def _may_end(span: str) -> bool:
    return bool(_edges()[1].search(span))


@lru_cache(maxsize=4096)
def _parse(phrase: str) -> Tree | int:
    """The phrase's tree, or the character where no phrase of the grammar can go on: no
    longer span from the same word parses past it."""
    try:
        return _parser().parse(phrase)
    except UnexpectedCharacters as exc:
        return exc.pos_in_stream
    except LarkError:  # the words so far may start a phrase that they do not finish
        return len(phrase)


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
    """The plan of a question. `holdings`, the archive's cameras and lenses, lets "with the
    X100V" name a camera by its model."""
    places = places or _no_places
    originals, words = _words(text)
    draft = Draft()
    if len(words) > MAX_QUESTION_WORDS:
        draft.notes.append(f"only the first {MAX_QUESTION_WORDS} of its {len(words)} words were read: "
                           "CLIP reads no more")
        originals, words = originals[:MAX_QUESTION_WORDS], words[:MAX_QUESTION_WORDS]
    start = _drop_asking(words, draft, holdings)
    if 0 < start < len(words) and words[start - 1] in DATE_PREPS:
        start -= 1  # "photos from summer": the preposition belongs to the date
    # "find all photographs made within ..." is a question of its own; "only 2019" refines
    draft.fresh = any(w in ASKING_VERBS or w in PICTURE_NOUNS for w in words[:start])
    # Capitals mark names only where most words have none ("Show All Umbrellas In Fog").
    case_speaks = sum(w[:1].isupper() for w in originals) <= len(originals) / 2
    i = start
    while i < len(words):
        if fact := read_fact(words, originals, i, holdings):  # what the files say, never words for CLIP
            draft.facts = [f for f in draft.facts if f.name != fact.fact.name or f.name in SEVERAL] + [fact.fact]
            draft.text += fact.keep.split()
            if fact.note:
                draft.notes.append(fact.note)
            if i == start and PICTURE_NOUNS & set(words[i:i + fact.words]):
                draft.fresh = True  # "square photos shot on the Canon" is a question of its own
            i += fact.words
            continue
        taken = _longest_phrase(words, originals, i, draft, now=now, places=places, hemisphere=hemisphere,
                                block_m=block_m, walk_m=walk_m, case_speaks=case_speaks, date_order=date_order,
                                country=country)
        taken = taken or _bare_place(words, originals, i, draft, places, case_speaks, start)
        if taken:
            if draft.text and draft.text[-1] in MAKING_VERBS:  # "made within one block of ..."
                draft.text.pop()
            i += taken
        else:
            draft.text.append(words[i])
            i += 1
    return _finish(draft, previous)


# -- words ----------------------------------------------------------------------------

def _words(text: str) -> tuple[list[str], list[str]]:
    """(original words, normalised words): lower case, '&' as 'and', year ranges split,
    punctuation trimmed; file paths kept as typed."""
    text = re.sub(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b", r"\1 - \2", text.replace("&", " and "))
    text = re.sub(r"\b(early|mid|late)-((?:19|20)\d\d)\b", r"\1 \2", text, flags=re.I)  # "mid-2018"
    text = re.sub(r"\b(\d+(?:\.\d+)?)(km|m|mi|ft)\b", r"\1 \2", text, flags=re.I)  # "within 3km of"
    originals, words = [], []
    for word in text.split():
        if word[:1] in "~/." and len(word) > 1 and ("/" in word or "." in word[1:]):
            originals.append(word)
            words.append(word)
            continue
        clean = word.strip(".,;:!?\"'()[]{}")
        if re.fullmatch(r"['’]\d\d", word.rstrip(".,;:!?)")):
            clean = "'" + clean  # "april '22": a year written short
        if clean.endswith("'s"):
            clean = clean[:-2]
        if clean:
            originals.append(clean)
            words.append(clean.lower())
    return originals, words


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


def _drop_asking(words: list[str], draft: Draft, holdings: Holdings | None = None) -> int:
    i = 0
    while i < len(words):
        word = words[i]
        if read_fact(words, words, i, holdings):  # "with flash", "picks" (not a typo of "pics"): a fact begins
            break
        if word in ("all", "every", "any", "everything", "anything"):
            draft.mode = "all"
        elif word == "best" and not (i + 1 < len(words) and dates.is_count(words[i + 1])):
            draft.rank = "keeper"  # "best umbrellas in fog"; "best 10 ..." is a phrase
            if words[i + 1:i + 2] and words[i + 1] in ONE_PICTURE:
                draft.limit = 1  # "the best photo of the waterfall"
        elif word in ("a", "an") and i + 1 < len(words) and words[i + 1] in PICTURE_NOUNS:
            pass  # "a photo of a dog"
        elif (taken := _front_count(words, i)) is not None:  # "10 beach photos", "a dozen sunsets"
            draft.limit, i = taken
            continue
        elif not (_is_asking(word, i) or draft.asks_how and word in HOW_AUXILIARIES):
            break
        draft.asks_how = draft.asks_how or word == "how"
        i += 1
    while i < len(words) and words[i] in AUXILIARIES:  # "where a person is ..." keeps "a person"
        i += 1
    return i


COLLECTIVES = {"dozen", "couple", "few", "handful"}
ONE_PICTURE = {"photo", "picture", "pic", "shot", "image", "photograph", "one"}


def _front_count(words: list[str], i: int) -> tuple[int, int] | None:
    """(count, next index) for a count at the front of a question: "10 beach photos", "two dozen
    wildflower shots", "half a dozen pics", "a few foggy mornings", "a couple of sunsets". Other
    counts need a picture noun within three words ("3 dogs", "a dozen roses" are what the picture
    shows); later in a question, "a couple of friends" is who is in it."""
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
    if words[j:j + 1] == ["of"]:
        if words[i] == "a" and words[j + 1:j + 2] and words[j + 1] not in PICTURE_NOUNS:
            return count, j + 1  # "a couple of sunsets"
        return None  # "a couple of photos of the bay", "20 of them": phrases of the grammar
    if words[i:i + 2] == ["a", "few"] or any(w in PICTURE_NOUNS for w in words[j:j + 3]):
        return count, j
    return None  # "a dozen roses in a vase", "a couple dancing": what the picture shows


# -- phrases --------------------------------------------------------------------------

def _longest_phrase(words, originals, i, draft: Draft, **ctx) -> int:
    """Words consumed by the longest sensible phrase at `i` (0 if none). A phrase that
    surely names a place ("near X", "within 1 block of X") and names none we know is
    an error, reported with the longest plausible name."""
    longest = min(len(words), i + MAX_PHRASE_WORDS)
    if not _may_begin(" ".join(words[i:longest])):
        return 0  # no phrase begins with this word
    unknown: list[UnknownPlace] = []
    dead_end = None  # where the longest span stopped parsing: shorter spans past it need no try
    for j in range(longest, i, -1):
        span = " ".join(words[i:j])
        if dead_end is not None and len(span) > dead_end or not _may_end(span):
            continue
        tree = _parse(span)
        if isinstance(tree, int):
            dead_end = tree if dead_end is None else min(dead_end, tree)
            continue
        try:
            if _apply(tree, originals[i:j], draft, before=words[i - 1] if i else "",
                      after=words[j] if j < len(words) else "", **ctx):
                return j - i
        except UnknownPlace as exc:
            unknown.append(exc)
    plausible = [e for e in unknown if plausible_name(e.name)]
    if unknown:
        raise plausible[0] if plausible else unknown[-1]
    return 0


def _apply(tree: Tree, originals: list[str], draft: Draft, *, now, places, hemisphere, block_m, walk_m,
           case_speaks, date_order, country, before, after) -> bool:
    kind = tree.data
    if kind == "when":
        said_tree = tree.children[-1]
        said = said_tree.data
        if said in BARE_DATES and originals[0].lower() not in DATE_PREPS:
            return False  # "may flowers", "march of the penguins", "winter coats": words, not dates
        if said == "holiday_every" and originals[0].lower() in HOLIDAY_ADJECTIVES and before not in ("every", "each"):
            if draft.maybe_holiday is None or draft.maybe_holiday[0] != len(draft.text):  # the longest, once
                draft.maybe_holiday = (len(draft.text), len(originals),
                                       *_date_range(said_tree, now, hemisphere, date_order, country))
            return False  # "halloween costumes", "christmas markets": what the picture shows
        if said in ("year", "decade") and originals[0].lower() not in DATE_PREPS and \
                (before in ERA_BEFORE or after in ERA_AFTER):
            return False  # "a 1967 mustang", "1920s style dresses", "vintage 1950s diner": what it shows
        rngs, note = _date_range(said_tree, now, hemisphere, date_order, country)
        (draft.every_dates if said in EVERY_DATES else draft.date_ranges).extend(rngs)
        draft.date_notes.append(note)
        return True
    if kind == "weekday_filter":  # "on Sundays", "weekend hikes", "every wednesday", "sat morning"
        said = str(tree.children[-1])
        if f"{said} {after}" in WEEKDAY_IDIOMS or said == "weekend" and after in WEEKEND_THINGS:
            return False  # "her sunday best", "weekend trips": words
        if said in ("sat", "sun", "wed", "mon", "fri", "tue") and after not in dates.TIMES_OF_DAY:
            return False  # "sat on a bench", "sun on the water"
        draft.weekdays |= dates.WEEKDAY_SETS[dates.WEEKDAY_SHORT.get(said, said)]
        return True
    if kind == "weekday_span":  # "monday through friday", "from friday to sunday"
        first, last = (dates.DAY_NAMES.index(str(t).title()) for t in tree.children)
        draft.weekdays |= {(first + k) % 7 for k in range((last - first) % 7 + 1)}
        return True
    if kind == "by_season":
        draft.group_by = "season"
        return True
    if kind == "exclude_date":  # "except 2021", "excluding 2021 and 2022"
        for said in (c for c in tree.children if isinstance(c, Tree)):
            rngs, note = _date_range(said, now, hemisphere, date_order, country)
            draft.excluded_dates.extend(rngs)
            draft.excluded_notes.append(note)
        return True
    if kind == "place_either":  # "temples in Kyoto or Nara": either place
        names = [" ".join(str(t) for t in c.children) for c in tree.children if isinstance(c, Tree)]
        found = [_resolve(name, places, sure=True, draft=draft) for name in names]
        draft.near = replace(found[0], either=tuple(found[1:]))
        return True
    if kind in ("place_in", "place_within", "place_blocks", "place_walk"):
        place = _place(tree, originals, places, block_m, walk_m, case_speaks, draft)
        if place is None:
            return False
        draft.near = place
        return True
    if kind == "exclude_place":
        name = _name(tree)
        place = _resolve(name, places, sure=_capitalised(name, originals, case_speaks), draft=draft)  # "not in Narnia"
        if place is None and not plausible_name(name):
            return False  # dates or phrases, not a thing to leave out
        if place is None:  # "kids but not cats", "not at the beach": a thing to leave out, not a place
            draft.negative.append(" ".join(w for w in name.split() if w not in ("the", "a", "an")))
        else:
            draft.exclude_near = place
        return True
    if kind == "without":
        draft.negative.append(" ".join(str(t) for t in tree.children))
        return True
    if kind == "similar":
        draft.similar_to = _target(tree.children[0], originals)
        return True
    if kind == "echoes":
        draft.echoes_of = _resolve(_name(tree), places, sure=True, draft=draft)
        return True
    if kind == "all":
        draft.mode = "all"
        return True
    if kind == "counted":  # "seven photos of", "20 of them", "a dozen pictures"
        draft.limit = dates.count_of(str(tree.children[0].children[0]))
        draft.mode = draft.mode or "top_k"
        return True
    if kind in ("top", "best"):
        draft.limit = dates.count_of(str(tree.children[0].children[0]))
        draft.mode = draft.mode or "top_k"
        if kind == "best":
            draft.rank = "keeper"
        return True
    if kind in ("over_time", "evolution", "across_all_years"):
        draft.group_by = draft.group_by or "year"
        return True
    if kind == "by_unit":  # "by season", "per year", "monthly"
        word = str(tree.children[0])
        draft.group_by = GROUP_ADVERBS.get(word) or word.rstrip("s")
        return True
    if kind == "count_by_unit":  # "one per year"
        draft.limit = dates.count_of(str(tree.children[0].children[0]))
        draft.group_by = str(tree.children[-1]).rstrip("s")
        return True
    if kind == "across_years":
        draft.group_by = "motif"
        draft.span_years = dates.count_of(str(tree.children[0].children[0]))
        return True
    if kind == "recurring":
        draft.group_by = "motif"
        return True
    return False


def _bare_place(words, originals, i, draft: Draft, places: Resolver, case_speaks: bool, start: int) -> int:
    """A well-known place named without a preposition ("Berlin photos", "rome fountains", "new
    york subway"), or several ("Kyoto or Nara temples"): taken when written as a name inside the
    question, or when its words are no everyday English ("nice", "reading", "split", "turkey" stay
    words unless written "in Nice")."""
    if draft.near is not None:
        return 0
    found = [_bare_name(words, originals, i, places, case_speaks, start)]
    if found[0] is None:
        return 0
    end = i + found[0][1]
    while end + 1 < len(words) and words[end] == "or" and \
            (more := _bare_name(words, originals, end + 1, places, case_speaks, start)):
        found.append(more)
        end += 1 + more[1]
    draft.near = replace(found[0][0], either=tuple(place for place, _ in found[1:]))
    draft.notes.append(f"read '{' '.join(originals[i:end])}' as {'places' if len(found) > 1 else 'a place'}, "
                       "not as words of the picture")
    at = i
    for place, length in found:
        _say_others(" ".join(words[at:at + length]), place, places, draft)
        at += length + 1
    return end - i


def _bare_name(words, originals, i, places: Resolver, case_speaks: bool, start: int) -> tuple[Place, int] | None:
    """The well-known place whose name begins at word i, and how many words it takes."""
    if words[i] in BARE_PLACE_NEVER:
        return None
    for j in range(min(len(words), i + 3), i, -1):
        name = " ".join(words[i:j])
        if not plausible_name(name) or any(w in BARE_PLACE_NEVER or w.isdigit() for w in words[i:j]):
            continue
        written_as_name = i > start and _capitalised(name, originals[i:j], case_speaks)
        place = places(name, sure=False)
        if place is None:
            continue
        # the dictionary is asked only of place names: an everyday word names a place bare only when it
        # is a great city ("berlin" is also a carriage; "nice", "split", "turkey" stay words)
        everyday = j - i == 1 and not written_as_name and is_everyday_word(name)
        if not everyday or name not in EVERYDAY_PLACE_WORDS and place.area is None and \
                place.radius_m >= GREAT_CITY_RADIUS_M:
            return place, j - i
    return None


def _name(tree: Tree) -> str:
    (name,) = [c for c in tree.children if isinstance(c, Tree) and c.data == "name"]
    return " ".join(str(t) for t in name.children)


def _resolve(name: str, places: Resolver, *, sure: bool, draft: Draft | None = None) -> Place | None:
    try:
        place = places(name, sure=sure)
    except LookupUnavailable as exc:
        raise UnknownPlace(name, why=str(exc)) from None
    if place is None and sure:
        raise UnknownPlace(name)
    if place is not None and draft is not None:
        _say_others(name, place, places, draft)
    return place


def _say_others(name: str, place: Place, places: Resolver, draft: Draft) -> None:
    """An ambiguous name is read one way, and the plan names the others, each as a place to
    switch to: "'athens' is read as Athens; it may also mean Athens, Georgia"."""
    others = getattr(places, "others", None)
    found = []
    for label in others(name, place) if others else []:
        try:
            other = places(label, sure=True)
        except LookupUnavailable:
            other = None
        if other is not None and (other.lat, other.lon) != (place.lat, place.lon):
            found.append(replace(other, label=label))  # as it is said: "Georgia, United States"
    if found:
        reading = PlaceReading(name, place, tuple(found))
        draft.readings.append(reading)
        draft.notes.append(reading.note())


def _capitalised(name: str, originals: list[str], case_speaks: bool) -> bool:
    """Whether `name`, the last words of the phrase, was written as a name ("Lund", not "LUND")."""
    words = originals[-len(name.split()):]
    first = words[1] if len(words) > 1 and words[0].lower() == "the" else words[0]  # "in the Alps"
    return case_speaks and first[:1].isupper() and not first.isupper()


def _place(tree: Tree, originals: list[str], places: Resolver, block_m: float, walk_m: float,
           case_speaks: bool, draft: Draft) -> Place | None:
    name = _name(tree)
    if tree.data == "place_in":
        prep = str(tree.children[0])
        # "in Lund" is surely a place; "in fog", "IN FOG" and "In Fog" need not be
        return _resolve(name, places, sure=prep in SURE_PLACE_PREPS or _capitalised(name, originals, case_speaks),
                        draft=draft)
    place = _resolve(name, places, sure=True, draft=draft)
    if tree.data == "place_walk":  # "within walking distance of", "a short walk from": the walk_m setting
        return _within(place, walk_m)
    if tree.data == "place_blocks":
        count_tree = tree.children[0]
        counts = [c for c in count_tree.children if isinstance(c, Tree)]
        n = dates.count_of(str(counts[0].children[0])) if counts else 1
        return _within(place, n * block_m)
    distance = tree.children[0]
    if len(distance.children) == 1:  # "within a mile of"
        number, unit = "1", distance.children[0]
    else:
        number, unit = distance.children
    if isinstance(number, Tree):
        value = dates.count_of(str(number.children[0]))
    else:
        value = 0.5 if str(number).startswith("half") else float(number)
    return _within(place, value * METERS[str(unit)])


def _within(place: Place, radius_m: float) -> Place:
    if not radius_m > 0:
        raise ImpossibleQuestion(f"within {radius_m:g} m of {place.label} holds no photo: say how far, as in "
                                 f"'within 200 m of {place.label}'")
    return place.within(radius_m)


def _target(tree: Tree, originals: list[str]) -> SimilarTo:
    if tree.data == "this_one":
        return SelectedRef()
    if tree.data == "nth_one":
        word = str(tree.children[-1])
        return ResultRef(ORDINALS.get(word) or int(word[:-2]))  # "third", "23rd"
    if tree.data == "photo_id":
        return PhotoRef(int(tree.children[-1]))
    return FileRef(os.path.expanduser(originals[-1]))


def _date_range(tree: Tree, now: date, hemisphere: str, date_order: str,
                country: str) -> tuple[list[tuple[date, date]], str]:
    kind = tree.data
    t = [str(c) for c in tree.children if not isinstance(c, Tree)]
    season_note = ""
    if kind.startswith("holiday"):
        return _holiday_ranges(kind, [c for c in tree.children if not isinstance(c, Tree)], now, country)
    if kind in ("day", "relative_day"):
        said = " ".join(t)
        if kind == "relative_day":  # "last tuesday", "yesterday", "this morning"
            said = f"last {said}" if said in dates.WEEKDAYS else dates.RELATIVE_DAYS.get(said, said)
        day = dates.parsed_day(said, now, date_order)
        if day is None:
            raise ImpossibleQuestion(f"'{' '.join(t)}' is no day on the calendar")
        rng = (day, day)
    elif kind == "ago":
        counts = [c for c in tree.children if isinstance(c, Tree)]
        count, unit = (dates.count_of(str(counts[0].children[0])) if counts else 1), t[-1]
        rng = dates.around(dates.past_span(count, unit, now)[0], unit)
    elif kind == "last_weekend":
        rng = dates.last_weekend(now)
    elif kind == "recently":
        rng = (now - timedelta(days=dates.RECENT_DAYS), now)
    elif kind == "decade":
        rng = dates.decade_range(t[-1], t[0] if len(t) > 1 else None, now)
    elif kind == "year_part":
        rng = dates.year_part_range(t[0], int(t[-1]))
    elif kind in ("year_half", "year_quarter"):
        rng = dates.year_part_range(f"{t[0]} {kind[5:]}", int(t[-1]))
    elif kind == "seasons_ago":
        rng = dates.seasons_ago(t[-1], dates.count_of(str(tree.children[0].children[0])), now, hemisphere)
    elif kind == "months_span":
        rng = (date(int(t[1]), dates.month_number(t[0]), 1), dates.month_range(int(t[3]), dates.month_number(t[2]))[1])
    elif kind in ("season_year", "season_of_year"):
        rng = dates.season_range(t[0], dates.year_of(t[1], now), hemisphere)
        season_note = f" (meteorological {t[0].rstrip('s')}, {hemisphere}ern hemisphere)"
    elif kind == "month_year":  # "april 2022", "april '22"
        rng = dates.month_range(dates.year_of(t[1], now), dates.month_number(t[0]))
    elif kind == "month_only":  # "snow in January": every January
        month = dates.month_number(t[0])
        every = dates.every_year(lambda year: dates.month_range(year, month), now)
        return every, f"in {date(2000, month, 1):%B}, every year ({len(every)} of them)"
    elif kind == "season_only":  # "snow in winter": every winter
        every = dates.every_year(lambda year: dates.season_range(t[0], year, hemisphere), now)
        return every, (f"in {t[0].rstrip('s')}, every year ({len(every)} of them; meteorological, "
                       f"{hemisphere}ern hemisphere)")
    elif kind == "relative_month":  # "last December" is the latest gone by; "this December" this year's
        month = dates.month_number(t[1])
        last_year = now.year if month < now.month else now.year - 1
        rng = dates.month_range(now.year if t[0] == "this" else last_year, month)
    elif kind == "year":
        rng = dates.month_range(int(t[0]), 1, 12)
    elif kind == "year_range":
        first, last = sorted((int(t[0]), int(t[1])))
        rng = (date(first, 1, 1), date(last, 12, 31))
    elif kind == "month_range":
        rng = dates.month_range(int(t[2]), dates.month_number(t[0]), dates.month_number(t[1]))
    elif kind == "relative_season":
        pick = dates.this_season if t[0] == "this" else dates.last_season
        rng = pick(t[1], now, hemisphere)
        season_note = f" (meteorological {t[1].rstrip('s')}, {hemisphere}ern hemisphere)"
    elif kind == "relative_period":
        rng = dates.relative_period(t[0], t[1], now)
    elif kind == "before_last":  # "the year before last": the calendar year, month or week before the last
        rng = dates.around(dates.past_span(2, t[0], now)[0], t[0])
    elif kind == "past_span":
        count = dates.count_of(str(tree.children[1].children[0]))
        rng = dates.past_span(count, t[-1], now)
    elif kind == "since":
        rng = (date(int(t[0]), 1, 1), now)
    elif kind == "before":
        rng = (date(1900, 1, 1), date(int(t[0]) - 1, 12, 31))
    elif kind == "after":
        rng = (date(int(t[0]) + 1, 1, 1), now)
    else:
        raise AssertionError(kind)
    if rng[0] > rng[1]:
        said = " ".join(t)
        raise ImpossibleQuestion(f"'{kind} {said}' is in the future: no photo is taken after today"
                                 if kind in ("after", "since") else f"the dates in '{said}' end before they begin")
    return [rng], f"{dates.describe(rng)}{season_note}"


def _holiday_ranges(kind: str, tokens: list, now: date, country: str) -> tuple[list[tuple[date, date]], str]:
    """Holidays from the country's calendar: one year's, the last or this one, or every one;
    the day itself, or its week or weekend ("Thanksgiving weekend")."""
    said = {token.type: str(token) for token in tokens}
    name, span = said["HOLIDAY"], said.get("HOLIDAY_SPAN")
    try:
        if kind == "holiday_every":
            days = [dates.holiday_span(d, name, span) for d, _ in dates.holidays_every_year(name, now, country)]
            what = f"{name.title()}{f' {span}' if span else ''}"
            return days, f"on {what}, every year ({len(days)} of them, {country} calendar)"
        if kind == "holiday_year":
            day = dates.holiday(name, int(said["YEAR"]), country)
        elif kind == "holiday_relative":  # "this Christmas" is this year's; "last Christmas" the latest gone by
            day = dates.holiday(name, now.year, country)
            if said["RELATIVE"] != "this" and day > now:
                day = dates.holiday(name, now.year - 1, country)
        else:  # the day after or before a holiday, in the year named, else the last one
            year = int(said.get("YEAR", now.year))
            day = dates.holiday(name, year, country)
            if "YEAR" not in said and day > now:
                day = dates.holiday(name, year - 1, country)
            day += timedelta(days=1 if said["NEXT_TO"] == "day after" else -1)
    except LookupError as exc:
        raise ImpossibleQuestion(f"{exc}: set `country` in config.toml for another calendar") from None
    rng = dates.holiday_span(day, name, span)
    return [rng], f"{'on' if rng[0] == rng[1] else 'from'} {dates.describe(rng)} ({' '.join(map(str, tokens))})"


# -- the plan -------------------------------------------------------------------------

def _clean_text(words: list[str]) -> str:
    words = [w for w in words if w not in PICTURE_NOUNS and w not in STEERING]
    while words and (words[0] in CONNECTORS or words[0] in AUXILIARIES):
        words = words[1:]
    while words and words[-1] in CONNECTORS | MAKING_VERBS | {"and", "or", "in", "at", "on"}:
        words = words[:-1]
    return " ".join(words)


# "recurring motifs" names no concept: any motif at all
GENERIC_MOTIF_WORDS = {"motif", "motifs", "theme", "themes", "subject", "subjects", "things", "patterns", "images"}


def _finish(draft: Draft, previous: QueryPlan | None) -> QueryPlan:
    unread = [k for k, w in enumerate(draft.text) if w in UNREAD_ALONE or w[:3] in dates.MONTHS and w in MONTH_WORDS]
    # inside the words of a picture ("june bug on a leaf", "her sunday best") a time word is a word;
    # at the end or alone ("snow january", "trains before") it is a date no phrase could read
    dropped = [k for k in unread if k == len(draft.text) - 1 or draft.text[k] in UNREAD_ALWAYS]
    if dropped:  # said, and kept from CLIP
        draft.notes.append(f"not understood: {', '.join(draft.text[k] for k in dropped)} (dates are read as in "
                           "'14 February 2021', 'last Tuesday', 'since 2019')")
    if kept := [draft.text[k] for k in unread if k not in dropped]:
        draft.notes.append(f"read as words of the picture, not as dates: {', '.join(kept)}")
    draft.text = [w for k, w in enumerate(draft.text) if k not in dropped]
    if draft.maybe_holiday and (draft.date_ranges or draft.every_dates):  # "halloween last year"
        at, length, rngs, note = draft.maybe_holiday
        del draft.text[at:at + length]
        draft.every_dates.extend(rngs)
        draft.date_notes.insert(0, note)
    _narrow_every(draft)
    if len(draft.date_ranges) > 1 and {"vs", "versus"} & set(draft.text):  # "street photos 2015 vs 2020"
        draft.text = [w for w in draft.text if w not in ("vs", "versus")]
        draft.group_by = draft.group_by or "year"
    if draft.asks_how and CHANGE_WORDS & set(draft.text):  # "how did my street photography change"
        draft.text = [w for w in draft.text if w not in CHANGE_WORDS | {"has", "have", "did", "do"}]
        draft.group_by = draft.group_by or "year"
    text = _clean_text(draft.text)
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
        limit=draft.limit or DEFAULT_LIMIT,
        group_by=draft.group_by,
        span_years=draft.span_years,
        rank=draft.rank or "similarity",
        readings=tuple(draft.readings),
        facts=tuple(draft.facts),
    )
    if previous is not None and text == "more":  # "show more": the next page
        result = replace(previous, limit=previous.limit + DEFAULT_LIMIT)
    elif previous is not None and not result.needs_vector and not draft.fresh:
        result = _follow_up(result, previous)
    # the other readings of names still in the plan: "in rome" after "dogs in athens" drops Athens's
    readings = tuple(r for r in dict.fromkeys(result.readings + (previous.readings if previous else ()))
                     if any(r.means(p) for p in result.places))
    return replace(result, notes=tuple(_notes(result, draft)), readings=readings)


def _narrow_every(draft: Draft) -> None:
    """Every January, winter or Christmas, within the other dates named ("Halloween last year",
    "summers in the 2010s"), or every one of them when no other date is named."""
    if not draft.every_dates:
        return
    if not draft.date_ranges:
        draft.date_ranges = draft.every_dates
        return
    both = [(max(a, c), min(b, d)) for a, b in draft.every_dates for c, d in draft.date_ranges
            if max(a, c) <= min(b, d)]
    if not both:
        raise ImpossibleQuestion(f"no day is both {' and '.join(draft.date_notes)}")
    draft.date_ranges = both
    draft.date_notes.append("where both hold: " + (", ".join(dates.describe(r) for r in both) if len(both) <= 3
                                                   else f"{len(both)} spans"))


def _follow_up(new: QueryPlan, previous: QueryPlan) -> QueryPlan:
    """A question without a subject refines the previous one: "only 2023", "not in Rome"."""
    return replace(
        previous,
        negative_text=new.negative_text or previous.negative_text,
        date_ranges=new.date_ranges or previous.date_ranges,
        exclude_date_ranges=new.exclude_date_ranges or previous.exclude_date_ranges,
        weekdays=new.weekdays or previous.weekdays,
        near=new.near or previous.near,
        exclude_near=new.exclude_near or previous.exclude_near,
        group_by=new.group_by or previous.group_by,
        span_years=new.span_years or previous.span_years,
        limit=new.limit if new.limit != DEFAULT_LIMIT else previous.limit,
        mode=previous.mode,
        rank=new.rank if new.rank != "similarity" else previous.rank,
        readings=new.readings,
        # "only 5 stars" adds to what the files must say; a fact named again replaces its kind
        facts=tuple(f for f in previous.facts if f.name not in {n.name for n in new.facts}) + new.facts,
    )


def _fact_words(fact: Fact) -> str:
    if fact.name == "either":
        return " or ".join(_fact_words(part) for part in fact.value)
    if fact.name != "daytime":
        return fact.label
    return f"{fact.label} (by the sun at each photo's place and time; by the clock, {clock_words(fact.value)}, " \
           "where a photo has no position)" if fact.value in SUN_TIMES else f"{fact.label} ({clock_words(fact.value)})"


def _notes(p: QueryPlan, draft: Draft) -> list[str]:
    notes, said = list(draft.notes), place_notes(p)
    if p.text:
        notes.append(f"looking for: {p.text}")
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
    notes.extend(f"not taken {note} (undated photos stay in)" for note in draft.excluded_notes)
    if p.weekdays:
        notes.append(f"taken on {dates.weekday_words(p.weekdays)} (photos dated only by their file are left out)")
    notes += [said[k] for k in ("near", "not near") if k in said]
    if p.facts:
        notes.append("as the files say: " + ", ".join(_fact_words(f) for f in p.facts)
                     + " (photos whose files do not say are left out)")
    if p.group_by == "motif":
        years = p.span_years or DEFAULT_MOTIF_YEARS
        notes.append(f"motifs{' of any subject' if not p.text else ''} that recur in at least {years} distinct years"
                     f"{' of those dates' if p.date_ranges else ' of the archive'}, each in time order")
    elif p.group_by:
        notes.append(f"grouped by {p.group_by}, in time order")
    if p.group_by == "motif":
        notes.append(f"the best {p.limit} motifs")
    elif p.group_by:
        notes.append(f"the best {p.limit if p.limit != DEFAULT_LIMIT else PER_PERIOD} of each {p.group_by}")
    elif p.mode == "all":
        notes.append("every match" + (" above the score threshold, in pages" if p.needs_vector else ", in time order"))
    elif not p.needs_vector and p.rank != "keeper":
        notes.append(f"the first {p.limit}, in time order")
    else:
        notes.append(f"the best {p.limit}")
    return notes  # how "best ..." was ranked is the answer's to say: it knows whether a keeper model could


def similar_plan(target: str, limit: int) -> QueryPlan:
    """Photos like a catalogued photo (its id) or an image file (its path)."""
    if target.isdigit():
        return QueryPlan(similar_to=PhotoRef(int(target)), limit=limit, notes=(f"similar to photo {target}",))
    path = Path(target).expanduser().resolve()
    return QueryPlan(similar_to=FileRef(str(path)), limit=limit, notes=(f"similar to the file {path}",))
