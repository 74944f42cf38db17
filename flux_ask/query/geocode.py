"""The last resort for a place name: OpenStreetMap's Nominatim geocoder (through
geopy), asked only for words that are surely a place ("near X", "in Capitalised"),
once per name: answers and misses are kept in the catalog. Unreachable means one
clear message, not a minute of retries on every phrase."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flux_ask import __version__
from flux_ask.geo import haversine_m
from flux_ask.query.places import (
    DEFAULT_PLACE_RADIUS_M,
    LookupUnavailable,
    normalise_name,
    plausible_name,
)
from flux_ask.query.plan import Place

TIMEOUT_S = 4.0
MAX_RADIUS_M = 30_000.0  # a region's box is no place to search "near"
FORGET_MISSES_AFTER = timedelta(days=7)  # OpenStreetMap grows; a miss is asked again

Lookup = Callable[[str], tuple | None]
Store = Callable[[str, tuple | None], None]


class OnlineGeocoder:
    def __init__(self, url: str, lookup: Lookup | None = None, store: Store | None = None):
        self.url = url
        self.lookup, self.store = lookup, store
        self.unreachable: str | None = None
        self._client = None

    def __call__(self, name: str, sure: bool = True) -> Place | None:

        # "in fog" and "near the bridge from 2019" are not worth a network call
        if not sure or not plausible_name(name.lower()):
            return None
        key = normalise_name(name)
        cached = self.lookup(key) if self.lookup else None
        if cached is not None:
            return Place(*cached) if cached[0] is not None else None
        if self.unreachable:
            raise LookupUnavailable(self.unreachable)
        found = self._ask(name)
        if self.store:
            self.store(key, found)
        return Place(*found) if found else None

    def _ask(self, name: str) -> tuple | None:
        from geopy.exc import GeopyError

        try:
            location = self._nominatim().geocode(name, exactly_one=True, timeout=TIMEOUT_S)
        except GeopyError as exc:
            self.unreachable = f"{urlsplit(self.url).netloc} could not be reached ({type(exc).__name__})"
            raise LookupUnavailable(self.unreachable) from None
        if location is None:
            return None
        raw = location.raw
        label = raw.get("name") or location.address.split(",")[0]
        return label, location.latitude, location.longitude, radius_of(raw.get("boundingbox"))

    def _nominatim(self):
        if self._client is None:
            from geopy.geocoders import Nominatim

            parts = urlsplit(self.url)
            self._client = Nominatim(user_agent=f"flux-ask/{__version__}", domain=parts.netloc + parts.path.rstrip("/"),
                                     scheme=parts.scheme)
        return self._client


def radius_of(box: list[str] | None) -> float:
    """Half the diagonal of Nominatim's bounding box [south, north, west, east]: a corner
    gets the default reach, a town its extent, a country no more than MAX_RADIUS_M."""

    if not box:
        return DEFAULT_PLACE_RADIUS_M
    south, north, west, east = (float(v) for v in box)
    half = float(haversine_m(south, west, north, east)) / 2
    return round(min(MAX_RADIUS_M, max(DEFAULT_PLACE_RADIUS_M, half)))


def misses_since(now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) - FORGET_MISSES_AFTER).isoformat(timespec="seconds")
