"""The online geocoder, against a local Nominatim-shaped server: asked once per name,
remembered in the catalog, never for words that are not surely a place, and a clear
message when it cannot be reached."""

import json
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from flux_ask.archive.home import Archive
from flux_ask.config import load_settings
from flux_ask.query import plan
from flux_ask.db.migrations import m003_geocode_cache
from flux_ask.ingest.pipeline import Indexer
from flux_ask.query.geocode import box_of, margin_of
from flux_ask.search.engine import Searcher
from flux_ask.query.planner import UnknownPlace
from tests.conftest import dead_url, subprocess_env
from tests.photos import exif_for, write_photo

NOW = date(2026, 11, 24)
BRIDGE = {"place_id": 1, "lat": "39.9496", "lon": "-75.1851", "name": "Walnut Street Bridge",
          "display_name": "Walnut Street Bridge, Philadelphia, Pennsylvania, United States",
          "boundingbox": ["39.9490", "39.9502", "-75.1880", "-75.1822"]}
# Nominatim's own answers (trimmed): a park four kilometres long, and a mountain range
CENTRAL_PARK = {"place_id": 2, "lat": "40.7827725", "lon": "-73.9653627", "name": "Central Park",
                "display_name": "Central Park, Manhattan, New York, United States",
                "boundingbox": ["40.7644031", "40.8005119", "-73.9817909", "-73.9492279"]}
ALPS = {"place_id": 3, "lat": "46.5", "lon": "10.0", "name": "Alps", "display_name": "Alps",
        "boundingbox": ["43.6", "48.3", "5.0", "16.7"]}
ANSWERS = {"walnut": BRIDGE, "central park": CENTRAL_PARK, "alps": ALPS}


