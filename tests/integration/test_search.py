"""Execution on a generated archive: the filters at their edges, exact k, similarity, echoes."""

import json
import subprocess
import sys
from datetime import date

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.archive.vectors import InServer
from flux_ask.db.postgres import is_postgres
from flux_ask.errors import FluxAskError, ModelMismatch, NothingToSearch
from flux_ask.ingest.pipeline import Indexer
from flux_ask.query import Place, plan
from flux_ask.query.plan import DEFAULT_LIMIT
from flux_ask.search.engine import Searcher
from tests.conftest import dead_url, subprocess_env
from tests.photos import exif_for, write_photo

NOW = date(2026, 11, 24)
METERS_PER_DEGREE = 111_195.08  # along a meridian, on the haversine sphere
CORNER = Place("40th and Walnut", 39.9522, -75.2026, 250)
DATELINE = Place("Taveuni", -16.8, 179.9995, 150)


def at(lat, lon, when="2020:06:01 12:00:00"):
    return exif_for(taken=when, lat=lat, lon=lon)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, tiny, catalog_backend):
    from flux_ask.config import load_settings

    root = tmp_path_factory.mktemp("archive")
    photos = {
        # the edges of winter 2022 (1 Dec 2021 - 28 Feb 2022)
        "nov30": exif_for(taken="2021:11:30 23:59:59"),
        "dec01": exif_for(taken="2021:12:01 00:00:00"),
        "feb28": exif_for(taken="2022:02:28 23:59:59"),
        "mar01": exif_for(taken="2022:03:01 00:00:00"),
        "undated": exif_for(),
        # 99 m and 101 m north of the corner
        "m99": at(CORNER.lat + 99 / METERS_PER_DEGREE, CORNER.lon),
        "m101": at(CORNER.lat + 101 / METERS_PER_DEGREE, CORNER.lon),
        # either side of the antimeridian, 111 m apart
        "east": at(DATELINE.lat, 179.9995 + 0.0004),
        "west": at(DATELINE.lat, -179.9995),
    }
    for i, (name, exif) in enumerate(photos.items()):
        write_photo(root / f"{name}.jpg", seed=i, exif=exif)
    for i in range(20):  # a crowd of 2019 photos for exact-k checks
        write_photo(root / "2019" / f"p{i:02d}.jpg", seed=100 + i, exif=exif_for(taken=f"2019:05:{i + 1:02d} 10:00:00"))
    settings = load_settings(tmp_path_factory.mktemp("home"), model="tiny-test")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([root])
        yield settings, indexer.conn, root


def names(answer):
    return sorted(r.path.rsplit("/", 1)[-1][:-4] for r in answer.results)


@pytest.fixture
def searcher(archive, tiny):
    settings, conn, _ = archive
    return Searcher(Archive(settings, encoder=tiny))


def test_winter_includes_its_first_and_last_day_only(searcher):
    answer = searcher.run(plan("photos from winter 2022", now=NOW))
    assert names(answer) == ["dec01", "feb28"]
    assert answer.left_out == {"no_date": 1}
    vector = searcher.run(plan("top 30 things from winter 2022", now=NOW))
    assert names(vector) == ["dec01", "feb28"]


def test_one_block_holds_99_metres_not_101(searcher):
    corner = lambda name, sure=True: CORNER if "walnut" in name else None  # noqa: E731
    answer = searcher.run(plan("find all photographs made within one block of 40th and Walnut",
                               now=NOW, places=corner, block_m=100))
    assert names(answer) == ["m99"]
    assert answer.strategy == "sql" and answer.results[0].score is None
    vector = searcher.run(plan("top 30 reflections within one block of 40th and Walnut", now=NOW, places=corner))
    assert names(vector) == ["m99"]


def test_a_place_across_the_antimeridian(searcher):
    dateline = lambda name, sure=True: DATELINE if name == "taveuni" else None  # noqa: E731
    answer = searcher.run(plan("photos taken near Taveuni", now=NOW, places=dateline))
    assert names(answer) == ["east", "west"]
    vector = searcher.run(plan("top 30 beaches near Taveuni", now=NOW, places=dateline))
    assert names(vector) == ["east", "west"]


