"""Holidays and festivals by name, in English and in the countries' own languages.

Two sources, both read through this module only:
- the calendars of the `holidays` package: every country it knows, every language it
  translates them into ("Koningsdag", "Fête nationale", "Tết Nguyên Đán"), indexed once per
  install and `holidays` version (`names()`), and its lunisolar, Islamic and Hebrew
  calendars, for the days no country list keeps on its own;
- words.toml's [festivals]: what people call a festival, whose it is, and a rule for its
  days in any year ("easter-47" is Mardi Gras, "sat>=09-16..max(sun>=10-01,10-03)" Oktoberfest).
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from flux_ask.atomic import atomic_output, kept_pickled
from flux_ask.query import vocabulary

Range = tuple[date, date]
INDEX_VERSION = "2"
MIN_NAME_CHARS = 3  # a name folded to a letter or two ("i") is what is left of another script's: no name
INDEX_YEARS = range(2019, 2028)  # the years whose names are indexed: names change little
MAX_NAME_WORDS = 6
# calendar entries that name no holiday of their own
NOT_A_NAME = re.compile(r"\d|\bday off\b|\bsubstitut|\bbridge\b|\bsqueeze\b|\badditional\b|\bjoint holiday\b|"
                        r"\bbank holiday\b|\bholiday$|^holiday|\bobserved\b|\bin lieu\b|^the day (before|after)|"
                        r"\bday before\b|\bday after\b|\belection\b|\bworkday\b|\bhalf[- ]day\b|\b(from|until) \d")


def _calendars_naming(key: str, index: dict[str, list[list[str]]]) -> list[list[str]]:
    """[country, English name] of each calendar that names the holiday (an index lookup, no calendar
    loaded): "Orthodox Christmas" and "Orthodox Christmas Day" are one, whichever a calendar says."""
    return [*index.get(key, ()), *index.get(_other_day_name(key), ())]


def _other_day_name(key: str) -> str:
    return key.removesuffix(" day") if key.endswith(" day") else key + " day"


HALF_DAY = re.compile(r"\((from|until) \d", re.I)


def key_of(name: str) -> str:
    """How a holiday's name is looked up: folded, without its notes in brackets or apostrophes."""
    text = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[’'`´]s\b|[’'`´]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"^the ", "", text.strip())
    text = re.sub(r"^day of (?!the\b)(.+)", r"\1 day", text)  # "the day of german unity": German Unity Day
    return " ".join(text.split())


@dataclass(frozen=True)
class Festival:
    """A named holiday: a rule of words.toml's, or a name of one or more countries' calendars."""

    key: str  # the festival's key, or the calendar's English name
    label: str  # as people say it: "Diwali", "Thanksgiving Day"
    country: str | None  # whose calendar it follows; None: the question's or the configured one
    rule: str | None = None  # words.toml's days rule; None: the calendar's own days of that name
    countries: tuple[str, ...] = ()  # the calendars that name it (calendar holidays)

    def days(self, year: int, country: str, asked: str | None = None) -> list[Range]:
        """The spans of days it covers that begin in `year` (most have one); a festival of
        words.toml's as the calendar of the country asked about keeps it, where it does (Eid
        al-Adha is four days in Turkey)."""
        if self.rule is not None:
            kept = calendar_days(self.label, year, asked) if self.kept_by(asked) else []
            return kept or _rule_days(self.rule, year, self.country or country)
        return calendar_days(self.key, year, country)

    def kept_by(self, asked: str | None) -> bool:
        """Whether the calendar of the country asked about keeps this festival of words.toml's."""
        if not (self.rule and asked and asked != self.country):
            return False
        return any(country == asked for country, _ in _calendars_naming(key_of(self.label), names()))

    def calendar_for(self, asked: str | None, configured: str) -> str | None:
        """Whose calendar reads it: the country the question names where its calendar has it
        (a festival's own otherwise), the configured one, else the one calendar that has the
        name; None where several do and nothing says which ("National Day")."""
        if self.rule is not None:
            return asked if asked and self.country is None else self.country or configured
        for country in (asked, configured):
            if country and country in self.countries:
                return country
        if len(self.countries) == 1:
            return self.countries[0]
        preferred = next((c for c in vocabulary.entry("festivals_settings.preferred_calendars")
                          if c in self.countries), None)
        if preferred:
            return preferred
        # several calendars, none of them named: the same holiday if they keep it on the same days (Nowruz)
        days = {tuple(calendar_days(self.key, year, c)) for c in self.countries[:4] for year in (2023, 2024)}
        return self.countries[0] if len(days) <= 2 else None


def festivals() -> dict[str, Festival]:
    """words.toml's festivals and aliases, by each name they are called."""
    return _festivals()


@lru_cache(maxsize=1)
def _festivals() -> dict[str, Festival]:
    out: dict[str, Festival] = {}
    for key, spec in vocabulary.entry("festivals").items():
        names = spec["names"]
        festival = Festival(key, _label(names[0]), spec.get("country"), spec["days"])
        for name in names:
            out.setdefault(key_of(name), festival)
    return out


def _label(name: str) -> str:
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in name.split())


def find(name: str, index: dict[str, list[list[str]]] | None = None) -> Festival | None:
    """The festival or calendar holiday called `name`, if any."""
    key = key_of(name)
    if not key:
        return None
    if key in festivals():
        return festivals()[key]
    aliases = vocabulary.table("holiday_aliases")
    if key in aliases:
        key = key_of(aliases[key])
    index = index if index is not None else names()
    found = _calendars_naming(key, index)
    if not found:
        return None
    english = found[0][1]
    countries = tuple(dict.fromkeys(country for country, _ in found))
    for near, _ in NEXT_TO_A_HOLIDAY.get(key_of(english), ()):  # Easter Sunday where Easter Monday is a holiday
        countries += tuple(c for c, _ in index.get(key_of(near), ()) if c not in countries)
    return Festival(key_of(english), english, None, None, countries)


# -- the calendars' names, indexed once per install ---------------------------------------

_index: dict[str, list[list[str]]] | None = None


def names(cache: Path | None = None) -> dict[str, list[list[str]]]:
    """Every holiday name the `holidays` calendars know, folded -> [[country, English name], ...],
    read from the install's cache (built there the first time: about two seconds)."""
    global _index
    if _index is not None:
        return _index
    from flux_ask.config import package_stamp, static_cache_dir

    if cache is None:
        cache = static_cache_dir()
    path = cache / f"holiday-names-{INDEX_VERSION}-{package_stamp('holidays')}.json"
    try:
        _index = json.loads(path.read_text(encoding="utf-8"))
        return _index
    except (OSError, ValueError):
        pass
    _index = _build_index()
    try:
        with atomic_output(path, ".json") as tmp:
            Path(tmp).write_text(json.dumps(_index), encoding="utf-8")
    except OSError:
        pass  # a read-only cache: built again in the next process
    return _index


def _build_index() -> dict[str, list[list[str]]]:
    import holidays

    index: dict[str, dict[str, str]] = {}
    localized = holidays.list_localized_countries()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for country in holidays.list_supported_countries():
            if len(country) != 2:
                continue  # the three-letter codes are the same calendars again
            english = _calendar(country, INDEX_YEARS, "en_US" if "en_US" in localized.get(country, ()) else None)
            for language in [None, *localized.get(country, ())]:
                for day, said in _calendar(country, INDEX_YEARS, language).items():
                    for name, english_name in zip(_parts(said), _parts(english.get(day, said)), strict=False):
                        if NOT_A_NAME.search(name.lower()) or NOT_A_NAME.search(english_name.lower()):
                            continue
                        key = key_of(name)
                        if len(key) >= MIN_NAME_CHARS and len(key.split()) <= MAX_NAME_WORDS:
                            index.setdefault(key, {}).setdefault(country, english_name)
    return {key: [[c, n] for c, n in by_country.items()] for key, by_country in index.items()}


def _parts(said: str) -> list[str]:
    return [part.strip() for part in said.split(";")]


def _calendar(country: str, years, language: str | None = None) -> dict[date, str]:
    import holidays

    try:
        categories = holidays.country_holidays(country).supported_categories
        return dict(holidays.country_holidays(country, years=years, language=language, categories=categories))
    except (NotImplementedError, KeyError, ValueError):
        return {}


CALENDAR_YEARS = range(1900, 2101)  # a country's days in these years are kept once per install


def _country_calendar(country: str, year: int) -> dict[date, str]:
    if year in CALENDAR_YEARS:
        return _kept_calendar(country).get(year, {})
    return _english_calendar(country, range(year, year + 1))


@lru_cache(maxsize=64)
def _kept_calendar(country: str) -> dict[int, dict[date, str]]:
    """The country's holidays by year, from the install's cache: importing the `holidays`
    package's calendars costs a tenth of a second, more than a question's whole plan."""
    from flux_ask.config import package_stamp, static_cache_dir

    def build() -> dict[int, dict[date, str]]:
        by_year: dict[int, dict[date, str]] = {}
        for day, said in _english_calendar(country, CALENDAR_YEARS).items():
            by_year.setdefault(day.year, {})[day] = said
        return by_year
    stamp = package_stamp("holidays")
    return kept_pickled(static_cache_dir() / f"calendar-{country}-{INDEX_VERSION}-{stamp}.pickle", build)


def _english_calendar(country: str, years) -> dict[date, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _calendar(country, years, "en_US") or _calendar(country, years)


def calendar_days(english: str, year: int, country: str, prefix: bool = False) -> list[Range]:
    """The days the country's calendar names `english` in `year` (observed days left out),
    runs of days as one span. `prefix`: names that begin so count too (the calendar's name for
    a holiday may grow a second name in some years: "Ganesh Chaturthi / Vinayak Chaturthi")."""
    wanted = key_of(english)

    def named(part: str) -> bool:
        key = key_of(part)
        return (key in (wanted, _other_day_name(wanted)) or prefix and key.startswith(wanted + " ")) \
            and "observed" not in part.lower() \
            and "in lieu" not in part.lower() and not HALF_DAY.search(part)  # "Eid al-Adha (from 1pm)": its eve
    def named_in(y: int) -> list[date]:
        return sorted(day for day, said in _country_calendar(country, y).items()
                      if any(named(part) for part in _parts(said)))
    # a holiday's year is the year it begins in: Hanukkah 2024 ends in January 2025, and is not
    # Hanukkah 2025's first days
    days = named_in(year)
    if days and days[0] == date(year, 1, 1) and date(year - 1, 12, 31) in named_in(year - 1):
        days = [d for k, d in enumerate(days) if d != date(year, 1, 1) + timedelta(days=k)]
    if days and days[-1] == date(year, 12, 31):
        after = named_in(year + 1)
        days += [d for k, d in enumerate(after) if d == date(year + 1, 1, 1) + timedelta(days=k)]
    if not days and wanted in NEXT_TO_A_HOLIDAY:  # Easter Sunday where only its neighbours are holidays
        days = [day + timedelta(days=shift) for near, shift in NEXT_TO_A_HOLIDAY[wanted]
                for day, _ in calendar_days(near, year, country)][:1]
    spans: list[Range] = []
    for day in days:
        if spans and day == spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


# Days that are no public holiday where their neighbours are (Easter Sunday in Greece or Germany):
# found from the neighbour, in that country's own reckoning
NEXT_TO_A_HOLIDAY = {"easter sunday": (("easter monday", -1), ("good friday", 2))}


# -- words.toml's rules ----------------------------------------------------------------

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TERM = re.compile(r"(?P<base>max\([^)]*\)|[a-z_]+:[^+\-]+?|[a-z]{3}[<>]=\d\d-\d\d|\d\d-\d\d|easter|orthodox_easter)"
                   r"(?P<offset>[+-]\d+)?$")


def _rule_days(rule: str, year: int, country: str) -> list[Range]:
    """The days of a rule in `year`: "MM-DD", "easter+N", "sat>=09-16", "calendar:NAME",
    "chinese:NAME", "islamic:NAME", "hebrew:NAME", "hindu:NAME", "max(A,B)", and "A..B" for
    a span (one that ends before it begins ends the next year)."""
    first, _, last = rule.partition("..")
    starts = _term(first, year, country)
    out = []
    for start in starts:
        if not last:
            out.append((start, start))
            continue
        ends = [e for y in (year, year + 1) for e in _term(last, y, country) if e >= start]
        if ends:
            out.append((start, min(ends)))
    return out


def _term(text: str, year: int, country: str) -> list[date]:
    match = _TERM.match(text.strip())
    if match is None:
        raise ValueError(f"not a festival rule: {text!r}")
    base, offset = match.group("base"), int(match.group("offset") or 0)
    return [day + timedelta(days=offset) for day in _base(base, year, country)]


def _base(base: str, year: int, country: str) -> list[date]:
    if base.startswith("max("):
        candidates = [_term(part, year, country) for part in base[4:-1].split(",")]
        return [max(found[0] for found in candidates if found)] if all(candidates) else []
    if re.fullmatch(r"\d\d-\d\d", base):
        month, day = map(int, base.split("-"))
        return [date(year, month, day)]
    if re.fullmatch(r"[a-z]{3}[<>]=\d\d-\d\d", base):  # the weekday on or after (>=) or before (<=) a day
        weekday, month, day = _WEEKDAYS[base[:3]], int(base[5:7]), int(base[8:10])
        anchor = date(year, month, day)
        shift = (weekday - anchor.weekday()) % 7 if base[3] == ">" else -((anchor.weekday() - weekday) % 7)
        return [anchor + timedelta(days=shift)]
    if base in ("easter", "orthodox_easter"):
        from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter

        return [easter(year, EASTER_ORTHODOX if base == "orthodox_easter" else EASTER_WESTERN)]
    kind, _, name = base.partition(":")
    if kind == "calendar":
        return [start for start, _ in calendar_days(name, year, country, prefix=True)]
    return _lunar(kind, name, year)


def _lunar(kind: str, name: str, year: int) -> list[date]:
    """A day of the lunisolar, Islamic or Hebrew calendars that the `holidays` package keeps."""
    if year in CALENDAR_YEARS:
        return _kept_lunar(kind, name).get(year, [])
    return _lunar_of(kind, name, year)


@lru_cache(maxsize=64)
def _kept_lunar(kind: str, name: str) -> dict[int, list[date]]:
    """A lunar day in every year, from the install's cache: the `holidays` package's import is
    most of what reading "diwali 2023" costs a new process."""
    from flux_ask.config import package_stamp, static_cache_dir

    stamp = package_stamp("holidays")
    return kept_pickled(static_cache_dir() / f"lunar-{kind}-{name}-{INDEX_VERSION}-{stamp}.pickle",
                        lambda: {year: _lunar_of(kind, name, year) for year in CALENDAR_YEARS})


def _lunar_of(kind: str, name: str, year: int) -> list[date]:
    from holidays import calendars

    made = {"chinese": calendars._ChineseLunisolar, "islamic": calendars._IslamicLunar,
            "hebrew": calendars._HebrewLunisolar, "hindu": calendars._HinduLunisolar}[kind]()
    method = getattr(made, f"{name}_dates", None) or getattr(made, f"{name}_date")
    found = method(year)  # a day, (day, estimated), a set of days, or a list of (day, estimated)
    if found is None or isinstance(found, date) or isinstance(found, tuple) and isinstance(found[-1], bool):
        found = [found]
    days = (item[0] if isinstance(item, tuple) else item for item in found)
    return sorted(day for day in days if day is not None and day.year == year)
