"""Every benchmark runs to its end at a small size: figures nobody can reproduce are worth
nothing, and a benchmark that no test runs breaks unseen (the README's figures come from the
full sizes). Each prints its figures; here only that it finishes and says something is held."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "photos"

# each benchmark at a size of seconds, and what its output must mention
SMALL = {
    "query": (["--photos", "2000", "--dim", "64", "--queries", "4", "--sqlite-queries", "2", "--no-encoder"], "ratios"),
    "keeper": (["--photos", "2000", "--dim", "64", "--folds", "2"], "ROC-AUC"),
    "places": (["--n", "2000"], "ms"),
    "planning": (["--fuzz", "50"], "p50"),
    "postgres": (["--photos", "2000", "--dim", "64", "--queries", "4"], "recall@12"),
    "retrieval": (["--model", "tiny-test"], "recall@1"),
    "tui": (["--photos", "2000"], "every row (baseline)"),
    "ask": (["--runs", "1", "--models", "tiny-test", "--synthetic", "2000"], "ms"),
    "ingest": (["--model", "tiny-test", "--catalog-size", "2000", "--runtimes", "onnx"], "one new photo"),
    "metadata": ([], ""),
}
NEEDS_SHARED = {"ask", "ingest", "metadata", "retrieval"}
NEEDS_TMUX = {"tui", "ask"}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_benchmark_runs_at_a_small_size(name, tmp_path):
    if name in NEEDS_SHARED and not SHARED.is_dir():
        pytest.skip("needs ../shared/photos")
    if name in NEEDS_TMUX and shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    args, said = SMALL[name]
    env = subprocess_env(tmp_path / "home") | {"PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert said in run.stdout, run.stdout[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
