"""Date phrases to inclusive date ranges.

Seasons are meteorological: three whole months. A winter is named by the year of
its January, so in the northern hemisphere "winter 2022" runs from 1 December
2021 to 28 February 2022. In the southern hemisphere the seasons swap (winter is
June to August, and "summer 2022" is December 2021 to February 2022).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flux_ask.query import vocabulary

MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
NUMBER_WORDS: dict[str, int] = vocabulary.table("numbers")
# First month of each season, northern hemisphere.
NORTHERN = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9, "fall": 9}
SOUTHERN = {"summer": 12, "autumn": 3, "fall": 3, "winter": 6, "spring": 9}

Range = tuple[date, date]


def month_number(word: str) -> int:
    return MONTHS[word[:3]]


def count_of(word: str) -> int:
    return int(word) if _digits(word) else NUMBER_WORDS[word]


def is_count(word: str) -> bool:
    return _digits(word) or word in NUMBER_WORDS


def _digits(word: str) -> bool:
    return word.isascii() and word.isdigit()  # "¹" and "٣" are digits to Python, not counts


def month_range(year: int, first: int, last: int | None = None) -> Range:
    """First day of `first` to the last day of `last` (same year, or the next if last < first)."""
    last = first if last is None else last
    end_year = year if last >= first else year + 1
    return date(year, first, 1), date(end_year, last, calendar.monthrange(end_year, last)[1])


def season_range(season: str, year: int, hemisphere: str = "north") -> Range:
    season = season[:-1] if season.endswith("s") else season  # "winters"
    start = (SOUTHERN if hemisphere == "south" else NORTHERN)[season]
    if start == 12:  # the December-to-February season is named by its January
        return month_range(year - 1, 12, 2)
    return month_range(year, start, start + 2)


def season_containing(day: date, season: str, hemisphere: str) -> Range:
    """The range of `season` in the year whose instance is current or next at `day`."""
    for year in (day.year, day.year + 1):
        start, end = season_range(season, year, hemisphere)
        if end >= day:
            return start, end
    raise AssertionError("unreachable")


def last_season(season: str, now: date, hemisphere: str) -> Range:
    """The most recent such season that has ended."""
    start, end = season_containing(now, season, hemisphere)
    while end >= now:
        start, end = season_range(season, _name_year(start) - 1, hemisphere)
    return start, end


def this_season(season: str, now: date, hemisphere: str) -> Range:
    """This year's: the one in progress, else the one named by this year."""
    start, end = season_containing(now, season, hemisphere)
    if start <= now:
        return start, end
    return season_range(season, now.year, hemisphere)


def _name_year(start: date) -> int:
    """The year a season is named by: that of its January for the one starting in December."""
    return start.year + 1 if start.month == 12 else start.year


def past_span(count: int, unit: str, now: date) -> Range:
    """The last `count` days, weeks, months or years; one longer than the calendar starts
    with the calendar (year 1)."""
    try:
        return _past_span(count, unit, now)
    except (OverflowError, ValueError):
        return date.min, now


def _past_span(count: int, unit: str, now: date) -> Range:
    unit = unit.rstrip("s")
    if unit == "day":
        start = now - timedelta(days=count)
    elif unit == "week":
        start = now - timedelta(weeks=count)
    elif unit == "month":
        month = now.month - count
        year = now.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start = date(year, month, min(now.day, calendar.monthrange(year, month)[1]))
    else:
        start = safe_date(now.year - count, now.month, now.day)
    return start, now


def relative_period(which: str, period: str, now: date) -> Range:
    """"last year" is the calendar year before this one; "the past year" the last twelve months."""
    if which == "past":
        return past_span(1, period, now)
    if period == "year":
        year = now.year - (which == "last")
        return date(year, 1, 1), date(year, 12, 31)
    if period == "month":
        first = now.replace(day=1)
        if which == "last":
            first = (first - timedelta(days=1)).replace(day=1)
        return month_range(first.year, first.month)
    monday = now - timedelta(days=now.weekday())
    if which == "last":
        monday -= timedelta(weeks=1)
    return monday, monday + timedelta(days=6)


EVERY_YEARS: int = vocabulary.entry("dates.every_years")  # a month, season or holiday without a year: every one


def every_year(first_of: Callable[[int], Range], now: date) -> list[Range]:
    """The range `first_of(year)` gives, for each of the last EVERY_YEARS years, cut at today;
    and next year's where it has begun (the winter named by next January starts in December)."""
    out = []
    for year in range(now.year - EVERY_YEARS + 1, now.year + 2):
        start, end = first_of(year)
        if start <= now:
            out.append((start, min(end, now)))
    return out


def safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def describe(r: Range) -> str:
    start, end = r
    if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        if (start.year, start.month) == (end.year, end.month):
            return start.strftime("%b %Y")
        if start.month == 1 and end.month == 12:
            return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
        return f"{start:%b %Y}-{end:%b %Y}"
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def whole_year(ranges) -> int | None:
    """The year the ranges are, when they are one whole year (this one up to today)."""
    if len(ranges) != 1:
        return None
    start, end = ranges[0]
    return start.year if (start.month, start.day) == (1, 1) and end.year == start.year else None