def test_exactly_k_results_whenever_k_qualify(searcher):
    answer = searcher.run(plan("top 7 portraits from 2019", now=NOW))
    assert len(answer.results) == 7 and answer.total == 20
    scores = [r.score for r in answer.results]
    assert scores == sorted(scores, reverse=True)
    everything = searcher.run(plan("top 200 portraits", now=NOW))
    assert len(everything.results) == 29


def test_similar_to_a_photo_leaves_it_out_and_a_file_finds_its_photo(searcher):
    first = searcher.run(plan("top 3 portraits from 2019", now=NOW)).results[0]
    again = searcher.run(plan(f"similar to {first.photo_id}", now=NOW))
    assert first.photo_id not in [r.photo_id for r in again.results]  # the photo asked about is no answer
    assert len(again.results) == 12 and again.results[0].score < 1 - 1e-5
    by_file = searcher.run(plan(f"similar to {first.path}", now=NOW))  # its stored vector, not embedded again
    assert [(r.photo_id, r.score) for r in by_file.results] == [(r.photo_id, r.score) for r in again.results]
    for said in ("more like this", "more like the third one"):  # the conversation's to resolve
        with pytest.raises(FluxAskError, match="in a conversation"):
            searcher.run(plan(said, now=NOW))


def test_a_catalogued_file_is_not_embedded_again_and_a_new_one_is(searcher, monkeypatch, tmp_path):
    first = searcher.run(plan("top 3 portraits from 2019", now=NOW)).results[0]
    embed = searcher._embed_file
    monkeypatch.setattr(searcher, "_embed_file", lambda path: pytest.fail(f"{path} was embedded again"))
    assert len(searcher.run(plan(f"similar to {first.path}", now=NOW)).results) == 12
    new = write_photo(tmp_path / "new.jpg", seed=4242)
    monkeypatch.setattr(searcher, "_embed_file", embed)
    assert len(searcher.run(plan(f"similar to {new}", now=NOW)).results) == 12


def test_echoes_leave_the_place_itself_out(searcher):
    corner = lambda name, sure=True: CORNER.within(150) if "walnut" in name else None  # noqa: E731
    answer = searcher.run(plan("top 40 visual echoes of 40th and Walnut", now=NOW, places=corner))
    got = names(answer)
    assert "m99" not in got and "m101" not in got and len(got) == 27


def test_grouping_by_year_is_in_time_order(searcher):
    answer = searcher.run(plan("portraits over time", now=NOW))
    periods = [g.label for g in answer.groups]
    assert periods == sorted(periods) and "2019" in periods and len(answer.groups[periods.index("2019")].members) == 6


def test_best_without_a_keeper_model_says_how_it_was_ordered_instead(searcher):
    """One phrase, by the answer: with words to match, by similarity; with none, in time order."""
    from flux_ask.query.plan import QueryPlan

    worded = searcher.run(QueryPlan(text="red", rank="keeper"))
    bare = searcher.run(QueryPlan(date_ranges=(("2020-01-01", "2020-12-31"),), mode="all", rank="keeper"))
    assert worded.ranking_in_words() == "no keeper model for these vectors yet: ranked by similarity"
    assert bare.ranking_in_words() == "no keeper model for these vectors yet: in time order"
    assert "keeper" not in " ".join(worded.plan.notes)  # the plan promises no blend


def test_clear_errors(searcher, archive, tmp_path):
    with pytest.raises(FluxAskError, match="not in the catalog"):
        searcher.run(plan("similar to 999999", now=NOW))

    class OtherModel:
        name, pretrained, dim = "ViT-B-32", "laion2b_s34b_b79k", 512

    settings, conn, _ = archive
    with pytest.raises(ModelMismatch):
        Searcher(Archive(settings, encoder=OtherModel())).run(plan("dogs", now=NOW))
    from flux_ask.config import load_settings

    empty = load_settings(tmp_path / "empty")
    with pytest.raises(NothingToSearch):
        Searcher(Archive(empty, create=True)).run(plan("dogs", now=NOW))


