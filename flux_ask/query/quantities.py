"""Comparisons over any quantity the files keep: focal length, aperture, ISO, shutter time and
stars. One mechanism reads them all:

    [lead] [quantity name] [comparator | direction "than"] measure [(to | and) measure]
    [comparator after | "or" direction [quantity name]]

"over 200mm", "200mm or more", "f/2 or wider", "wider than 24mm", "iso<=400", "iso 6400+",
"faster than 1/500", "1/8 or longer", "between 35 and 50mm", "iso 800 to 3200", "4 stars+",
"rated higher than 3 stars", "at 35mm", "on the 85". The words live in words.toml: the
comparators in [compare], each quantity's names and directions in [quantity.*], the units in
[measure]. A direction is the quantity's own ("wider" is a shorter focal length but a smaller
f-number); "under 1/30" speaks of the shutter's speed, so it is slower than 1/30 s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from flux_ask.query import vocabulary
from flux_ask.query.plan import Fact

NUMBER = re.compile(r"\d+(?:\.\d+)?")
APERTURE = re.compile(r"f/?(\d+(?:\.\d+)?)")
FRACTION = re.compile(r"1/(\d+)")
RANGE = re.compile(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(mm)?")  # "85-135mm": lengths written with their unit
SPAN_JOINERS = ("to", "-", "through", "thru", "until", "till", "til")  # "iso 800 to 3200", "iso 100 until 400"
SANE = {"focal": (4, 2000), "f_number": (0.7, 64), "iso": (25, 10_000_000), "exposure_s": (1 / 16000, 3600),
        "rating": (0, 5)}
LEADS = ("shot at", "shot with", "shot on", "taken at", "taken with", "taken on", "at", "with", "on", "using",
         "through", "zoomed to")
OWNERS = ("the", "my", "a", "an", "our", "his", "her")
# what follows a length that makes it a film or a camera, not a focal length: "35mm film"
NOT_A_FOCAL = {"film", "films", "camera", "cameras", "negative", "negatives", "slide", "slides", "scan", "scans",
               "movie", "movies", "projector", "print", "prints"}
ARTICLES = {"a", "an", "the", "my", "his", "her", "old", "vintage", "new", "their"}


@dataclass(frozen=True)
class Read:
    fact: Fact
    words: int
    note: str = ""
    other: tuple[str, str] | None = None  # another fair reading: (what it is, the words that ask for it)


@dataclass(frozen=True)
class _Measure:
    quantity: str
    value: float
    words: int
    fraction: bool = False  # "1/500": a shutter speed, whose "under" is slower
    plus: bool = False  # "4+ stars": that many or more


def read_quantity(words: list[str], i: int) -> Read | None:
    """The comparison (or the value) of a quantity said at word i, if one is: after a lead
    ("at", "shot with the"), else without one ("at least 4 stars"); or a time of day by the
    clock ("after 10pm", "before 7am", "between 6 and 8pm")."""
    clock = read_clock(words, i)
    if clock is not None:
        return clock
    lead = _longest(words, i, LEADS)
    if lead and words[i + lead:i + lead + 1] and words[i + lead] in OWNERS:
        lead += 1
    return _read(words, i, lead) or (_read(words, i, 0) if lead else None)


def _read(words: list[str], i: int, lead: int) -> Read | None:
    j = i + lead
    name, n = _name(words, j)
    # "an aperture smaller than f/11" speaks of the opening; "an f-stop smaller than 4" of the number
    opening = name != "f_number" or words[j] in ("aperture", "apertures")
    j += n
    op, n, direction = _before(words, j, name if opening else None)
    symbol = n == 1 and not words[j][:1].isalpha()  # "<= 1/2000" is arithmetic on the number, "under 1/30" speech
    j += n
    if (op or direction) and words[j:j + 1] in (["a"], ["an"]) and _number(words[j + 1] if j + 1 < len(words) else ""):
        j += 1  # "rated at least a 3", "more than a 4"
    between = words[j:j + 1] in (["between"], ["from"])
    j += between
    measure = _measure(words, j, name, lead > 0)
    if measure is None and _number(words[j] if j < len(words) else "") is not None and \
            words[j + 1:j + 2] and words[j + 1] in ("and", *SPAN_JOINERS):
        second = _measure(words, j + 2, name, True)  # "between 35 and 50mm": the unit said once
        if second is not None and not isinstance(second.value, tuple):
            measure = _Measure(second.quantity, _number(words[j]), 1, second.fraction)
    if measure is None and (op or direction) and _number(words[j] if j < len(words) else "") is not None and \
            words[j + 1:j + 2] in (["and"], ["but"]):
        later = _read(words, j + 2, 0)  # "at least 2 but fewer than 5 stars": the unit said once, last
        if later is not None and later.fact.name in SANE:
            measure = _Measure(later.fact.name, _number(words[j]), 1)
    if measure is None:
        return None
    quantity = measure.quantity
    if name and name != quantity:
        return None
    j += measure.words
    value: float | tuple[float, float] = measure.value
    if op is None and direction is None:  # a span: "between 35 and 50mm", "iso 800 to 3200", "f/1.2 - f/2"
        joined = words[j:j + 1] and words[j] in (("and", *SPAN_JOINERS) if between else SPAN_JOINERS)
        if joined:
            second = _measure(words, j + 1, quantity, True)
            if second is not None and second.quantity == quantity and not isinstance(second.value, tuple):
                value = tuple(sorted((measure.value, second.value)))
                j += 1 + second.words
                op = "between"
    if isinstance(measure.value, tuple):
        value, op = measure.value, "between"
    if direction is not None:
        op = _direction(quantity, direction, strict=True)
        if op is None:
            return None
    elif op is not None and op != "between" and measure.fraction and not symbol:
        op = _flip(op)  # "under 1/30": a speed under 1/30 is a time over it
    if measure.plus and op is None:
        op = ">="
    after, n = _after(words, j, quantity)
    if after is not None and op in (None, "="):
        op = _flip(after) if measure.fraction and after in ("<=", ">=") and not _said_direction(words, j) else after
        j += n
        if quantity in UNIT_OF and words[j:j + 1] and words[j] in vocabulary.terms(f"measure.{UNIT_OF[quantity]}"):
            j += 1  # "4 or more stars"
    if not _fits(words, i, lead, j, quantity, op):
        return None
    fact = _fact(quantity, op or "=", value)
    # "under 1/1000" is a slower speed, or a shorter time: said without "faster" or "longer", either
    speed = quantity == "exposure_s" and measure.fraction and direction is None and \
        not {"exposure", "exposures", "time"} & set(words[i:j])  # "exposure time < 1/1000" is a time
    return Read(fact, j - i, _note(quantity, fact.label), _either_way(words[i:j], quantity, fact, speed))


def _either_way(said: list[str], quantity: str, fact: Fact, either: bool = False) -> tuple[str, str] | None:
    """The other reading of a comparison whose word fits the quantity and its number both ways:
    "an aperture bigger than f/16" is a wider opening, or an f-number above 16."""
    either = either or bool(set(said) & set(vocabulary.entry(f"quantity.{quantity}").get("either_way", [])))
    flipped = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(fact.op)
    if flipped is None or not either:
        return None
    other = _fact(quantity, flipped, fact.value)
    value = f"1/{round(1 / fact.value)}" if quantity == "exposure_s" and fact.value < 1 else f"{fact.value:g}"
    return f"'{' '.join(said)}' as {other.label}", f"{ASKED_AS[quantity]} {flipped} {value}"


ASKED_AS = {"f_number": "f", "exposure_s": "exposure time"}  # how the other reading is asked for


def _fits(words: list[str], i: int, lead: int, j: int, quantity: str, op: str | None) -> bool:
    """Whether the words are a filter rather than what a picture shows: "35mm film", "a 5-star
    hotel", "a 50mm lens lying on a desk"."""
    after = words[j] if j < len(words) else ""
    if quantity == "focal" and after in NOT_A_FOCAL:
        return False
    if quantity == "rating" and after in vocabulary.terms("marks.not_a_rating"):
        return False
    if quantity == "focal" and not lead and op in (None, "=") and after in ("lens", "lenses") and \
            (i == 0 or words[i - 1] in ARTICLES):
        return False  # "a 50mm lens on a desk": the lens is in the picture
    return True


