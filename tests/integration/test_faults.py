"""Faults a photographer meets: the disk fills mid-ingest, the vector file is deleted,
truncated or loses its WAL, a run dies between the two databases' commits. Each is
said in one line, and repaired by the next index without losing recipes, the basket
or keeper labels, and without embedding anything that was not lost."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from flux_ask.db import connect
from tests.conftest import subprocess_env
from tests.photos import make_archive

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]  # the two SQLite files and their disk


def flux(home: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=subprocess_env(home),
                          capture_output=True, text=True, timeout=timeout)


def index(home: Path, archive: Path) -> subprocess.CompletedProcess:
    return flux(home, "index", str(archive), "--model", "tiny-test", "--batch", "8", "--workers", "2", "--quiet")


def one_line(out: subprocess.CompletedProcess) -> str:
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    return lines[0]


def catalog(home: Path, where: Path | None = None) -> dict:
    where = where or home
    conn = connect(where / "catalog.db", where / "vectors.db", create=False)
    return {
        "photos": sorted(r[0] for r in conn.execute("SELECT sha256 FROM photos")),
        "files": sorted(conn.execute("SELECT path, state, error_reason FROM files").fetchall()),
        "unembedded": conn.execute("SELECT count(*) FROM photos WHERE embedding_id IS NULL").fetchone()[0],
        "embeddings": conn.execute("SELECT count(*) FROM embeddings").fetchone()[0],
        "recipes": conn.execute("SELECT name FROM recipes").fetchall(),
        "basket": conn.execute("SELECT photo_id FROM selection").fetchall(),
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory, catalog_backend):
    root = tmp_path_factory.mktemp("archive")
    make_archive(root, 40)
    return root


@pytest.fixture
def indexed(tmp_path, archive):
    """A catalog of the archive, with a recipe and a basket the repairs must keep."""
    home = tmp_path / "home"
    assert index(home, archive).returncode == 0
    assert flux(home, "recipe", "save", "reds", "red things").returncode == 0
    assert flux(home, "select", "add", "1", "2").returncode == 0
    return home, catalog(home)


def test_a_deleted_vector_file_is_named_then_embedded_again(indexed, archive):
    home, before = indexed
    (home / "vectors.db").unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{home / 'vectors.db'}{suffix}").unlink(missing_ok=True)
    status = flux(home, "status")
    assert status.returncode == 0 and "vectors.db" in status.stdout and "gone" in status.stdout
    assert "vectors.db" in one_line(flux(home, "ask", "red things"))
    again = index(home, archive)
    assert again.returncode == 0 and "40 embedded" in again.stdout and "lost vectors 40" in again.stdout
    assert catalog(home) == before
    assert flux(home, "ask", "red things").returncode == 0


def test_a_truncated_vector_file_is_set_aside_and_embedded_again(indexed, archive):
    home, before = indexed
    vec = home / "vectors.db"
    data = vec.read_bytes()
    vec.write_bytes(data[:len(data) // 2])
    for suffix in ("-wal", "-shm"):
        Path(f"{vec}{suffix}").unlink(missing_ok=True)
    line = one_line(flux(home, "status"))
    assert "vectors.db" in line and "damaged" in line and "catalog.db" not in line
    again = index(home, archive)
    assert again.returncode == 0, again.stderr
    assert catalog(home) == before and list(home.glob("vectors.db.damaged-*"))


def test_a_vector_file_with_flipped_bytes_is_named_and_made_again(indexed, archive):
    """Its header intact, so it opens: reading every page finds the damage and the right file."""
    home, before = indexed
    flux(home, "status")  # the WAL folded into the file
    vec = home / "vectors.db"
    data = bytearray(vec.read_bytes())
    for page in range(1, len(data) // 4096):
        data[page * 4096:page * 4096 + 12] = bytes(b ^ 0x5A for b in data[page * 4096:page * 4096 + 12])
    vec.write_bytes(bytes(data))
    status = flux(home, "status")
    said = status.stdout + status.stderr
    assert status.returncode == 1 and "Traceback" not in said
    assert f"{vec} is damaged" in said and "catalog.db is damaged" not in said, said
    asked = one_line(flux(home, "ask", "red things"))
    assert "damaged" in asked and "status" in asked
    again = index(home, archive)
    assert again.returncode == 0 and "set aside" in again.stdout + again.stderr, again
    assert catalog(home) == before and list(home.glob("vectors.db.damaged-*"))
    status = flux(home, "status")
    assert status.returncode == 0 and "damaged" not in status.stdout
    assert flux(home, "ask", "red things").returncode == 0


def without_root_powers() -> list[str]:
    """A command prefix under which a folder's permissions hold: root reads any folder, unless
    its capabilities to override them are dropped."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("root reads every folder, and setpriv is not here to drop that power")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def test_a_folder_that_cannot_be_listed_keeps_its_photos_as_permission_not_missing(indexed, archive):
    home, before = indexed
    prefix = without_root_powers()
    locked = archive / "2016"
    inside = sorted(str(p) for p in locked.glob("*.jpg"))
    locked.chmod(0)
    try:
        run = subprocess.run([*prefix, sys.executable, "-m", "flux_ask", "index", str(archive), "--model", "tiny-test",
                              "--quiet", "--json"], env=subprocess_env(home), capture_output=True, text=True)
    finally:
        locked.chmod(0o755)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    assert report["counts"].get("missing", 0) == 0 and report["counts"]["unlisted_folders"] == 1
    assert [(e["path"], e["reason"]) for e in report["errors"]] == [(str(locked), "permission")]
    states = {path: (state, reason) for path, state, reason in catalog(home)["files"]}
    assert {states[p] for p in inside} == {("error", "permission")}
    assert sum(s == ("ok", None) for s in states.values()) == 40 - len(inside)
    again = index(home, archive)  # readable again: tried again, nothing embedded again
    assert again.returncode == 0 and "0 embedded" in again.stdout, again.stdout
    assert catalog(home) == before


