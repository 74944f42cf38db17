"""SIGKILL an ingest at random points; the rerun must end where an uninterrupted run does."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest


from flux_ask.db.models import active_model, asked_model
from flux_ask.db.status import integrity_ok
from flux_ask.db.vectors import vectors_by_content
from tests.conftest import open_catalog, subprocess_env
from tests.photos import make_archive

pytestmark = pytest.mark.slow


def index_command(archive):
    return [sys.executable, "-m", "flux_ask", "index", str(archive), "--model", "tiny-test",
            "--batch", "4", "--workers", "2", "--quiet"]


def snapshot(home):
    conn = open_catalog(home)
    model = active_model(conn)
    return {
        "photos": sorted(r[0] for r in conn.execute("SELECT sha256 FROM photos")),
        "files": sorted(conn.execute(
            "SELECT f.path, p.sha256, f.state FROM files f LEFT JOIN photos p ON p.id = f.photo_id").fetchall()),
        "vectors": dict(vectors_by_content(conn, model)),
        "embeddings": conn.execute("SELECT count(*) FROM embeddings").fetchone()[0],
        "vec_rows": conn.execute(f"SELECT count(*) FROM vec.{model.vec_table}").fetchone()[0],
        "unembedded": conn.execute("SELECT count(*) FROM photos WHERE embedding_id IS NULL").fetchone()[0],
        "integrity": integrity_ok(conn),
    }


def photo_count(home):
    try:
        conn = open_catalog(home)
        return conn.execute("SELECT count(*) FROM photos").fetchone()[0]
    except Exception:  # not created yet
        return 0


def test_killed_runs_resume_to_the_same_catalog(tmp_path):
    archive = tmp_path / "archive"
    make_archive(archive, 300)
    (archive / "broken.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)

    reference_home = tmp_path / "reference"
    subprocess.run(index_command(archive), env=subprocess_env(reference_home), check=True)
    reference = snapshot(reference_home)
    assert len(reference["photos"]) == 300

    home = tmp_path / "killed"
    rng = random.Random(20261124)
    partial_kills = 0
    for _ in range(5):
        before = photo_count(home)
        proc = subprocess.Popen(index_command(archive), env=subprocess_env(home))
        # kill once the run has made some progress, at a random point after that
        deadline = time.monotonic() + 60
        while photo_count(home) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.4))
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_gone(workers)
        if 0 < photo_count(home) < 300:
            partial_kills += 1
    assert partial_kills >= 2, "the kills should land in the middle of runs"

    subprocess.run(index_command(archive), env=subprocess_env(home), check=True)
    final = snapshot(home)

    assert final["integrity"]
    assert final["photos"] == reference["photos"]
    assert final["files"] == reference["files"]
    assert final["embeddings"] == final["vec_rows"] == len(final["photos"])
    assert final["unembedded"] == 0
    assert final["vectors"].keys() == reference["vectors"].keys()
    for sha, vector in reference["vectors"].items():
        assert np.allclose(final["vectors"][sha], vector, atol=1e-5)


def decoding(proc: subprocess.Popen, home: Path) -> set[int]:
    """The run's processes, once a batch is written and its decoders are up (under load they
    start after the first batch, which the run decodes itself)."""
    deadline = time.monotonic() + 60
    while (photo_count(home) == 0 or not children(proc.pid)) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return children(proc.pid)


def children(pid: int) -> set[int]:
    """The processes `pid` started, and theirs (Linux's /proc; empty elsewhere)."""
    found, frontier = set(), {pid}
    while frontier:
        below = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) in frontier:
                below.add(int(stat.parent.name))
        found |= below
        frontier = below - {pid}
    return found


def assert_gone(pids: set[int], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        alive = {p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)}
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"worker processes outlived their parent: {sorted(alive)}")


def _state(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]).lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigterm_ends_a_run_like_ctrl_c_and_leaves_no_process(tmp_path):
    archive = tmp_path / "archive"
    make_archive(archive, 120)
    home = tmp_path / "home"
    proc = subprocess.Popen(index_command(archive), env=subprocess_env(home), stderr=subprocess.PIPE, text=True)
    workers = decoding(proc, home)
    assert workers, ("the run should have started its decoders", proc.poll(),
                     proc.communicate()[1] if proc.poll() is not None else "")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted; committed batches are kept" in err and "Traceback" not in err
    assert_gone(workers)
    conn = open_catalog(home)
    assert conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] == "interrupted"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_in_a_terminal_stops_the_run_and_its_workers(tmp_path, sig):
    """A terminal's Ctrl-C signals the whole foreground group, decoders included, not just the
    parent: the run still ends at once, says so, and leaves no process behind."""
    archive = tmp_path / "archive"
    make_archive(archive, 320)  # under load the decoders start after the first batch: batches must remain
    home = tmp_path / "home"
    proc = subprocess.Popen(index_command(archive), env=subprocess_env(home), stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    workers = decoding(proc, home)
    assert workers, ("the run should have started its decoders", proc.poll(),
                     proc.communicate()[1] if proc.poll() is not None else "")
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the run hung after the signal") from None
    assert proc.returncode == 130 and "interrupted; committed batches are kept" in err and "Traceback" not in err, err
    assert_gone(workers)


def test_a_first_index_stopped_before_its_first_vector_continues_with_the_model_it_asked_for(tmp_path, home):
    """Ctrl-C while the first index is still loading its model leaves no vector; the suggested
    rerun, without --model, must not fall back to the default model (offline, it cannot load)."""
    archive = tmp_path / "archive"
    make_archive(archive, 3)
    env = subprocess_env(home)
    first = subprocess.Popen(index_command(archive), env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None and not _asked(home):
        time.sleep(0.05)  # until the catalog is made, before the model is loaded
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=120)
    rerun = subprocess.run([sys.executable, "-m", "flux_ask", "index", str(archive), "--quiet"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    model = active_model(open_catalog(home))
    assert model.name == "tiny-test" and snapshot(home)["unembedded"] == 0


def _asked(home) -> bool:
    try:
        return asked_model(open_catalog(home)) is not None
    except Exception:  # not made yet
        return False