def _longest(words: list[str], j: int, phrases) -> int:
    """How many words the longest of `phrases` takes at j (0: none)."""
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        said = phrase.split()
        if words[j:j + len(said)] == said:
            return len(said)
    return 0


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[str, str], ...]:
    pairs = [(name, quantity) for quantity, spec in vocabulary.entry("quantity").items() for name in spec["name"]]
    return tuple(sorted(pairs, key=lambda p: -len(p[0].split())))


def _name(words: list[str], j: int) -> tuple[str | None, int]:
    if words[j:j + 1] == ["f"] and words[j + 1:j + 2] and words[j + 1] in SYMBOLS:
        return "f_number", 1  # "f >= 5.6"
    for name, quantity in _names():
        said = name.split()
        if words[j:j + len(said)] == said:
            # "a rating of 4", "the focal length is between 70 and 200", "iso: 800"
            linked = words[j + len(said):j + len(said) + 1] in (["of"], ["is"], ["was"], ["were"], ["are"], [":"])
            return quantity, len(said) + linked
    return None, 0


SYMBOLS = (">=", "<=", ">", "<", "=", "=>", "=<")


@lru_cache(maxsize=1)
def _comparators() -> tuple[tuple[tuple[str, ...], str], ...]:
    ops = {"more": ">", "at_least": ">=", "less": "<", "at_most": "<="}
    pairs = [(tuple(w.split()), op) for key, op in ops.items() for w in vocabulary.entry(f"compare.{key}")]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