def test_cli_ask_and_exit_codes(archive, tmp_path):
    settings, _, _ = archive
    env = subprocess_env(settings.home)
    (settings.home / "config.toml").write_text(f'geocoder = "{dead_url()}"\n')  # offline, as tests are

    def flux(*args):
        return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=env, capture_output=True,
                              text=True, timeout=300)

    out = flux("ask", "top 5 portraits from 2019", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["results"]) == 5 and data["plan"]["date_ranges"] == [["2019-01-01", "2019-12-31"]]
    assert set(data["results"][0]) >= {"photo_id", "path", "score", "distance", "taken_at", "place", "thumbnail"}

    out = flux("ask", "show all silhouettes from winter 2022", "--plan")
    assert out.returncode == 0 and json.loads(out.stdout)["mode"] == "all"

    out = flux("ask", "dogs near Zzyzxqq")
    assert out.returncode == 1 and "unknown place 'zzyzxqq'" in out.stderr and "Traceback" not in out.stderr
    assert "could not be reached" in out.stderr

    out = flux("similar", str(data["results"][0]["photo_id"]), "--json")
    assert out.returncode == 0 and data["results"][0]["photo_id"] not in \
        [r["photo_id"] for r in json.loads(out.stdout)["results"]]  # the photo asked about is no answer

    empty = subprocess.run([sys.executable, "-m", "flux_ask", "ask", "dogs"], capture_output=True, text=True,
                           env=subprocess_env(tmp_path / "nothing"), timeout=120)
    assert empty.returncode == 1 and "no catalog" in empty.stderr


def test_all_answers_come_in_pages(searcher):
    first = searcher.run(plan("all photos from 2019", now=NOW), page_size=8)
    second = searcher.run(plan("all photos from 2019", now=NOW), page=1, page_size=8)
    assert first.total == second.total == 20 and len(first.results) == len(second.results) == 8
    assert (first.offset, second.offset) == (0, 8)
    assert not {r.photo_id for r in first.results} & {r.photo_id for r in second.results}
    days = [r.taken_at for r in first.results + second.results]
    assert days == sorted(days)


@pytest.mark.parametrize("question", ["top 7 portraits from 2019", "top 12 portraits", "top 5 dogs without cats",
                                      "top 4 beaches near Taveuni"])
def test_the_sketch_path_finds_what_exact_search_finds(searcher, monkeypatch, question):
    dateline = lambda name, sure=True: DATELINE if name == "taveuni" else None  # noqa: E731
    query = plan(question, now=NOW, places=dateline)
    exact = searcher.run(query)
    monkeypatch.setattr(type(searcher.archive.matrix().vectors), "exact_rows", 0)  # every one through the sketch
    sketched = searcher.run(query)
    assert exact.strategy.endswith("+exact") and sketched.strategy.endswith("+sketch")
    assert [r.photo_id for r in sketched.results] == [r.photo_id for r in exact.results]
    assert sketched.total == exact.total


def test_the_matrix_is_cached_by_catalog_version(archive, tiny, tmp_path):
    settings, conn, root = archive
    Archive(settings).matrix()  # a first search writes the copy (or finds it there)
    cached = sorted(settings.cache_dir.iterdir())
    assert len(cached) == 1  # one copy per model
    reader = Archive(settings, encoder=tiny)
    m = reader.matrix()
    if is_postgres(conn):  # the vectors stay in the server
        assert isinstance(m.vectors, InServer)
    else:
        assert isinstance(m.vectors.array, np.memmap)  # mapped from the cache, not read from SQLite
    before = searcher_ids(reader)

    # a file that goes missing moves the version: the copy is rebuilt without its photo
    gone = root / "2019" / "p00.jpg"
    from flux_ask.db.files import mark_missing

    mark_missing(conn, [str(gone)])
    try:
        after = searcher_ids(reader)
        assert len(after) == len(before) - 1
        assert [p.name for p in settings.cache_dir.iterdir()] != [p.name for p in cached]
        assert len(list(settings.cache_dir.iterdir())) == 1

        # a damaged copy is rebuilt, never trusted
        folder = next(settings.cache_dir.iterdir())
        (folder / "rows.npz").write_bytes(b"not a zip")
        assert searcher_ids(Archive(settings, encoder=tiny)) == after
    finally:
        with conn:
            conn.execute("UPDATE files SET state = 'ok' WHERE path = ?", (str(gone),))


def searcher_ids(archive):
    return sorted(archive.matrix().photo_ids.tolist())


def test_filter_only_exclusion_keeps_photos_without_a_position(searcher):
    corner = lambda name, sure=True: CORNER if "walnut" in name else None  # noqa: E731
    answer = searcher.run(plan("photos not near 40th and Walnut", now=NOW, places=corner), page_size=100)
    assert answer.strategy == "sql" and answer.total == 27
    got = names(answer)
    assert "m99" not in got and "m101" not in got and "undated" in got and "east" in got


