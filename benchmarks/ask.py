"""A question as a person waits for it: whole `flux-ask` processes, cold, on a catalog of the
shared photos and on a 100,000-photo synthetic catalog (benchmarks/synthetic.py's vectors under
the same model), for the tiny test model and ViT-B-32 (random weights through `--weights`), the
ONNX bundle against open_clip's torch text tower in the same run (`query_runtime = "torch"` in
config.toml is that baseline); the chat's answer once warm, text encoding included; a question
typed as soon as the chat's screen is up (tmux), answered after launch; and the bundle's text
vectors against open_clip's torch tower.

    python benchmarks/ask.py [--runs 3] [--models tiny-test,ViT-B-32] [--synthetic 100000]

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
    parser.add_argument("--synthetic", type=int, default=100_000, help="photos in the synthetic catalog (0: none)")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}: nothing to measure")
        return 0
    for model in args.models.split(","):
        home = Path(tempfile.mkdtemp(prefix="flux-ask-ask-"))
        try:
            measure(home, model, args.runs, args.synthetic)
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return 0


def measure(home: Path, model: str, runs: int, synthetic: int) -> None:
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
        rows.append((label, cold(home, argv, runs)))
    config.write_text(base, encoding="utf-8")
    chat = chat_first_answer(home, runs)
    if chat:
        rows.append(("chat: a question typed at the first screen, answered after launch", chat))
    p50, p95 = warm_answers(home)
    rows.append(("chat, warm: an answer, text encoding included (p50)", p50))
    rows.append(("chat, warm: an answer, text encoding included (p95)", p95))
    if synthetic:
        big = synthetic_home(home, base, synthetic)
        rows.append((f"ask on {synthetic:,} synthetic photos", cold(big, ["ask", QUESTION], runs)))
        p50, _ = warm_answers(big)
        rows.append((f"chat, warm, on {synthetic:,} synthetic photos (p50)", p50))
    print(f"\n{model} on {PHOTOS} (whole processes, medians of {runs})")
    width = max(len(r[0]) for r in rows)
    for label, seconds in rows:
        print(f"  {label:<{width}}  {seconds * 1000:7.0f} ms" if seconds < 0.1 else f"  {label:<{width}}  {seconds:7.2f} s")
    print(f"  the bundle answers {rows[1][1] / rows[0][1]:.1f}x faster than the torch text tower")
    print(f"  text vectors, bundle against open_clip's torch tower: cosine at least {text_cosine(home):.6f}")


def cold(home: Path, argv: list[str], runs: int) -> float:
    flux(home, *argv)  # warm-up: the OS's file cache, as on a machine in use
    return statistics.median(timed(home, argv) for _ in range(runs))


QUESTIONS = ["umbrellas in fog", "a dog on a red sofa", "silhouettes at dusk", "children playing in the snow",
             "empty streets at night", "reflections in puddles", "old man reading a newspaper", "bicycles",
             "a crowd at a concert", "laundry hanging between buildings", "portraits in window light",
             "cats on rooftops", "boats in a harbour at sunrise", "neon signs in the rain", "a bride", "shadows",
             "market stalls with fruit", "a lone tree in a field", "people waiting for a bus", "the sea"]


def warm_answers(home: Path) -> tuple[float, float]:
    """The chat's answer to each question once the archive is warm: plan, text tower, search."""
    from flux_ask.archive.home import Archive
    from flux_ask.chat.conversation import Conversation
    from flux_ask.config import load_settings

    with Archive(load_settings(home)) as archive:
        chat = Conversation(archive)
        chat.warm()
        chat.ask("warm-up")
        seconds = []
        for question in QUESTIONS:
            chat.forget()  # each a whole question, as typed afresh
            started = time.perf_counter()
            chat.ask(question)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), sorted(seconds)[int(0.95 * (len(seconds) - 1))]


def text_cosine(home: Path) -> float:
    """The bundle's text vectors against open_clip's torch tower for the same weights."""
    import numpy as np

    from flux_ask.config import load_settings
    from flux_ask.embed import ModelSpec, load_embedder
    from flux_ask.embed.bundle import OnnxEmbedder

    settings = load_settings(home)
    meta = bundle_meta(settings.models_dir)
    bundle = OnnxEmbedder(settings.models_dir, meta["name"], meta["pretrained"])
    spec = ModelSpec(settings.model, weights=settings.weights)
    tower = load_embedder(spec, runtime="torch", cache_dir=settings.models_dir)
    alone = np.vstack([bundle.encode_text([q]) for q in QUESTIONS])  # each cut after its own end of text
    return float(min((alone * tower.encode_text(QUESTIONS)).sum(axis=1).min(),
                     (bundle.encode_text(QUESTIONS) * tower.encode_text(QUESTIONS)).sum(axis=1).min()))


def synthetic_home(home: Path, base: str, n: int) -> Path:
    """A catalog of N synthetic photos under the model of HOME's catalog, its bundle shared."""
    from benchmarks.synthetic import make_archive, write_catalog
    from flux_ask.config import load_settings

    models = load_settings(home).models_dir
    meta = bundle_meta(models)
    big = home / f"synthetic-{n}"
    big.mkdir()
    (big / "config.toml").write_text(base, encoding="utf-8")
    (big / "models").symlink_to(models)
    write_catalog(load_settings(big), (meta["name"], meta["pretrained"], meta["dim"]),
                  make_archive(n, dim=meta["dim"]))
    return big


def bundle_meta(models: Path) -> dict:
    """What the model's bundle says of it (its STEM.json, beside STEM.tokenizer.json)."""
    import json

    path = next(p for p in models.glob("*.json") if not p.name.endswith(".tokenizer.json"))
    return json.loads(path.read_text(encoding="utf-8"))


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
            seconds.append(wait_for_pane(tmux, "photos searched") - started)  # the answer's tally
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True)
    return statistics.median(seconds)


if __name__ == "__main__":
    raise SystemExit(main())