COMPARATOR_WORDS = frozenset(phrase.split()[0] for key in ("more", "at_least", "less", "at_most")
                             for phrase in vocabulary.entry(f"compare.{key}"))
COMPARATOR_ENDS = frozenset(phrase.split()[-1] for key in ("more", "at_least", "less", "at_most")
                            for phrase in vocabulary.entry(f"compare.{key}"))


@lru_cache(maxsize=1)
def _directions() -> frozenset[str]:
    return frozenset(w for spec in vocabulary.entry("quantity").values() for key in ("more", "less")
                     for w in spec[key])


def _before(words: list[str], j: int, name: str | None = None) -> tuple[str | None, int, str | None]:
    """(op, words taken, direction word) of a comparator before the number; the named quantity's
    own directions first ("an aperture smaller than f/11" is narrower, not a smaller number)."""
    if name is not None:
        spec = vocabulary.entry(f"quantity.{name}")
        own = _direction_than(words, j, spec["more"] + spec["less"])
        if own[1]:
            return own
    for said, op in _comparators():
        if tuple(words[j:j + len(said)]) == said:
            return op, len(said), None
    return _direction_than(words, j, _directions())


def _direction_than(words: list[str], j: int, directions) -> tuple[None, int, str | None]:
    """A direction and "than" at word j ("wider than"), the longest first."""
    for direction in sorted(directions, key=lambda d: -len(d.split())):
        said = direction.split()
        if words[j:j + len(said)] == said and words[j + len(said):j + len(said) + 1] == ["than"]:
            return None, len(said) + 1, direction
    return None, 0, None


def _after(words: list[str], j: int, quantity: str) -> tuple[str | None, int]:
    """The op a comparator after the number means, and the words it takes: "or more", "+",
    "or wider", "or smaller aperture"."""
    for key, op in (("more_after", ">="), ("less_after", "<=")):
        for phrase in sorted(vocabulary.entry(f"compare.{key}"), key=lambda p: -len(p.split())):
            said = phrase.split()
            if words[j:j + len(said)] == said:
                return op, len(said)
    if words[j:j + 1] in (["or"], ["and"]):  # "f/16 and smaller", as "or smaller"
        spec = vocabulary.entry(f"quantity.{quantity}")
        for direction in sorted(spec["more"] + spec["less"], key=lambda d: -len(d.split())):
            said = direction.split()
            if words[j + 1:j + 1 + len(said)] == said:
                n = 1 + len(said)
                name, more = _name(words, j + n)
                return _direction(quantity, direction, strict=False), n + (more if name == quantity else 0)
    return None, 0


