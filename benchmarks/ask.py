"""A question as a person waits for it: whole `flux-ask` processes, cold, on a catalog of the
shared photos, for the tiny test model and ViT-B-32 (random weights through `--weights`), the
ONNX bundle against open_clip's torch text tower in the same run (`query_runtime = "torch"`
in config.toml is that baseline); and in the chat (tmux), a question typed as soon as the
screen is up, answered after launch.

    python benchmarks/ask.py [--runs 3] [--models tiny-test,ViT-B-32]

Medians of `--runs` after one warm-up of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PHOTOS = ROOT.parent / "shared" / "photos"
QUESTION = "umbrellas in fog"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--models", default="tiny-test,ViT-B-32")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}: nothing to measure")
        return 0
    for model in args.models.split(","):
        home = Path(tempfile.mkdtemp(prefix="flux-ask-ask-"))
        try:
            measure(home, model, args.runs)
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return 0


def measure(home: Path, model: str, runs: int) -> None:
    base = f'model = "{model}"\ngeocoder = "off"\n'
    if model != "tiny-test":
        from benchmarks.ingest import random_checkpoint

        base += f'weights = "{random_checkpoint(model, home)}"\n'
    config = home / "config.toml"
    config.write_text(base, encoding="utf-8")
    flux(home, "index", str(PHOTOS), "--quiet")
    rows = []
    for label, runtime, argv in (
        ("ask, ONNX bundle (no torch)", "onnx", ["ask", QUESTION]),
        ("ask, open_clip's torch text tower (baseline)", "torch", ["ask", QUESTION]),
        ("ask --plan naming a place", "onnx", ["ask", "--plan", "dogs in Paris"]),
        ("similar FILE of a catalogued photo", "onnx", ["similar", str(first_photo())]),
    ):
        config.write_text(base + f'query_runtime = "{runtime}"\n', encoding="utf-8")
        flux(home, *argv)  # warm-up: the OS's file cache, as on a machine in use
        rows.append((label, statistics.median(timed(home, argv) for _ in range(runs))))
    config.write_text(base, encoding="utf-8")
    chat = chat_first_answer(home, runs)
    if chat:
        rows.append(("chat: a question typed at the first screen, answered after launch", chat))
    print(f"\n{model} on {PHOTOS} (whole processes, medians of {runs})")
    width = max(len(r[0]) for r in rows)
    for label, seconds in rows:
        print(f"  {label:<{width}}  {seconds:6.2f} s")
    print(f"  the bundle answers {rows[1][1] / rows[0][1]:.1f}x faster than the torch text tower")


def first_photo() -> Path:
    return next(p for p in sorted(PHOTOS.rglob("*.jpg")) if p.stat().st_size > 0)


def flux(home: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "flux_ask", *argv], cwd=ROOT, check=True, capture_output=True,
                   env={"FLUX_ASK_HOME": str(home), "HF_HUB_OFFLINE": "1", "PATH": os.environ.get("PATH", "")})


def timed(home: Path, argv: list[str]) -> float:
    started = time.perf_counter()
    flux(home, *argv)
    return time.perf_counter() - started


def chat_first_answer(home: Path, runs: int) -> float | None:
    """From launching the chat in tmux to the answer of a question typed as soon as the screen is up."""
    if shutil.which("tmux") is None:
        return None
    from benchmarks.tui import wait_for_pane

    seconds = []
    env = {**os.environ, "FLUX_ASK_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    for i in range(runs):
        tmux = ["tmux", "-L", f"flux-ask-{os.getpid()}-{i}"]
        started = time.perf_counter()
        subprocess.run([*tmux, "new-session", "-d", "-s", "chat", "-x", "120", "-y", "40",
                        f"{sys.executable} -m flux_ask --images halfcell"], check=True, env=env, cwd=ROOT)
        try:
            wait_for_pane(tmux, "Ask the archive")
            subprocess.run([*tmux, "send-keys", "-t", "chat", QUESTION, "Enter"], check=True)
            seconds.append(wait_for_pane(tmux, "matches") - started)
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True)
    return statistics.median(seconds)


if __name__ == "__main__":
    raise SystemExit(main())
