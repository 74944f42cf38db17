"""What only a PostgreSQL catalog does: several indexers (machines, folders) writing one
catalog at once, a killed one's run closed by the next, and a catalog copied SQLite ->
PostgreSQL -> SQLite without a row or a bit of a vector changed. The rest of the suite runs
on both backends (conftest.py)."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.config import load_settings
from flux_ask.db import copy as catalog_copy
from flux_ask.db.connect import open_elsewhere
from flux_ask.db.copy import TABLES, copy_catalog, same_catalog
from flux_ask.db.curation import save_recipe, select
from flux_ask.db.geocode_cache import cache_place
from flux_ask.db.models import active_model
from flux_ask.db.vectors import model_vectors
from flux_ask.errors import CatalogError
from tests.conftest import subprocess_env
from tests.photos import make_archive, make_chat_archive

pytestmark = pytest.mark.slow


@pytest.fixture
def server_catalog(request, tmp_path) -> str:
    """A new, empty PostgreSQL database's URL."""
    catalogs = request.config.catalogs
    if "postgres" not in catalogs.backends:
        pytest.skip(f"no PostgreSQL: {catalogs.why_not}")
    return catalogs.database_for(tmp_path / "server")


def indexer(home: Path, folder: Path, catalog: str) -> subprocess.Popen:
    """`flux-ask index` as another machine would run it: its own home, the shared catalog."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('geocoder = "off"\n')
    return subprocess.Popen([sys.executable, "-m", "flux_ask", "index", str(folder), "--model", "tiny-test",
                             "--batch", "4", "--workers", "1", "--quiet", "--json", "--catalog", catalog],
                            env=subprocess_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(runs: list[subprocess.Popen]) -> list[dict]:
    """Each indexer's run report, once it has ended well."""
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        reports.append(json.loads(out)["counts"])
    return reports


def catalog_of(url: str, home: Path):
    return Archive(load_settings(home, catalog=url)).require().conn


def counts(conn) -> dict:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {"photos": one("SELECT count(*) FROM photos"), "distinct": one("SELECT count(DISTINCT sha256) FROM photos"),
            "files": one("SELECT count(*) FROM files WHERE state = 'ok'"),
            "errors": one("SELECT count(*) FROM files WHERE state = 'error'"),
            "embeddings": one("SELECT count(*) FROM embeddings"),
            "unembedded": one("SELECT count(*) FROM photos WHERE embedding_id IS NULL"),
            "vectors": one("SELECT count(*) FROM vec.vec_m1")}