def _said_direction(words: list[str], j: int) -> bool:
    return words[j:j + 1] in (["or"], ["and"]) and bool(words[j + 1:j + 2]) and words[j + 1] in _directions()


def _direction(quantity: str, word: str, *, strict: bool) -> str | None:
    spec = vocabulary.entry(f"quantity.{quantity}")
    if word in spec["more"]:
        return ">" if strict else ">="
    if word in spec["less"]:
        return "<" if strict else "<="
    return None


def _flip(op: str) -> str:
    return {">": "<", ">=": "<=", "<": ">", "<=": ">="}.get(op, op)


def _number(word: str) -> float | None:
    if NUMBER.fullmatch(word):
        return float(word)
    if word in vocabulary.table("numbers") and vocabulary.table("numbers")[word] <= 5 and \
            word not in ("couple", "few", "handful", "several", "dozen"):
        return float(vocabulary.table("numbers")[word])
    return None


def _measure(words: list[str], j: int, name: str | None, led: bool) -> _Measure | None:
    """A value and the quantity its unit (or the name before it) says."""
    if j >= len(words):
        return None
    word, nxt = words[j], words[j + 1] if j + 1 < len(words) else ""
    units = {key: vocabulary.terms(f"measure.{key}") for key in ("mm", "seconds", "minutes", "stars")}
    aperture = APERTURE.fullmatch(word)
    if aperture and j and words[j - 1] in vocabulary.terms("cameras.brands") and not word.startswith("f/"):
        return None  # "nikon f3": a camera's name
    if aperture and (word.startswith("f/") or name == "f_number" or re.fullmatch(r"f\d+(\.\d+)?", word)):
        return _sane(_Measure("f_number", float(aperture.group(1)), 1))
    if word == "f" and _number(nxt) is not None:
        return _sane(_Measure("f_number", _number(nxt), 2))
    fraction = FRACTION.fullmatch(word)
    if fraction and int(fraction.group(1)) >= 2:
        return _sane(_Measure("exposure_s", 1 / int(fraction.group(1)), 1 + (nxt in units["seconds"]), True))
    if word in ("iso", "asa") and _number(nxt) is not None:
        return _sane(_Measure("iso", _number(nxt), 2))
    span = RANGE.fullmatch(word)
    if span:
        low, high = float(span.group(1)), float(span.group(2))
        quantity = "focal" if nxt in units["mm"] or span.group(3) else name
        if quantity in ("focal", "iso", "f_number") and low < high:
            return _sane(_Measure(quantity, (low, high), 1 + (nxt in units["mm"])))  # type: ignore[arg-type]
        return None
    seconds = re.fullmatch(r"(\d+(?:\.\d+)?)(?:s|sec|secs)", word)  # "30s": a decade alone, seconds here
    if seconds and (name == "exposure_s" or _after(words, j + 1, "exposure_s")[0] or j and words[j - 1] in
                    [w for ws in _comparators() for w in ws[0]] + ["than"]):
        return _sane(_Measure("exposure_s", float(seconds.group(1)), 1))
    spoken = _spoken_fraction(words, j)
    if spoken is not None:  # "a hundredth of a second": a speed, as 1/100 is
        return _sane(_Measure("exposure_s", spoken[0], spoken[1], True))
    # "a quarter second", "half second exposures", "a minute or longer": a time beside what says it
    # is one ("a second line parade" is none)
    spoken = _spoken_time(words, j)
    if spoken is not None and (name == "exposure_s" or led or j and words[j - 1] in COMPARATOR_ENDS or
                               _after(words, j + spoken[1], "exposure_s")[0] or
                               _name(words, j + spoken[1])[0] == "exposure_s"):
        return _sane(_Measure("exposure_s", spoken[0], spoken[1]))
    stars = re.fullmatch(r"([0-5]|one|two|three|four|five)-?stars?", word)
    if stars:
        return _sane(_Measure("rating", _number(stars.group(1)), 1))
    value = _number(word)
    if value is None:
        return None
    if (unit := _unit_after_comparator(words, j + 1)) is not None:
        return _sane(_Measure(unit, value, 1))  # "4 or more stars": the unit after "or more"
    if nxt in units["mm"]:
        return _sane(_Measure("focal", value, 2))
    if nxt in units["stars"] or nxt == "+" and words[j + 2:j + 3] and words[j + 2] in units["stars"]:
        return _sane(_Measure("rating", value, 2 if nxt != "+" else 3, plus=nxt == "+"))
    if nxt in ("iso", "asa") and not (words[j + 2:j + 3] and (_number(words[j + 2]) is not None or
                                                              words[j + 2] in COMPARATOR_WORDS)):
        return _sane(_Measure("iso", value, 2))  # "800 iso"; not "concerts 2025 iso over 3200"
    if nxt in units["seconds"] and (name in (None, "exposure_s")):
        return _sane(_Measure("exposure_s", value, 2))
    if nxt in units["minutes"] and name == "exposure_s":
        return _sane(_Measure("exposure_s", value * 60, 2))
    if name is not None and (NUMBER.fullmatch(word) or name == "rating"):  # "a star rating of two or lower"
        return _sane(_Measure(name, value, 1))
    if led and name is None and value in vocabulary.entry("measure.lens_names") and NUMBER.fullmatch(word) \
            and j > 0 and words[j - 1] in ("the", "my", "a"):
        return _Measure("focal", value, 1)  # "on the 85", "with my 35"
    return None


