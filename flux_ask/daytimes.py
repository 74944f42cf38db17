"""Times of day as people say them: by the sun's height where a photo has a place and a
time (suncalc's altitude, degrees above the horizon), by the clock where it has none."""

from __future__ import annotations

# name -> (lowest and highest sun, which half of the day or None for both, clock hours as
# (first, last) pairs for photos without a position)
SUN_TIMES: dict[str, tuple[float, float, str | None, tuple[int, ...]]] = {
    "sunrise": (-2, 6, "morning", (5, 7)),
    "sunset": (-2, 6, "evening", (17, 20)),
    "golden hour": (-4, 6, None, (6, 7, 17, 19)),
    "blue hour": (-6, -4, None, (5, 5, 20, 20)),
    "dawn": (-6, 0, "morning", (4, 6)),
    "dusk": (-6, 0, "evening", (18, 20)),
}
# name -> clock hours (first, last); "night" runs past midnight
CLOCK_TIMES: dict[str, tuple[int, ...]] = {"morning": (5, 11), "noon": (11, 13), "afternoon": (12, 16),
                                           "evening": (17, 20), "night": (21, 4)}


def clock_hours(name: str) -> tuple[tuple[int, int], ...]:
    hours = SUN_TIMES[name][3] if name in SUN_TIMES else CLOCK_TIMES[name]
    return tuple(zip(hours[::2], hours[1::2], strict=True))


def clock_words(name: str) -> str:
    """ "5:00-7:59", "21:00-4:59", "6:00-7:59 and 17:00-19:59"."""
    return " and ".join(f"{a}:00-{b}:59" for a, b in clock_hours(name))
