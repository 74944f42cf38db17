"""SIGKILL an ingest at random points; the rerun must end where an uninterrupted run does."""

import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from flux_ask.db import connect
from flux_ask.db.connect import open_readonly
from flux_ask.db.models import active_model
from flux_ask.db.status import integrity_ok
from flux_ask.db.vectors import vectors_by_content
from tests.conftest import subprocess_env
from tests.photos import make_archive

pytestmark = pytest.mark.slow


def index_command(archive):
    return [sys.executable, "-m", "flux_ask", "index", str(archive), "--model", "tiny-test",
            "--batch", "4", "--workers", "2", "--quiet"]


def snapshot(home):
    conn = connect(home / "catalog.db", home / "vectors.db", create=False)
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
        conn = open_readonly(str(home / "catalog.db"))
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
        proc.send_signal(signal.SIGKILL)
        proc.wait()
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
