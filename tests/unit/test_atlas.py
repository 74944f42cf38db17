"""Where a position is, in words, exact at borders; and country and region names as areas."""

import json

import numpy as np
import pytest

from flux_ask import atlas
from flux_ask.query.plan import PlanError, QueryPlan
from flux_ask.query.places import AreaBook

# (lat, lon) -> (country code, region, locality), either side of borders and in enclaves
TRUTH = [
    ((48.5729, 7.8157), ("DE", "Baden-Württemberg", "Kehl")),
    ((48.5734, 7.7521), ("FR", "Grand Est", "Strasbourg")),
    ((42.3314, -83.0458), ("US", "Michigan", "Detroit")),
    ((42.3149, -83.0364), ("CA", "Ontario", "Windsor")),
    ((32.5556, -117.0470), ("US", "California", None)),  # San Ysidro: the nearest town is Tijuana
    ((32.5149, -117.0382), ("MX", "Baja California", "Tijuana")),
    ((47.6969, 8.6880), ("DE", "Baden-Württemberg", "Büsingen")),  # a German exclave in Switzerland
    ((51.4396, 4.9296), ("BE", "Flanders", "Baarle-Hertog")),  # a Belgian enclave in the Netherlands
    ((41.9029, 12.4534), ("VA", None, "Vatican City")),
    ((43.7747, 7.4975), ("FR", "Provence-Alpes-Côte d'Azur", "Menton")),
    ((43.7914, 7.6076), ("IT", "Liguria", "Ventimiglia")),
    ((48.5200, 9.0550), ("DE", "Baden-Württemberg", "Tübingen")),
    ((55.70584, 13.19321), ("SE", "Skåne", "Lund")),
    ((43.3180, 11.3310), ("IT", "Tuscany", "Siena")),
    ((55.9530, -3.1880), ("GB", "Scotland", "Edinburgh")),
    ((54.8900, -2.9300), ("GB", "England", "Carlisle")),
    ((48.1370, 11.5750), ("DE", "Bavaria", "Munich")),
    ((47.3769, 8.5417), ("CH", "Zürich", None)),  # the region as ISO spells it
    ((19.0760, 72.8777), ("IN", "Maharashtra", "Mumbai")),  # not ISO's romanisation, Mahārāshtra
    ((-20.8789, 55.4481), ("RE", None, "Saint-Denis")),
]


def test_places_are_right_either_side_of_borders():
    lat, lon = (np.array([p[0][k] for p in TRUTH]) for k in (0, 1))
    for (position, (code, region, locality)), found in zip(TRUTH, atlas.where(lat, lon), strict=True):
        assert found is not None and found.country_code == code, position
        assert found.region == region or region is None, (position, found)
        assert locality is None or found.locality == locality, (position, found)


def test_names_keep_their_accents_and_not_a_romanisation():
    found = atlas.where(np.array([-20.8789, 5.3600, 12.1696]), np.array([55.4481, -4.0083, -68.9900]))
    assert [w.country for w in found] == ["Réunion", "Côte d'Ivoire", "Curaçao"]
    assert atlas.where(np.array([35.6892]), np.array([51.3890]))[0].region == "Tehran"


def test_no_place_at_sea_or_without_a_position():
    assert atlas.where(np.array([0.0, np.nan]), np.array([-30.0, 1.0])) == [None, None]


def test_a_place_reads_like_an_address():
    lund = atlas.where(np.array([55.70584]), np.array([13.19321]))[0]
    assert lund.label == "Lund, Skåne, Sweden"
    assert atlas.Whereabouts("MC", "Monaco", "Monaco", "Monaco").label == "Monaco"