def test_the_archive_loads_each_part_once(archive, tiny):
    settings, _, _ = archive
    opened = Archive(settings, encoder=tiny)
    assert opened.conn is opened.conn and opened.encoder() is tiny and opened.places() is opened.places()
    m = opened.matrix()
    assert opened.matrix() is m  # kept while the catalog is unchanged
    searcher = Searcher(opened)
    searcher.run(plan("portraits", now=NOW))
    assert opened.matrix() is m  # a search borrows the archive's matrix; it keeps no copy of its own


def test_photos_without_a_position_are_said_left_out_only_where_they_were(searcher):
    corner = lambda name, sure=True: CORNER if "walnut" in name else None  # noqa: E731
    near = searcher.run(plan("portraits near 40th and Walnut", now=NOW, places=corner))
    away = searcher.run(plan("portraits not near 40th and Walnut", now=NOW, places=corner))
    assert near.left_out.get("no_location", 0) > 0
    assert away.plan.exclude_near is not None and "no_location" not in away.left_out  # they are in its pool
    unplaced = {r.photo_id for r in searcher.run(plan("top 200 portraits", now=NOW)).results if r.lat is None}
    everything_away = searcher.run(plan("top 200 portraits not near 40th and Walnut", now=NOW, places=corner))
    assert unplaced <= {r.photo_id for r in everything_away.results}


def test_every_match_is_never_fewer_than_the_best_few_and_says_where_the_bar_falls(searcher):
    answer = searcher.run(plan("show all portraits from 2019", now=NOW))
    assert answer.threshold is not None and answer.best_score is not None
    in_2019 = searcher.run(plan("top 500 portraits from 2019", now=NOW))
    assert [r.photo_id for r in answer.results[:DEFAULT_LIMIT]] == [r.photo_id for r in in_2019.results[:DEFAULT_LIMIT]]
    assert len(answer.results) >= min(DEFAULT_LIMIT, in_2019.total)
    assert answer.strong == sum(r.score >= answer.threshold for r in answer.results)
    if answer.strong < len(answer.results):
        assert f"{answer.threshold:.3f}" in answer.strength_in_words()
    strong = searcher.run(plan("every strong match of portraits from 2019", now=NOW))
    assert strong.plan.mode == "strong" and strong.plan.text == "portraits"
    assert [r.photo_id for r in strong.results] == [r.photo_id for r in answer.results[:answer.strong]]
    if not strong.results:
        assert f"{strong.threshold:.3f}" in strong.why_empty() and "without 'strong'" in strong.why_empty()
    filtered = searcher.run(plan("top 3 portraits from 1955", now=NOW))
    assert not filtered.results and "loosen a filter" in filtered.why_empty()
    assert json.loads(json.dumps(answer.as_dict()))["threshold"] == answer.threshold


def test_dates_left_out_leave_out_only_those_dates(searcher):
    everything = searcher.run(plan("top 200 portraits", now=NOW))
    without_2019 = searcher.run(plan("top 200 portraits, except 2019", now=NOW))
    assert without_2019.plan.exclude_date_ranges == (("2019-01-01", "2019-12-31"),)
    assert not any((r.taken_at or "").startswith("2019") for r in without_2019.results)
    kept = {r.photo_id for r in everything.results if not (r.taken_at or "").startswith("2019")}
    assert {r.photo_id for r in without_2019.results} == kept  # undated photos stay in
    only = searcher.run(plan("photos from 2021 to 2022, excluding winter 2022", now=NOW))  # filters alone: SQL
    assert names(only) == ["mar01", "nov30"]


@pytest.mark.parametrize("question, days", [("top 200 portraits on Tuesdays", {1}), ("photos on weekends", {5, 6}),
                                            ("every photo on Mondays", {0})])
def test_days_of_the_week_keep_exactly_those_days(searcher, question, days):
    from datetime import datetime

    everything = searcher.run(plan("top 200 portraits", now=NOW)).results
    wanted = {r.photo_id for r in everything if r.taken_at and datetime.fromisoformat(r.taken_at).weekday() in days}
    answer = searcher.run(plan(question, now=NOW))
    assert answer.plan.weekdays == tuple(sorted(days)) and {r.photo_id for r in answer.results} == wanted
    assert answer.left_out["no_date"] >= 1  # the undated photo cannot be on any day