UNIT_OF = {"rating": "stars", "focal": "mm"}


def _unit_after_comparator(words: list[str], j: int) -> str | None:
    """The quantity whose unit follows a comparator said after a number: "4 or more stars"."""
    for key in ("more_after", "less_after"):
        for phrase in vocabulary.entry(f"compare.{key}"):
            said = phrase.split()
            if len(said) > 1 and words[j:j + len(said)] == said and j + len(said) < len(words):
                unit = words[j + len(said)]
                return next((q for q, u in UNIT_OF.items() if unit in vocabulary.terms(f"measure.{u}")), None)
    return None


SPOKEN_TIMES = {("a", "second"): 1.0, ("one", "second"): 1.0, ("a", "quarter", "second"): 0.25,
                ("quarter", "second"): 0.25, ("a", "quarter", "of", "a", "second"): 0.25, ("half", "a", "second"): 0.5,
                ("a", "half", "second"): 0.5, ("half", "second"): 0.5, ("a", "minute"): 60.0, ("one", "minute"): 60.0,
                ("a", "few", "seconds"): 3.0, ("a", "couple", "of", "seconds"): 2.0, ("a", "sec"): 1.0,
                ("one", "sec"): 1.0, ("a", "min"): 60.0}


ORDINAL_PARTS = {"third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "eighth": 8, "tenth": 10, "fifteenth": 15,
                 "twentieth": 20, "thirtieth": 30, "sixtieth": 60, "hundredth": 100, "thousandth": 1000}


def _spoken_fraction(words: list[str], j: int) -> tuple[float, int] | None:
    """ "a hundredth of a second", "one thousandth of a sec", "two thousandth of a second",
    "a 250th of a second": a shutter speed said as a part of a second."""
    k = j + (words[j] in ("a", "one", "1"))
    times = 1.0
    if k + 1 < len(words) and (value := _number(words[k])) is not None and words[k + 1] in ("hundredth", "thousandth"):
        times, k = value, k + 1  # "two thousandth"
    ordinal = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", words[k]) if k < len(words) else None
    part = int(ordinal.group(1)) if ordinal else ORDINAL_PARTS.get(words[k]) if k < len(words) else None
    if not part:
        return None
    k += 1
    k += (words[k:k + 2] == ["of", "a"]) * 2
    if k >= len(words) or words[k] not in vocabulary.terms("measure.seconds"):
        return None
    return 1 / (part * times), k + 1 - j


def _spoken_time(words: list[str], j: int) -> tuple[float, int] | None:
    for said, seconds in sorted(SPOKEN_TIMES.items(), key=lambda item: -len(item[0])):
        if tuple(words[j:j + len(said)]) == said:
            return seconds, len(said)
    return None


def _sane(m: _Measure) -> _Measure | None:
    low, high = SANE[m.quantity]
    values = m.value if isinstance(m.value, tuple) else (m.value,)
    return m if all(low <= v <= high for v in values) else None


# -- times of day by the clock ------------------------------------------------------------