def test_strips_of_pixels_are_catalogued_under_a_memory_limit(indexed, tmp_path):
    """1x100000 and 100000x1 PNGs of a few hundred bytes, resized whole, would take 15 GB each;
    under a 3 GB address-space limit (decoders and all) they are catalogued like any photo."""
    import resource

    home, _ = indexed  # its query bundle is written: this run needs no torch, which maps more than 3 GB
    strips = tmp_path / "strips"
    strips.mkdir()
    for size in ((1, 100_000), (100_000, 1)):
        Image.new("RGB", size, (200, 10, 10)).save(strips / f"strip-{size[0]}x{size[1]}.png")
    limit = 3 << 30
    run = subprocess.run([sys.executable, "-m", "flux_ask", "index", str(strips), "--quiet", "--json"],
                         env=subprocess_env(home), capture_output=True, text=True, timeout=300,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["counts"]["embedded"] == 2 and report["errors"] == []


def test_a_lost_wal_loses_only_the_vectors_it_held(tmp_path, archive):
    home = tmp_path / "home"
    first = tmp_path / "first"
    shutil.copytree(archive / "2015", first / "2015")
    assert index(home, first).returncode == 0
    vec = home / "vectors.db"
    saved = {suffix: Path(f"{vec}{suffix}").read_bytes() for suffix in ("", "-wal") if Path(f"{vec}{suffix}").exists()}
    assert index(home, archive).returncode == 0
    whole = catalog(home)
    for suffix in ("", "-wal", "-shm"):  # the vector file as it stood: the WAL with the later vectors lost
        Path(f"{vec}{suffix}").unlink(missing_ok=True)
        if suffix in saved:
            Path(f"{vec}{suffix}").write_bytes(saved[suffix])
    assert "vectors" in flux(home, "status").stdout
    again = index(home, archive)
    lost = len(whole["photos"]) - len(list((first / "2015").iterdir()))
    assert again.returncode == 0 and f"{lost} embedded" in again.stdout, again.stdout
    assert catalog(home) == whole


def test_a_run_that_failed_between_the_two_commits_is_repaired(indexed, archive):
    home, before = indexed
    conn = connect(home / "catalog.db", home / "vectors.db", create=False)
    table = conn.execute("SELECT vec_table FROM models").fetchone()[0]
    with conn:  # the vector side of the last batch lost, and the run ended, but not cleanly
        conn.execute(f"DELETE FROM vec.{table} WHERE rowid IN (SELECT id FROM embeddings ORDER BY id DESC LIMIT 6)")
        conn.execute("UPDATE runs SET status = 'interrupted', repaired_at = NULL")
    conn.close()
    again = index(home, archive)
    assert again.returncode == 0 and "6 embedded" in again.stdout and "lost vectors 6" in again.stdout
    assert catalog(home) == before


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_thumbnail_the_disk_has_no_room_for_is_not_left_half_written(small_disk):
    """Pillow misses a short write: the JPEG is written by us, whole or with an error."""
    import errno

    import numpy as np

    from flux_ask.picture.thumbs import is_whole, save_thumbnail

    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * (free - 12 * 1024))  # room for a quarter of one
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8))
    path = small_disk / "thumbs" / "ab" / "ab.jpg"
    with pytest.raises(OSError) as full:
        save_thumbnail(noise, path)
    assert full.value.errno == errno.ENOSPC and not path.exists() and not list(path.parent.iterdir())
    (small_disk / "filler").unlink()
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 5000)  # cut short by an earlier version
    assert not is_whole(path)
    save_thumbnail(noise, path)
    with Image.open(path) as image:
        image.load()
    assert is_whole(path)