def test_a_country_or_a_region_is_a_membership_exact_at_its_borders(tmp_path, tiny):
    """Photos planted either side of borders: 'in Germany' takes Kehl and not Strasbourg
    1 km away, 'in Italy' takes Ventimiglia and neither Menton nor Tübingen; a region is its
    own; 'not in' and echoes use the same definition; the planner reads the names."""
    from flux_ask.config import load_settings

    spots = {"kehl": (48.5729, 7.8157), "strasbourg": (48.5734, 7.7521), "menton": (43.7747, 7.4975),
             "ventimiglia": (43.7914, 7.6076), "tubingen": (48.5200, 9.0550), "munich": (48.1370, 11.5750),
             "detroit": (42.3314, -83.0458), "windsor": (42.3149, -83.0364), "busingen": (47.6969, 8.6880),
             "siena": (43.3180, 11.3310)}
    root = tmp_path / "archive"
    for i, (name, (lat, lon)) in enumerate(spots.items()):
        write_photo(root / f"{name}.jpg", seed=i, exif=at(lat, lon))
    write_photo(root / "nowhere.jpg", seed=99, exif=exif_for(taken="2020:06:01 12:00:00"))
    settings = load_settings(tmp_path / "home", model="tiny-test", geocoder="off")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        assert indexer.index([root]).counts["placed"] == len(spots)
    archive = Archive(settings, encoder=tiny)
    searcher = Searcher(archive)

    def ask(question, **kw):
        return names(searcher.run(archive.plan(question).with_limit(50), **kw))

    assert ask("photos in Germany") == ["busingen", "kehl", "munich", "tubingen"]
    assert ask("photos in Italy") == ["siena", "ventimiglia"]
    assert ask("photos in Bavaria") == ["munich"]
    assert ask("photos in Tuscany") == ["siena"]
    assert ask("photos in Canada") == ["windsor"] and ask("photos in Michigan") == ["detroit"]
    assert ask("photos in France") == ["menton", "strasbourg"]
    assert ask("photos in Italy or Canada") == ["siena", "ventimiglia", "windsor"]  # either place
    assert ask("red squares in Bavaria or Michigan") == ["detroit", "munich"]
    # the same with a subject: the vector search over the matrix honours the area too
    assert ask("red squares in Germany") == ["busingen", "kehl", "munich", "tubingen"]
    outside = ask("red squares outside Italy")
    assert "siena" not in outside and "ventimiglia" not in outside and "menton" in outside and "nowhere" in outside
    result = searcher.run(archive.plan("photos in Sweden"))
    assert result.results == () and "in Sweden" in " ".join(result.plan.notes)
    lund = searcher.run(archive.plan("photos in Bavaria")).results[0]
    assert (lund.place, lund.country, lund.region, lund.locality) == \
        ("Munich, Bavaria, Germany", "Germany", "Bavaria", "Munich")
    archive.close()
    # where the archive has been, as `flux-ask places` says it
    listed = subprocess.run([sys.executable, "-m", "flux_ask", "places", "--json"], env=subprocess_env(settings.home),
                            capture_output=True, text=True, timeout=120)
    countries = {c["country"]: c for c in json.loads(listed.stdout)}
    assert listed.returncode == 0 and countries["Germany"]["photos"] == 4 and countries["Germany"]["code"] == "DE"
    assert [r["region"] for r in countries["Germany"]["regions"]] == ["Baden-Württemberg", "Bavaria"]
    assert countries["Italy"]["first"].startswith("2020-06-01") and len(countries) == 5
    text = subprocess.run([sys.executable, "-m", "flux_ask", "places"], env=subprocess_env(settings.home),
                          capture_output=True, text=True, timeout=120).stdout
    assert "Germany" in text and "    Büsingen" in text and "1 photo " in text


def test_a_grouping_with_nothing_to_rank_by_is_answered_whole(searcher):
    """ "2019 by month", "which camera did i use most": groups with no score, answered as none."""
    answer = searcher.run(plan("2019 by month", now=NOW))
    assert answer.plan.group_by == "month" and answer.plan.text == "" and answer.groups
    groups = answer.as_dict()["groups"]
    assert all(g["score"] is None for g in groups) and all(g["members"] for g in groups)
