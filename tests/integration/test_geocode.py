"""The online geocoder, against a local Nominatim-shaped server: asked once per name,
remembered in the catalog, never for words that are not surely a place, and a clear
message when it cannot be reached."""

import json
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from flux_ask.archive.home import Archive
from flux_ask.config import load_settings
from flux_ask.query import plan
from flux_ask.query.geocode import radius_of
from flux_ask.query.planner import UnknownPlace
from tests.conftest import dead_url, subprocess_env

NOW = date(2026, 11, 24)
BRIDGE = {"place_id": 1, "lat": "39.9496", "lon": "-75.1851", "name": "Walnut Street Bridge",
          "display_name": "Walnut Street Bridge, Philadelphia, Pennsylvania, United States",
          "boundingbox": ["39.9490", "39.9502", "-75.1880", "-75.1822"]}


class Nominatim(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's API)
        query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        Nominatim.asked.append(query)
        body = json.dumps([BRIDGE] if "walnut" in query.lower() else []).encode()
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
    assert 250 <= p.near.radius_m < 400  # the bridge's own extent
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


@pytest.mark.parametrize("box, expected", [
    (None, 250),
    (["39.9490", "39.9502", "-75.1880", "-75.1822"], 256),  # a bridge: its own half-diagonal
    (["35.0", "71.0", "-10.0", "40.0"], 30_000),  # a continent: capped
])
def test_radius_from_the_bounding_box(box, expected):
    assert radius_of(box) == pytest.approx(expected, abs=2)


def test_no_catalog_is_said_before_the_question_is_planned(home, server):
    """A question to an archive that does not exist yet asks no geocoder: the missing
    catalog is known first, and said in one line."""
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'geocoder = "{server}"\n')
    out = subprocess.run([sys.executable, "-m", "flux_ask", "ask", "reflections near the Walnut Street Bridge"],
                         env=subprocess_env(home), capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "flux-ask index" in out.stderr and "Traceback" not in out.stderr
    assert Nominatim.asked == [] and not (home / "catalog.db").exists()