@pytest.mark.parametrize("on_the_small_disk", ["thumbs", "db"])
def test_a_full_disk_stops_the_run_in_one_line_and_a_resume_completes_it(small_disk, tmp_path, on_the_small_disk):
    archive = tmp_path / "big"
    make_archive(archive, 160)
    reference = tmp_path / "reference"
    assert index(reference, archive).returncode == 0
    home = tmp_path / "home"
    home.mkdir()
    where = {"thumbs": f'thumbs = "{small_disk}/thumbs"\n',
             "db": f'db = "{small_disk}/catalog.db"\nvec = "{small_disk}/vectors.db"\n'}[on_the_small_disk]
    (home / "config.toml").write_text(where)
    line = one_line(index(home, archive))
    assert "disk" in line and "full" in line
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = index(home, archive)
    assert again.returncode == 0, again.stderr
    got = catalog(home, small_disk if on_the_small_disk == "db" else None)
    want = catalog(reference)
    assert got["photos"] == want["photos"] and got["unembedded"] == 0
    assert [f[1:] for f in got["files"]] == [f[1:] for f in want["files"]]  # none remembered as broken
    thumbs = small_disk / "thumbs" if on_the_small_disk == "thumbs" else home / "thumbs"
    for thumb in thumbs.rglob("*.jpg"):  # none cut short by the full disk, and left so
        assert thumb.read_bytes().endswith(b"\xff\xd9"), thumb
        with Image.open(thumb) as image:
            image.load()