CLOCK = re.compile(r"(\d{1,2})(?::(\d\d))?(-?ish)?")


def read_clock(words: list[str], i: int) -> Read | None:
    """ "after 10pm", "before 7am", "between 6 and 8pm", "from 9 to 11pm", "at 5pm": the hours of
    the photo's local time, as Fact("hour", "between", (first, last)), whole hours inclusive."""
    after = _longest(words, i, vocabulary.entry("daytimes.clock_after"))
    before = 0 if after else _longest(words, i, vocabulary.entry("daytimes.clock_before"))
    between = 0 if after or before else _longest(words, i, ("between", "at", "around"))
    if not (after or before or between):
        return _clock_range(words, i)
    j = i + after + before + between
    first = _hour(words, j)
    if first is None:
        return None
    hour, n, said = first
    j += n
    if between and words[i] == "between" or words[i] == "from":
        if not (words[j:j + 1] and words[j] in ("and", *RANGE_WORDS)):
            return None
        read = _until(words, j, hour, said, i)
        if read is not None and not said and not _hour(words, j + 1)[2] and not _of_the_clock(words, i, i + read.words):
            return None  # "between 3 and 5 dogs": numbers, not hours
        half = _half_said(words, i + read.words) if read is not None and not said else None
        if half and half[0] == "pm" and read.fact.value[0] < 12 and read.fact.value[1] < 12:  # "in the afternoon"
            first, last = read.fact.value[0] + 12, read.fact.value[1] + 12
            return Read(Fact("hour", "between", (first, last), f"{first:02d}:00-{last + 1:02d}:00"),
                        read.words + half[1])
        if read is None or half:
            return read and replace(read, words=read.words + half[1])
        first, last = read.fact.value
        if not said and not _hour(words, j + 1)[2] and first in BARE_HOURS_PM["at"] and first < last <= 12:
            # "between 5 and 7": the evening's, more likely than the small hours'; those offered
            evening = Fact("hour", "between", (first + 12, last + 12), f"{first + 12:02d}:00-{last + 13:02d}:00")
            other = " ".join(words[i:i + read.words - 1] + [f"{words[i + read.words - 1]}am"])
            return Read(evening, read.words, note=f"'{first}' and '{last + 1}' read as pm",
                        other=(f"am: {read.fact.label}", other))
        return read
    if said in ("", "ish", "spoken") and (half := _half_said(words, j)):  # "before 7 in the morning"
        hour, said = (hour % 12 + 12, "pm") if half[0] == "pm" else (hour % 12, "am")
        j += half[1]
    if said in ("", "ish", "spoken"):
        return _bare_hour(words, i, j, hour, said, "after" if after else "before" if before else "at")
    if after and hour == 0:  # "after midnight": the small hours
        return Read(Fact("hour", "between", (0, 4), "00:00-04:59"), j - i)
    if after:
        return Read(Fact("hour", "between", (hour, 23), f"after {hour:02d}:00"), j - i)
    if before:
        return Read(Fact("hour", "between", (0, max(hour - 1, 0)), f"before {hour:02d}:00"), j - i)
    return _one_hour(hour, j - i)


# a bare hour's half of the day, by the word before it: the waking day's reading ("after 5",
# "before 9", "at 6ish"); the other half offered
BARE_HOURS_PM = {"after": range(1, 12), "before": range(1, 5), "at": range(1, 7)}


def _bare_hour(words: list[str], i: int, j: int, hour: int, said: str, lead: str) -> Read | None:
    """ "fridays after 5", "before 9 on weekdays", "at 5ish": an hour without am or pm, read
    as one when it ends the question or a clause, or is said roughly ("5ish"). Which half of the
    day is a guess, so the other is offered."""
    rough = said == "ish" or words[i] in ("around", "about")
    if hour == 12 and said != "spoken" or \
            not (said in ("ish", "spoken") or (lead != "at" or rough) and _of_the_clock(words, i, j)):
        return None  # "after 10 years", "kids at 5": no time of day
    pm = hour in BARE_HOURS_PM[lead]
    hour24, other24 = (hour + 12, hour) if pm else (hour, hour + 12)
    half, other = ("pm", "am") if pm else ("am", "pm")
    read = _hour_read(lead, hour24, rough)
    note = f"'{hour}' read as {hour} {half}"
    alt = " ".join(words[i:i + (1 if lead != "at" or words[i] in ("at", "around", "about") else 0)] + [f"{hour}{other}"])
    return Read(read.fact, j - i, note=note, other=(f"{hour} {other}: {_hour_read(lead, other24, rough).fact.label}",
                                                    alt))