RECENT_DAYS: int = vocabulary.entry("dates.recent_days")  # "recently"
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
RELATIVE_DAYS: dict[str, str] = vocabulary.table("dates.relative_days")
DATE_ORDERS = ("MDY", "DMY", "YMD")  # how 02/03/2020 reads: the `date_order` setting


DOTTED = re.compile(r"\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})")


def parsed_day(text: str, now: date, date_order: str = "MDY") -> date | None:
    """A day as people write one ("14 February 2021", "Feb 14th", "2021-02-14",
    "02/14/2021", "2 weeks ago", "last tuesday"), read by dateparser; a day named
    without a year is the most recent one."""
    import dateparser  # deferred: ~0.15 s, and only questions that name a day need it

    if DOTTED.fullmatch(text.strip()):
        date_order = "DMY"  # "10.03.2022": days written with dots put the day first, wherever they are written
    found = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": datetime(now.year, now.month, now.day), "PREFER_DATES_FROM": "past",
        "DATE_ORDER": date_order, "RETURN_AS_TIMEZONE_AWARE": False})
    return found.date() if found else None


def around(day: date, unit: str) -> Range:
    """The window a relative date means: that day, its week (Monday to Sunday), its
    month, or its year."""
    unit = unit.rstrip("s")
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        return month_range(day.year, day.month)
    if unit == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def last_weekend(now: date) -> Range:
    """The most recent Saturday and Sunday that are over (on a weekend: the one before)."""
    since_saturday = (now.weekday() - 5) % 7
    saturday = now - timedelta(days=since_saturday + (7 if since_saturday <= 1 else 0))
    return saturday, saturday + timedelta(days=1)


def full_year(two_digits: int, now: date) -> int:
    """'19 is 2019; '85 is 1985: the most recent such year that is not in the future."""
    return 2000 + two_digits if 2000 + two_digits <= now.year else 1900 + two_digits


DECADE_WORDS: dict[str, str] = vocabulary.table("dates.decade_words")


def year_of(word: str, now: date) -> int:
    """ "2019", "19" or "'19": a year written whole or short."""
    return int(word) if len(word) == 4 else full_year(int(word.strip("'")), now)


def decade_range(word: str, part: str | None, now: date) -> Range:
    """"the 1980s", "the late 90s", "the nineties": a decade, or its early, mid or late part;
    a decade written short is the most recent one that has begun."""
    digits = DECADE_WORDS.get(word) or word.strip("'").removesuffix("s")
    first = year_of(digits, now)
    span = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(part or "", (0, 9))
    return date(first + span[0], 1, 1), date(first + span[1], 12, 31)


YEAR_PARTS: dict[str, list[int]] = vocabulary.table("dates.year_parts")


def year_part_range(part: str, year: int) -> Range:
    first, last = YEAR_PARTS[part]
    return month_range(year, first, last)


def seasons_ago(season: str, count: int, now: date, hemisphere: str) -> Range:
    """"two winters ago": the winter before last."""
    last = last_season(season, now, hemisphere)
    return season_range(season, _name_year(last[0]) - (count - 1), hemisphere)


def holiday_span(day: date, name: str, span: str | None) -> Range:
    """The days a holiday means: the day; "new years" its eve too; its week (Monday to
    Sunday); or its weekend, long where it touches one (Thanksgiving Thursday to Sunday,
    Memorial Day Saturday to Monday)."""
    weekday = day.weekday()
    if span == "week":
        return day - timedelta(days=weekday), day + timedelta(days=6 - weekday)
    if span in ("weekend", "long weekend"):
        if weekday in (3, 4):
            return day, day + timedelta(days=6 - weekday)
        if weekday in (5, 6):
            return day - timedelta(days=weekday - 5), day + timedelta(days=6 - weekday)
        return day - timedelta(days=weekday + 2), day
    if name in ("new year", "new years", "nye"):
        return (day, day) if name == "nye" else (day - timedelta(days=1), day)
    return day, day


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_SETS = {**{f"{name.lower()}s": {i} for i, name in enumerate(DAY_NAMES)},
                **{name.lower(): {i} for i, name in enumerate(DAY_NAMES)},
                "weekends": {5, 6}, "weekend": {5, 6}, "weekdays": {0, 1, 2, 3, 4}, "workdays": {0, 1, 2, 3, 4},
                "weekday": {0, 1, 2, 3, 4}, "workday": {0, 1, 2, 3, 4}}


WEEKDAY_SHORT = {"mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday", "weds": "wednesday",
                 "thu": "thursday", "thur": "thursday", "thurs": "thursday", "fri": "friday", "sat": "saturday",
                 "sun": "sunday"}
TIMES_OF_DAY = {"morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "night", "nights"}


def weekday_words(days: tuple[int, ...]) -> str:
    if set(days) == {5, 6}:
        return "weekends"
    if set(days) == {0, 1, 2, 3, 4}:
        return "weekdays"
    return ", ".join(f"{DAY_NAMES[d]}s" for d in days)