class Nominatim(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's API)
        query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        Nominatim.asked.append(query)
        body = json.dumps([a for word, a in ANSWERS.items() if word in query.lower()]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    Nominatim.asked = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_name_nothing_offline_knows_is_asked_once_and_remembered(home, server):
    settings = load_settings(home, geocoder=server)
    Archive(settings, create=True).require()  # a catalog to keep the answers in
    p = plan("reflections near the Walnut Street Bridge", now=NOW, places=Archive(settings).places())
    assert p.near.label == "Walnut Street Bridge"
    assert (p.near.lat, p.near.lon) == (pytest.approx(39.9496), pytest.approx(-75.1851))
    assert p.near.box == (39.9490, 39.9502, -75.1880, -75.1822)  # the bridge's own extent
    assert 170 < p.near.radius_m < 200  # and a margin: 250 m either side of a bridge 130 m wide
    assert Nominatim.asked == ["the walnut street bridge"]
    # a new process (a new resolver) reads the catalog's memory, not the network
    again = plan("near the walnut street bridge", now=NOW, places=Archive(settings).places())
    assert again.near == p.near and len(Nominatim.asked) == 1


def test_misses_are_remembered_and_reported(home, server):
    settings = load_settings(home, geocoder=server)
    Archive(settings, create=True).require()  # a catalog to keep the answers in
    for _ in range(2):
        with pytest.raises(UnknownPlace, match="unknown place 'gondor'"):
            plan("dogs near Gondor", now=NOW, places=Archive(settings).places())
    assert Nominatim.asked == ["gondor"]


def test_words_that_may_not_be_a_place_never_reach_the_network(home, server):
    settings = load_settings(home, geocoder=server)
    p = plan("umbrellas in fog from 2019 near Rome", now=NOW, places=Archive(settings).places())
    assert p.text == "umbrellas in fog" and p.near.label == "Rome"
    assert Nominatim.asked == []


def test_unreachable_is_said_once_and_clearly(home):
    settings = load_settings(home, geocoder=dead_url())
    resolve = Archive(settings).places()
    with pytest.raises(UnknownPlace) as caught:
        plan("dogs near the Zzyzx Bridge", now=NOW, places=resolve)
    message = str(caught.value)
    assert "'the zzyzx bridge'" in message and "could not be reached" in message and "places.toml" in message
    alps = plan("cows in the Alps", now=NOW, places=resolve)  # a region the offline table knows still answers
    assert alps.near.label == "Alps" and alps.near.radius_m > 100_000


def test_off_means_offline_only(home, server):
    settings = load_settings(home, geocoder="off")
    with pytest.raises(UnknownPlace):
        plan("dogs near the Zzyzx Bridge", now=NOW, places=Archive(settings).places())
    assert Nominatim.asked == []


def test_cli_uses_the_configured_geocoder(home, server):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'geocoder = "{server}"\n')
    out = subprocess.run([sys.executable, "-m", "flux_ask", "ask", "dogs near Walnut Street Bridge", "--plan"],
                         env=subprocess_env(home), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["near"]["label"] == "Walnut Street Bridge"


@pytest.mark.parametrize("raw, margin", [
    (["39.9490", "39.9502", "-75.1880", "-75.1822"], 183),  # a bridge: 250 m from its middle line
    (["40.7644031", "40.8005119", "-73.9817909", "-73.9492279"], 0),  # a park is its box
    (["35.0", "71.0", "-10.0", "40.0"], 0),  # a continent too, however large
    (["48.1371", "48.1371", "11.5754", "11.5754"], 250),  # a point: the default reach
])
def test_a_place_is_its_box_with_a_margin_for_small_ones(raw, margin):
    assert margin_of(box_of(raw)) == pytest.approx(margin, abs=2)
    assert box_of(["95", "96", "0", "1"]) is None and box_of(None) is None and box_of(["x"] * 4) is None


def test_a_place_found_online_is_searched_by_its_box(tmp_path, home, server, tiny):
    """Central Park is four kilometres long: its box, not a circle round its middle, holds
    the photos taken in it; "within a mile of" grows the box; the Alps are not cut to 30 km."""
    spots = {"north end": (40.7990, -73.9540), "south end": (40.7660, -73.9760), "midtown": (40.7549, -73.9840),
             "brooklyn": (40.6782, -73.9442), "chamonix": (45.9237, 6.8694), "ljubljana": (46.0569, 14.5058),
             "stuttgart": (48.7758, 9.1829)}
    for seed, (name, (lat, lon)) in enumerate(spots.items()):
        write_photo(tmp_path / "photos" / f"{name}.jpg", seed=seed, exif=exif_for(taken="2024:05:01 10:00:00",
                                                                               lat=lat, lon=lon))
    settings = load_settings(home, geocoder=server, model="tiny-test")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([tmp_path / "photos"])

    def where(question):
        with Archive(settings, encoder=tiny) as archive:
            answer = Searcher(archive).run(archive.plan(question))
            return answer.plan, {Path(r.path).stem for r in answer.results}

    park, found = where("photos in Central Park")
    assert found == {"north end", "south end"} and park.near.words() == "in Central Park"
    assert any("OpenStreetMap's box" in n for n in park.notes)
    _, found = where("photos within a mile of Central Park")
    assert found == {"north end", "south end", "midtown"}
    _, found = where("photos in the Alps")
    assert found == {"chamonix", "ljubljana"}  # 600 km across; Stuttgart lies north of them
    _, found = where("photos not in the Alps")
    assert "chamonix" not in found and "stuttgart" in found
    # the box is kept in the catalog: asked once, in a new process too
    assert sorted(Nominatim.asked) == ["central park", "the alps"]
    with Archive(settings) as archive:
        assert archive.plan("dogs in Central Park").near.box == pytest.approx((40.7644031, 40.8005119, -73.9817909,
                                                                           -73.9492279))


@pytest.mark.sqlite_only  # an upgrade of SQLite catalogs; PostgreSQL ones start with boxes
def test_a_catalog_from_before_boxes_asks_again_once(home, server):
    settings = load_settings(home, geocoder=server)
    with Archive(settings, create=True) as archive:
        archive.conn.execute("DELETE FROM migrations WHERE name = '008_geocode_boxes'")
        archive.conn.execute("DROP TABLE geocode_cache")
        m003_geocode_cache(archive.conn)
        archive.conn.execute("INSERT INTO geocode_cache VALUES ('central park', 'Central Park', 40.78, -73.97, "
                             "30000, '2026-01-01T00:00:00+00:00'), ('gondor', NULL, NULL, NULL, NULL, "
                             "'2026-11-23T00:00:00+00:00')")
    with Archive(settings) as archive:
        assert archive.places()("Central Park").box is not None and Nominatim.asked == ["Central Park"]


def test_no_catalog_is_said_before_the_question_is_planned(home, server):
    """A question to an archive that does not exist yet asks no geocoder: the missing
    catalog is known first, and said in one line."""
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'geocoder = "{server}"\n')
    out = subprocess.run([sys.executable, "-m", "flux_ask", "ask", "reflections near the Walnut Street Bridge"],
                         env=subprocess_env(home), capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "flux-ask index" in out.stderr and "Traceback" not in out.stderr
    assert Nominatim.asked == [] and not (home / "catalog.db").exists()
