"""Date phrases to inclusive date ranges.

Seasons are meteorological: three whole months. A winter is named by the year of
its January, so in the northern hemisphere "winter 2022" runs from 1 December
2021 to 28 February 2022. In the southern hemisphere the seasons swap (winter is
June to August, and "summer 2022" is December 2021 to February 2022).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime, timedelta

MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12, "couple": 2, "few": 3,  # "a few" is stated as three, and the plan says "the best 3"
    "handful": 5, "several": 5,
}
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
        start = _safe_date(now.year - count, now.month, now.day)
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


EVERY_YEARS = 40  # a month, season or holiday named without a year: every one of the last this many years


def every_year(first_of: Callable[[int], Range], now: date) -> list[Range]:
    """The range `first_of(year)` gives, for each of the last EVERY_YEARS years, cut at today."""
    out = []
    for year in range(now.year - EVERY_YEARS + 1, now.year + 1):
        start, end = first_of(year)
        if start <= now:
            out.append((start, min(end, now)))
    return out


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def describe(r: Range) -> str:
    start, end = r
    if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        if (start.year, start.month) == (end.year, end.month):
            return start.strftime("%b %Y")
        if start.month == 1 and end.month == 12:
            return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
        return f"{start:%b %Y}-{end:%b %Y}"
    return f"{start.isoformat()} to {end.isoformat()}"


RECENT_DAYS = 30  # "recently"
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
RELATIVE_DAYS = {"tonight": "today", "this morning": "today", "this afternoon": "today", "this evening": "today",
                 "the day before yesterday": "2 days ago", "day before yesterday": "2 days ago"}
DATE_ORDERS = ("MDY", "DMY", "YMD")  # how 02/03/2020 reads: the `date_order` setting


def parsed_day(text: str, now: date, date_order: str = "MDY") -> date | None:
    """A day as people write one ("14 February 2021", "Feb 14th", "2021-02-14",
    "02/14/2021", "2 weeks ago", "last tuesday"), read by dateparser; a day named
    without a year is the most recent one."""
    import dateparser  # deferred: ~0.15 s, and only questions that name a day need it

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


DECADE_WORDS = {"twenties": "20", "thirties": "30", "forties": "40", "fifties": "50", "sixties": "60",
                "seventies": "70", "eighties": "80", "nineties": "90", "noughties": "00"}


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


YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "start": (1, 3), "beginning": (1, 3), "end": (10, 12),
              "first half": (1, 6), "second half": (7, 12), "q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12),
              "first quarter": (1, 3), "second quarter": (4, 6), "third quarter": (7, 9), "fourth quarter": (10, 12),
              "last quarter": (10, 12)}


def year_part_range(part: str, year: int) -> Range:
    first, last = YEAR_PARTS[part]
    return month_range(year, first, last)


def seasons_ago(season: str, count: int, now: date, hemisphere: str) -> Range:
    """"two winters ago": the winter before last."""
    last = last_season(season, now, hemisphere)
    return season_range(season, _name_year(last[0]) - (count - 1), hemisphere)


# What people call a holiday, as the `holidays` calendar names it.
HOLIDAY_NAMES = {"christmas": "christmas day", "xmas": "christmas day", "xmas day": "christmas day",
                 "xmas eve": "christmas eve", "new year": "new year's day", "new years": "new year's day",
                 "nye": "new year's eve", "the fourth of july": "independence day", "4th of july": "independence day",
                 "the 4th of july": "independence day", "july 4": "independence day",
                 "july fourth": "independence day",
                 "new year day": "new year's day", "new years day": "new year's day",
                 "new year eve": "new year's eve", "new years eve": "new year's eve",
                 "valentine": "valentine's day", "valentines": "valentine's day", "valentine day": "valentine's day",
                 "valentines day": "valentine's day", "easter": "easter sunday", "thanksgiving": "thanksgiving day",
                 "fourth of july": "independence day", "july 4th": "independence day",
                 "mother day": "mother's day", "mothers day": "mother's day",
                 "father day": "father's day", "fathers day": "father's day",
                 "st patrick day": "saint patrick's day", "st patricks day": "saint patrick's day",
                 "saint patrick day": "saint patrick's day", "saint patricks day": "saint patrick's day",
                 "martin luther king jr day": "martin luther king jr. day"}


def holiday_span(day: date, name: str, span: str | None) -> Range:
    """The days a holiday means: the day; "new years" its eve too; its week (Monday to
    Sunday); or its weekend, long where it touches one (Thanksgiving Thursday to Sunday,
    Memorial Day Saturday to Monday)."""
    weekday = day.weekday()
    if span == "week":
        return day - timedelta(days=weekday), day + timedelta(days=6 - weekday)
    if span == "weekend":
        if weekday in (3, 4):
            return day, day + timedelta(days=6 - weekday)
        if weekday in (5, 6):
            return day - timedelta(days=weekday - 5), day + timedelta(days=6 - weekday)
        return day - timedelta(days=weekday + 2), day
    if name in ("new year", "new years", "nye"):
        return (day, day) if name == "nye" else (day - timedelta(days=1), day)
    return day, day


def holiday(name: str, year: int, country: str) -> date:
    """The day `name` fell on in `year`, in the country's calendar."""
    days = holiday_days(name, range(year, year + 1), country)
    if not days:
        raise LookupError(f"{HOLIDAY_NAMES.get(name, name).title()} is not in the {country} holiday calendar")
    return days[0]


def holidays_every_year(name: str, now: date, country: str) -> list[Range]:
    days = [(d, d) for d in holiday_days(name, range(now.year - EVERY_YEARS + 1, now.year + 1), country) if d <= now]
    if not days:
        holiday(name, now.year, country)  # raises: the calendar has no such day
    return days


def holiday_days(name: str, years: range, country: str) -> list[date]:
    """The days `name` fell on in `years`, from one calendar of the country's, public and
    observed days alike (Easter, Halloween and Valentine's Day are in the US one too)."""
    import holidays  # deferred: only questions that name a holiday need the calendars

    wanted = HOLIDAY_NAMES.get(name, name)
    try:
        supported = holidays.country_holidays(country).supported_categories
    except NotImplementedError:
        raise LookupError(f"there is no holiday calendar for {country!r}") from None
    calendar_of = holidays.country_holidays(country, years=years, language="en_US",
                                            categories=tuple(c for c in ("public", "unofficial") if c in supported))
    found = sorted(day for day, names in calendar_of.items() if wanted in (n.strip().lower() for n in names.split(";")))
    for near, shift in NEXT_TO_A_HOLIDAY.get(wanted, ()) if not found else ():
        found = [day + timedelta(days=shift) for day in holiday_days(near, years, country)]
        if found:
            break
    return found


# Days that are no public holiday where their neighbours are (Easter Sunday in Greece or Germany):
# found from the neighbour, in that country's own reckoning
NEXT_TO_A_HOLIDAY = {"easter sunday": (("easter monday", -1), ("good friday", 2))}


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