def _hour_read(lead: str, hour: int, rough: bool) -> Read:
    if lead == "after":
        return Read(Fact("hour", "between", (hour, 23), f"after {hour:02d}:00"), 0)
    if lead == "before":
        return Read(Fact("hour", "between", (0, max(hour - 1, 0)), f"before {hour:02d}:00"), 0)
    if rough:  # "around 6", "5ish": the hour before it too (whole hours: 5:00 to 6:59)
        return Read(Fact("hour", "between", (hour - 1, hour), f"{hour - 1:02d}:00-{hour:02d}:59"), 0)
    return _one_hour(hour, 0)


def _one_hour(hour: int, words: int) -> Read:
    """The hour a clock time said alone names: "at 5pm", "3am stuff"."""
    return Read(Fact("hour", "between", (hour, hour), f"{hour:02d}:00-{hour:02d}:59"), words)


def _half_said(words: list[str], j: int) -> tuple[str, int] | None:
    """ "in the afternoon", "in the morning", "at night" after hours said bare: which half of the
    day ("am", "pm"), and its words."""
    halves = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm"}
    for n in (3, 2):
        said = words[j:j + n]
        if len(said) == n and said[0] in ("in", "at") and said[-1] in halves and (n == 2 or said[1] == "the"):
            return halves[said[-1]], n
    return None


RANGE_WORDS = ("to", "-", "until", "till", "through", "thru")
CLOCK_WORDS = {"morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "night", "nights",
               "o'clock", "oclock", "hours", "h", "clock", "am", "pm", "a.m.", "p.m."}


def _of_the_clock(words: list[str], i: int, end: int) -> bool:
    """Whether bare numbers ("between 7 and 10") are hours: the question speaks of the time of day
    around them, or they end a clause."""
    return end >= len(words) or bool(CLOCK_WORDS & set(words[max(0, i - 4):i] + words[end:end + 3])) \
        or words[end] in (",", "on", "at", "in", "near", "and")


def _clock_range(words: list[str], i: int) -> Read | None:
    """ "midnight to 3am", "10pm-2am": two times said as times, no preposition before; or one
    said with its half of the day ("3am stuff")."""
    first = _hour(words, i)
    if first is not None and first[2] in ("am", "pm") and \
            (i + first[1] >= len(words) or words[i + first[1]] not in RANGE_WORDS):
        return _one_hour(first[0], first[1])
    if first is not None and first[2] == "spoken":  # "quarter past 7": a time, whatever follows
        if (half := _half_said(words, i + first[1])) is not None:
            return _one_hour(first[0] % 12 + (12 if half[0] == "pm" else 0), first[1] + half[1])
        return _bare_hour(words, i, i + first[1], first[0], "spoken", "at")
    if first is None or i + first[1] >= len(words) or words[i + first[1]] not in RANGE_WORDS:
        return None
    second = _hour(words, i + first[1] + 1)
    if not first[2] and (second is None or second[2] in ("", "24h")):
        return None  # "6 to 8 dogs": no time said
    return _until(words, i + first[1], first[0], first[2], i)


def _until(words: list[str], j: int, hour: int, said: str, i: int) -> Read | None:
    """From `hour` to the clock time after word j ("and", "to")."""
    second = _hour(words, j + 1)
    if second is None:
        return None
    end, m, end_said = second
    if not said and end_said == "pm" and hour < 12 and hour + 12 < end:  # "between 6 and 8pm"; "9 to 5pm" is 9am
        hour += 12
    elif not said and not end_said and end < hour < end + 12:  # "from 9 to 5": to 5pm
        end += 12
    return Read(Fact("hour", "between", (hour, max(hour, end - 1) if end > hour else (end - 1) % 24),
                     f"{hour:02d}:00-{end:02d}:00"), j + 1 + m - i)