def test_a_read_only_home_is_searched_and_refuses_writes_in_one_line(tmp_path, archive):
    disk = tmp_path / "share"
    disk.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a file system here: {made.stderr.decode().strip()}")
    try:
        home = disk / "home"
        assert index(home, archive).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert flux(home, "status").returncode == 0
        asked = flux(home, "ask", "red things", "--json")
        assert asked.returncode == 0 and '"results"' in asked.stdout, asked.stderr
        assert flux(home, "similar", "1").returncode == 0
        assert "read-only" in one_line(index(home, archive))
        assert "read-only" in one_line(flux(home, "select", "add", "1"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_lost_thumbnails_are_made_again_without_embedding(indexed, archive):
    home, before = indexed
    shutil.rmtree(home / "thumbs")
    again = index(home, archive)
    assert again.returncode == 0 and "40 thumbnails the cache had lost were made again" in again.stdout
    assert "0 embedded" in again.stdout and len(list((home / "thumbs").rglob("*.jpg"))) == 40
    assert catalog(home) == before


def test_a_file_that_vanished_for_a_moment_is_tried_again(indexed, archive):
    home, before = indexed
    conn = connect(home / "catalog.db", home / "vectors.db", create=False)
    with conn:  # as the last run found it: gone for a moment, recorded with that reason
        conn.execute("UPDATE files SET state = 'error', error_reason = 'vanished', photo_id = NULL "
                     "WHERE id = (SELECT min(id) FROM files)")
    conn.close()
    again = index(home, archive)
    assert again.returncode == 0 and "1 new or moved file," in again.stdout, again.stdout
    assert catalog(home) == before


def test_nothing_is_written_outside_the_archive_home(tmp_path, archive):
    """ONNX Runtime would keep a device id and a telemetry queue under ~/.cache."""
    user = tmp_path / "user"
    user.mkdir()
    env = dict(subprocess_env(tmp_path / "home"), HOME=str(user), XDG_CACHE_HOME=str(user / ".cache"))
    out = subprocess.run([sys.executable, "-m", "flux_ask", "index", str(archive), "--model", "tiny-test", "--quiet"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert [p for p in user.rglob("*")] == []


def test_an_export_a_kill_stopped_leaves_nothing_behind(indexed, archive):
    home, _ = indexed
    models = home / "models"
    for onnx in models.glob("*.onnx"):
        onnx.unlink()
    (models / ".tmp-killed.onnx").write_bytes(b"")  # what a kill during the export leaves
    shutil.rmtree(home / "thumbs")  # work that needs the image tower again
    assert index(home, archive).returncode == 0
    assert not list(models.glob(".tmp-*")) and list(models.glob("*.onnx"))


def test_a_damaged_catalog_is_one_line_that_names_it(indexed, archive):
    home, _ = indexed
    db = home / "catalog.db"
    flux(home, "status")  # the WAL folded into the file
    data = bytearray(db.read_bytes())
    for page in range(2, len(data) // 4096):  # every page but the first: the schema is still read
        data[page * 4096:page * 4096 + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for command in (("status",), ("ask", "red things"), ("index", str(archive), "--model", "tiny-test", "--quiet")):
        line = one_line(flux(home, *command))
        assert "damaged" in line or "malformed" in line, line
        assert command[0] == "ask" or (str(db) in line and "vectors.db" not in line.split("(")[0]), line


def test_a_worker_killed_mid_run_ends_nothing_and_blames_no_file(tmp_path, settings):
    """SIGKILL one decoding worker while a run is under way (the OOM killer's way): the tasks it
    and its pool held are done again, every photo is catalogued, and no file is recorded as
    faulty for it."""
    import os
    import signal

    from flux_ask.archive.home import Archive
    from flux_ask.ingest.pipeline import Indexer
    from tests.photos import make_archive

    make_archive(tmp_path / "archive", 24)
    killed = []

    def kill_a_worker(stage, done, total):
        pool = indexer._pool
        if stage == "index" and not killed and pool is not None and pool._processes:
            pid = next(iter(pool._processes))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with Indexer(Archive(settings, create=True), progress=kill_a_worker) as indexer:
        report = indexer.index([tmp_path / "archive"])
    assert killed and report.counts["embedded"] == 24 and not report.errors


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_search_cache_is_made_again(indexed, archive, damage):
    """The search matrix's copy on disk (cache/.../vectors.npy, rows.npz), truncated by a kill or
    a full disk, or overwritten: the next question makes it again from the catalog."""
    home, _ = indexed
    first = flux(home, "ask", "red things", "--json")
    assert first.returncode == 0, first.stderr
    files = [f for f in (home / "cache").rglob("*") if f.name in ("vectors.npy", "rows.npz")]
    assert files
    for f in files:
        data = f.read_bytes()
        f.write_bytes(data[:len(data) // 3] if damage == "truncated" else b"\0" * len(data))
    again = flux(home, "ask", "red things", "--json")
    assert again.returncode == 0 and "unexpected" not in again.stderr, again.stderr
    assert json.loads(again.stdout)["results"] == json.loads(first.stdout)["results"]
    assert "the search cache" in again.stderr and "making it again" in again.stderr  # said, once
    assert "search cache" not in flux(home, "ask", "red things", "--json").stderr