@pytest.fixture(scope="module")
def areas(tmp_path_factory):
    return AreaBook(tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("name, area, label", [
    ("Italy", "IT", "Italy"), ("italy", "IT", "Italy"), ("Bavaria", "DE/Bavaria", "Bavaria, Germany"),
    ("California", "US/California", "California, United States"), ("Scotland", "GB/Scotland", None),
    ("Skåne", "SE/Skåne", "Skåne, Sweden"), ("skane", "SE/Skåne", None), ("Tuscany", "IT/Tuscany", None),
    ("UK", "GB", "United Kingdom"), ("the UK", "GB", None), ("USA", "US", "United States"),
    ("Holland", "NL", "Netherlands"), ("Georgia", "GE", "Georgia"),  # a country beats a state of its name
])
def test_countries_and_regions_are_areas(areas, name, area, label):
    found = areas(name)
    assert found is not None and found.area == area and (label is None or found.label == label)


def test_a_big_city_beats_a_region_and_words_are_no_region(areas):
    assert areas("New York") is None  # the city, which the gazetteer knows
    assert areas("north", sure=False) is None and areas("fog") is None


def test_area_names_are_kept_and_read_back_quickly(tmp_path):
    AreaBook(tmp_path)("Italy")
    assert list(tmp_path.glob("areas-*.json"))
    again = AreaBook(tmp_path)
    assert again("Bavaria").area == "DE/Bavaria"


def test_cities_by_native_and_english_names_from_an_index_kept_once(tmp_path):
    from flux_ask.query.places import CITY_INDEX_VERSION, CityBook

    first = CityBook(tmp_path, AreaBook(tmp_path))
    assert first("München").label == "Munich" == first("Munich").label
    assert first("Köln").label == first("cologne").label and first("Lisboa").label == "Lisbon"
    assert first("nyc").label == "New York City" and first("Geneve").label == "Geneva"
    assert (tmp_path / f"cities-{CITY_INDEX_VERSION}" / "keys.npy").is_file()
    again = CityBook(tmp_path, AreaBook(tmp_path))  # read back, not worked out again
    assert again("koln").label == first("Köln").label and again("nowhere-at-all") is None
    assert again("Lund", sure=False) is None and again("Lund").label == "Lund"  # small towns need a preposition
    # "City, State" and "City, Country", as people qualify a name
    assert again("athens georgia").label == "Athens, Georgia" and abs(again("athens georgia").lon + 83.4) < 0.5
    assert again("athens").label == "Athens" and again("athens").lat > 37  # the most populous: Greece
    assert again("vancouver wa").label == "Vancouver, Washington" and again("vancouver").lon < -122.9
    assert again("london ontario").lon < -80 and again("paris texas", sure=False).label == "Paris, Texas"



def test_a_damaged_city_index_is_said_and_made_again(tmp_path, caplog):
    from flux_ask.atomic import broken_seal
    from flux_ask.query.places import CITY_INDEX_VERSION, SEAL, CityBook

    CityBook(tmp_path)("Lisboa")
    folder = tmp_path / f"cities-{CITY_INDEX_VERSION}"
    cities = folder / "cities.jsonl"
    for damage in (lambda b: b[:len(b) // 2], lambda b: b[:1000] + bytes([b[1000] ^ 0x20]) + b[1001:]):
        cities.write_bytes(damage(cities.read_bytes()))  # cut by a full disk; a bit flipped on the disk
        caplog.clear()
        assert CityBook(tmp_path)("Lisboa").label == "Lisbon"
        assert [r.getMessage() for r in caplog.records if "place index" in r.getMessage()], caplog.records
        assert broken_seal(folder, json.loads((folder / SEAL).read_text())) is None  # whole again


def test_an_ambiguous_name_is_read_one_way_and_the_plan_names_the_others(tmp_path):
    from datetime import date

    from flux_ask.query import plan
    from flux_ask.query.places import CityBook, chain

    areas = AreaBook(tmp_path)
    places = chain(areas, CityBook(tmp_path, areas))
    georgia = plan("peaches in Georgia", now=date(2026, 11, 24), places=places)
    assert georgia.near.area == "GE" and any("may also mean Georgia, United States" in n for n in georgia.notes)
    state = plan("peaches in Georgia, USA", now=date(2026, 11, 24), places=places)
    assert state.near.area == "US/Georgia" and not any("may also" in n for n in state.notes)
    berlin = plan("clubs in Berlin", now=date(2026, 11, 24), places=places)
    assert berlin.near.label == "Berlin" and not any("may also" in n for n in berlin.notes)  # the Land is the city
    athens = plan("ruins in Athens", now=date(2026, 11, 24), places=places)
    assert athens.near.lat > 37 and any("Athens, Georgia" in n for n in athens.notes)
    # each other reading is a place to switch to, at the distance asked, and back again
    assert [p.label for p in athens.alternatives] == ["Athens, Georgia"]
    georgia_us = athens.read_instead(1)
    assert georgia_us.near.label == "Athens, Georgia" and georgia_us.near.lon < -83
    assert [p.label for p in georgia_us.alternatives] == ["Athens"] and georgia_us.read_instead(1) == athens
    assert any("read as Athens, Georgia" in n for n in georgia_us.notes)
    assert not any("37.98" in n for n in georgia_us.notes)  # the old centre is no longer said
    mile = plan("within a mile of athens, not in paris", now=date(2026, 11, 24), places=places).read_instead(1)
    assert mile.near.radius_m == pytest.approx(1609.344) and mile.near.lon < -83
    assert mile.exclude_near.label == "Paris"
    either = plan("dogs in Kyoto or Athens", now=date(2026, 11, 24), places=places).read_instead(1)
    assert [p.label for p in either.near.places] == ["Kyoto", "Athens, Georgia"]
    state = georgia.read_instead(1)
    assert state.near.area == "US/Georgia" and state.near.label == "Georgia, United States"
    assert QueryPlan.from_dict(json.loads(state.to_json())) == state  # a recipe keeps its readings
    # a follow-up naming another place leaves the old name's readings behind
    rome = plan("in rome", now=date(2026, 11, 24), places=places, previous=athens)
    assert rome.near.label == "Rome" and not rome.alternatives
    with pytest.raises(PlanError):
        athens.read_instead(2)