def _hour(words: list[str], j: int) -> tuple[int, int, str] | None:
    """(hour of the day, words taken, "am"/"pm"/"" as said) of a clock time at word j."""
    if j >= len(words):
        return None
    named = vocabulary.table("daytimes.clock_words")
    if words[j] in named:
        return named[words[j]], 1, "named"
    if (spoken := _spoken_clock(words, j)) is not None:
        return spoken
    match = CLOCK.fullmatch(words[j])
    if not match:
        return None
    hour = int(match.group(1))
    if match.group(3) or words[j + 1:j + 2] == ["ish"]:  # "5ish", "5-ish", "5 ish": roughly then
        return (hour, 1 + (not match.group(3)), "ish") if 1 <= hour <= 12 and not match.group(2) else None
    half = words[j + 1] if j + 1 < len(words) and words[j + 1] in ("am", "pm", "a.m.", "p.m.") else ""
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
        return hour, 2, half.replace(".", "")
    if match.group(2) and 0 <= hour <= 23:
        return hour, 1, "24h"
    return (hour, 1, "") if 1 <= hour <= 12 else None


def _spoken_clock(words: list[str], j: int) -> tuple[int, int, str] | None:
    """ "quarter past 7", "half past 6", "20 past 5", "quarter to 8" (7:45): the hour the time is
    in, as a time said the way people speak one ("10 to 5" is no time: a range)."""
    minutes = {"quarter": 15, "half": 30}.get(words[j]) or (int(words[j]) if words[j] in ("5", "10", "20", "25") else 0)
    side = words[j + 1] if j + 1 < len(words) else ""
    if not minutes or side not in ("past", "after", "to", "till") or j + 2 >= len(words):
        return None
    before = side in ("to", "till")
    hour = CLOCK.fullmatch(words[j + 2])
    if hour is None or hour.group(2) or hour.group(3) or not 1 <= int(hour.group(1)) <= 12 or \
            before and words[j] != "quarter":
        return None  # "10 to 5" is a range
    return (int(hour.group(1)) - before) or 12, 3, "spoken"


# -- the facts and their labels ---------------------------------------------------------

def _fact(quantity: str, op: str, value) -> Fact:
    if op == "=":
        low, high = {"focal": (value - 0.5, value + 0.5), "f_number": (round(value * 0.96, 2), round(value * 1.04, 2)),
                     "exposure_s": (value * 0.95, value * 1.05)}.get(quantity, (None, None))
        if low is not None:
            return Fact(quantity, "between", (low, high), _label(quantity, "=", value))
        return Fact(quantity, "=", int(value) if quantity in ("iso", "rating") else value, _label(quantity, "=", value))
    if op == "between":
        return Fact(quantity, "between", tuple(value), _label(quantity, "between", value))
    return Fact(quantity, op, int(value) if quantity in ("iso", "rating") else value, _label(quantity, op, value))


def _shown(quantity: str, value: float) -> str:
    if quantity == "focal":
        return f"{value:g} mm"
    if quantity == "f_number":
        return f"f/{value:g}"
    if quantity == "iso":
        return f"ISO {value:g}"
    if quantity == "exposure_s":
        return f"1/{round(1 / value)} s" if value < 1 else f"{value:g} s"
    return f"{value:g} star{'s' if value != 1 else ''}"


# the words for more and less of each quantity, as a label says them
MORE_LESS = {"focal": ("longer", "wider"), "f_number": ("narrower", "wider"), "iso": ("higher", "lower"),
             "exposure_s": ("longer", "faster"), "rating": ("more", "fewer")}


def _label(quantity: str, op: str, value) -> str:
    if op == "between":
        return f"{_shown(quantity, value[0])} to {_shown(quantity, value[1])}"
    shown = _shown(quantity, value)
    more, less = MORE_LESS[quantity]
    return {"=": shown, ">=": f"{shown} or {more}", "<=": f"{shown} or {less}",
            ">": f"{more} than {shown}", "<": f"{less} than {shown}"}[op]


def _note(quantity: str, label: str) -> str:
    return f"{label}: the focal length, or its 35 mm equivalent" if quantity == "focal" else ""
