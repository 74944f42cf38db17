"""The last resort for a place name: OpenStreetMap's Nominatim geocoder (through
geopy), asked only for words that are surely a place ("near X", "in Capitalised"),
once per name: answers and misses are kept in the catalog. A place it finds is its
bounding box (Central Park, Lake Como, the Alps), not a point. Unreachable means one
clear message, not a minute of retries on every phrase."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flux_ask import __version__
from flux_ask.geo import Box, haversine_m
from flux_ask.query.places import (
    DEFAULT_PLACE_RADIUS_M,
    LookupUnavailable,
    normalise_name,
    plausible_name,
)
from flux_ask.query.plan import Place

TIMEOUT_S = 4.0
FORGET_MISSES_AFTER = timedelta(days=7)  # OpenStreetMap grows; a miss is asked again

Lookup = Callable[[str], tuple | None]  # db.geocode_cache's cached_place and cache_place, bound to a catalog
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
            return _place(cached)
        if self.unreachable:
            raise LookupUnavailable(self.unreachable)
        found = self._ask(name)
        if self.store:
            self.store(key, found)
        return _place(found)

    def _ask(self, name: str) -> tuple | None:
        """(label, lat, lon, radius_m, box or None) of what Nominatim knows by the name."""
        from geopy.exc import GeopyError

        try:
            location = self._nominatim().geocode(name, exactly_one=True, timeout=TIMEOUT_S)
        except GeopyError as exc:
            self.unreachable = f"the online map, {urlsplit(self.url).netloc}, could not be reached"
            raise LookupUnavailable(self.unreachable) from None
        if location is None:
            return None
        raw = location.raw
        label = raw.get("name") or location.address.split(",")[0]
        box = box_of(raw.get("boundingbox"))
        return label, location.latitude, location.longitude, margin_of(box) if box else DEFAULT_PLACE_RADIUS_M, box

    def _nominatim(self):
        if self._client is None:
            from geopy.geocoders import Nominatim

            parts = urlsplit(self.url)
            self._client = Nominatim(user_agent=f"flux-ask/{__version__}", domain=parts.netloc + parts.path.rstrip("/"),
                                     scheme=parts.scheme)
        return self._client


def _place(found: tuple | None) -> Place | None:
    if found is None or found[0] is None:
        return None
    label, lat, lon, radius_m, box = found
    return Place(label, lat, lon, radius_m, box=box)


def box_of(raw: list[str] | None) -> Box | None:
    """Nominatim's [south, north, west, east] as a Box; None for none, or one off the globe."""
    try:
        south, north, west, east = (float(v) for v in raw or ())
    except (TypeError, ValueError):
        return None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        return None
    return south, north, west, east


def margin_of(box: Box) -> float:
    """The margin that makes a box at least DEFAULT_PLACE_RADIUS_M from its centre line each
    way: a street corner or a bridge is a small place to be near; a park needs none."""
    south, north, west, east = box
    middle_lat, middle_lon = (south + north) / 2, (west + east) / 2
    half_height = float(haversine_m(south, middle_lon, north, middle_lon)) / 2
    half_width = float(haversine_m(middle_lat, west, middle_lat, east)) / 2
    return round(max(0.0, DEFAULT_PLACE_RADIUS_M - min(half_height, half_width)))


def misses_since(now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) - FORGET_MISSES_AFTER).isoformat(timespec="seconds")