def test_two_machines_index_two_folders_of_one_archive_at_once(tmp_path, server_catalog):
    make_archive(tmp_path / "nas" / "a", 40)
    make_archive(tmp_path / "nas" / "b", 40, start_seed=1000)
    for name in sorted((tmp_path / "nas" / "a").rglob("*.jpg"))[:15]:  # the same content in both folders
        shutil.copy(name, tmp_path / "nas" / "b" / f"copy_{name.name}")
    runs = [indexer(tmp_path / f"machine{i}", tmp_path / "nas" / f, server_catalog) for i, f in ((1, "a"), (2, "b"))]
    reports = finished(runs)
    conn = catalog_of(server_catalog, tmp_path / "machine1")
    assert counts(conn) == {"photos": 80, "distinct": 80, "files": 95, "errors": 0, "embeddings": 80,
                            "unembedded": 0, "vectors": 80}
    assert [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")] == ["done", "done"]
    assert sum(r.get("decoded", 0) for r in reports) == 80  # the 15 contents in both folders embedded once


def test_two_machines_index_the_same_folder_at_once(tmp_path, server_catalog):
    make_archive(tmp_path / "nas", 60)
    runs = [indexer(tmp_path / f"machine{i}", tmp_path / "nas", server_catalog) for i in (1, 2)]
    reports = finished(runs)
    conn = catalog_of(server_catalog, tmp_path / "machine1")
    assert counts(conn) == {"photos": 60, "distinct": 60, "files": 60, "errors": 0, "embeddings": 60,
                            "unembedded": 0, "vectors": 60}
    assert sum(r.get("decoded", 0) for r in reports) == 60  # each content claimed and decoded by one of them
    assert sum(r.get("new_files", 0) for r in reports) >= 60  # and each file recorded
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 0


def test_a_killed_indexers_run_is_closed_and_a_live_one_is_not(tmp_path, server_catalog):
    make_archive(tmp_path / "big", 300)
    make_archive(tmp_path / "small", 6, start_seed=500)
    conn = catalog_of_when_made(server_catalog, tmp_path)
    killed = indexer(tmp_path / "machine1", tmp_path / "big", server_catalog)
    wait_for(lambda: conn.execute("SELECT count(*) FROM photos").fetchone()[0] > 0, killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    live = indexer(tmp_path / "machine1", tmp_path / "big", server_catalog)
    wait_for(lambda: conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 2, live)
    other = indexer(tmp_path / "machine2", tmp_path / "small", server_catalog)
    _, err = other.communicate(timeout=600)
    assert other.returncode == 0, err
    statuses = [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[0] == "interrupted" and statuses[2] == "done"
    # still at work, or done by itself (its exit, checked below, may lag its last write): not taken for a dead one
    assert statuses[1] in ("running", "done")

    _, err = live.communicate(timeout=600)
    assert live.returncode == 0, err
    assert [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")] == ["interrupted", "done", "done"]
    assert counts(conn) == {"photos": 306, "distinct": 306, "files": 306, "errors": 0, "embeddings": 306,
                            "unembedded": 0, "vectors": 306}
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 0  # the killed run's too


def catalog_of_when_made(url: str, tmp_path: Path):
    """The catalog, made before the indexers start (they would make it themselves)."""
    return Archive(load_settings(tmp_path / "watcher", catalog=url), create=True).conn


def wait_for(condition, proc: subprocess.Popen, within_s: float = 120) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert proc.poll() is None, "the indexer ended before it was caught at work"
        assert time.monotonic() < deadline, "the indexer made no progress"
        time.sleep(0.05)


# -- catalog copy -------------------------------------------------------------------------

@pytest.fixture
def sqlite_archive(tmp_path, tiny):
    """A SQLite catalog with something in every table a user fills."""
    settings = make_chat_archive(tmp_path / "photos", tmp_path / "home", tiny)
    with Archive(settings) as archive:
        conn = archive.conn
        save_recipe(conn, "rome at dusk", "rome at dusk", {"text": "dusk", "mode": "best"}, {"limit": 12})
        select(conn, [3, 1, 2], "dogs")
        cache_place(conn, "nowhere", None)
        cache_place(conn, "lund", ("Lund, Sweden", 55.7, 13.19, 5000.0, (55.6, 55.8, 13.1, 13.3)))
        with conn:
            conn.execute("INSERT INTO keeper_labels (photo_id, label, labelled_at) SELECT id, id % 2, '2026-01-01' "
                         "FROM photos")
    return settings


def table_rows(conn) -> dict:
    rows = {}
    for table, key in TABLES:
        columns = ", ".join(c for c in catalog_copy._columns(conn, table))
        rows[table] = [tuple(r) for r in conn.execute(
            f"SELECT {columns} FROM {table} WHERE {catalog_copy.OWN_ROWS.get(table, 'TRUE')} "
            f"ORDER BY {', '.join(key)}").fetchall()]
    return rows


def test_a_catalog_goes_to_postgresql_and_back_unchanged(tmp_path, sqlite_archive, server_catalog):
    out = subprocess.run([sys.executable, "-m", "flux_ask", "catalog", "copy", "--to", server_catalog, "--json"],
                         env=subprocess_env(sqlite_archive.home), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and '"differ": {}' in out.stdout, out.stderr
    back = tmp_path / "back"
    out = subprocess.run([sys.executable, "-m", "flux_ask", "catalog", "copy", "--catalog", server_catalog,
                          "--to", str(back)], env=subprocess_env(sqlite_archive.home), capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and "copied" in out.stdout, out.stderr

    with Archive(sqlite_archive) as source:
        original = table_rows(source.conn)
        model = active_model(source.conn)
        ids, vectors = model_vectors(source.conn, model)
    roundtrip = open_elsewhere(str(back))
    assert table_rows(roundtrip) == original and len(original["photos"]) == 20 and original["recipes"]
    back_ids, back_vectors = model_vectors(roundtrip, model)
    order, back_order = np.argsort(ids), np.argsort(back_ids)
    assert np.array_equal(ids[order], back_ids[back_order])
    assert np.array_equal(vectors[order], back_vectors[back_order])  # bit for bit

    # and the copy answers as the original does
    ask = [sys.executable, "-m", "flux_ask", "ask", "dogs in Rome 2020", "--json"]
    here = subprocess.run(ask, env=subprocess_env(sqlite_archive.home), capture_output=True, text=True, timeout=300)
    there = subprocess.run(ask + ["--catalog", server_catalog], env=subprocess_env(sqlite_archive.home),
                           capture_output=True, text=True, timeout=300)
    assert here.returncode == there.returncode == 0, there.stderr
    assert photo_ids(here.stdout) == photo_ids(there.stdout) and photo_ids(here.stdout)


def photo_ids(out: str) -> list[int]:
    import json

    return [r["photo_id"] for r in json.loads(out)["results"]]


def test_a_stopped_copy_resumes_without_doubling_a_row(sqlite_archive, server_catalog, monkeypatch):
    monkeypatch.setattr(catalog_copy, "BATCH", 3)
    with Archive(sqlite_archive) as source:
        target = open_elsewhere(server_catalog)

        def stop_in_the_middle(stage, done, total):
            if stage == "files" and done >= 9:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            copy_catalog(source.conn, target, stop_in_the_middle)
        assert same_catalog(source.conn, target)  # not all there yet
        copied = copy_catalog(source.conn, target)
        assert copied["photos"] == 0  # done before the stop: the last is read again, skipped, and not counted
        assert same_catalog(source.conn, target) == {}
        assert table_rows(target) == table_rows(source.conn)
        with pytest.raises(CatalogError, match="holds a catalog of its own"):
            copy_catalog(target, source.conn)  # back into the full original: refused


def test_the_copy_takes_new_photos_after_the_copied_ids(sqlite_archive, server_catalog, tmp_path):
    with Archive(sqlite_archive) as source:
        copy_catalog(source.conn, open_elsewhere(server_catalog))
    make_archive(tmp_path / "more", 3, start_seed=900)
    run = indexer(tmp_path / "machine", tmp_path / "more", server_catalog)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    conn = catalog_of(server_catalog, tmp_path / "machine")
    assert conn.execute("SELECT count(*), max(id) FROM photos").fetchone() == (23, 23)
