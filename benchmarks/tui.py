"""The chat on a 100,000-photo catalog: how soon the first screen is up, how long an
answer takes to paint once its search has returned, and how a 500-result answer
scrolls, against mounting every tile at once (the baseline, in the same run).

    python benchmarks/tui.py [--photos 100000]

The catalog is synthetic (benchmarks/synthetic.py) with 64-d vectors of the tiny
test model, so the text tower is quick; painting does not depend on the dimension.
Thumbnails are real 256 px JPEGs (generated pictures), one per shown photo.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_archive, write_catalog  # noqa: E402

from flux_ask.config import load_settings  # noqa: E402
from flux_ask.embed import TINY_TEST, TINY_TEST_TAG  # noqa: E402

FIRST_SCREEN = """
import time; t0 = time.time()
import asyncio, sys
from pathlib import Path
import flux_ask.tui
from flux_ask.chat.session import Conversation
from flux_ask.config import load_settings
from flux_ask.tui.app import FluxAskApp

async def main():
    app = FluxAskApp(Conversation(load_settings(Path(sys.argv[1]))), images="halfcell")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(time.time(), time.time() - t0)

asyncio.run(main())
"""


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n={len(values)})"


def thumbnails_for(settings, photo_ids) -> None:
    """A real thumbnail file for every photo shown (the synthetic catalog has none)."""
    from flux_ask.db import catalog
    from flux_ask.ingest.pipeline import open_catalog
    from flux_ask.ingest.thumbs import thumb_path
    from tests.photos import picture

    conn = open_catalog(settings)
    for pid, d in catalog.photo_details(conn, list(photo_ids)).items():
        path = thumb_path(settings.thumbs_dir, d["sha256"], settings.thumb_size)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            picture(pid, (256, 192)).save(path, "JPEG", quality=82)
    conn.close()


def first_screen(home: Path, runs: int = 5) -> None:
    seconds = []
    for _ in range(runs):
        started = time.time()
        run = subprocess.run([sys.executable, "-c", FIRST_SCREEN, str(home)], capture_output=True, text=True,
                             cwd=ROOT)
        if run.returncode:
            raise SystemExit(run.stderr)
        out = run.stdout.split()
        seconds.append(float(out[0]) - started)
    print(f"first screen, from launching python to the first frame (model loading in the background): {ms(seconds)}")


async def answers(settings) -> None:
    import flux_ask.tui  # noqa: F401
    from flux_ask.chat.session import Conversation
    from flux_ask.tui.app import FluxAskApp
    from flux_ask.tui.widgets import ResultGrid

    conversation = Conversation(settings)
    conversation.warm()
    questions = ["umbrellas in fog", "top 50 reflections in puddles", "a person waiting from 2019",
                 "evolution of layering over time", "photos from 2021"]
    for q in questions:  # thumbnails exist for what will be shown, as they would after ingest
        turn = conversation.ask(q)
        thumbnails_for(settings, turn.photo_ids)
    app = FluxAskApp(Conversation(settings), images="halfcell")
    search, paint = {}, {}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(3):
            for q in questions:
                app.conversation.last = None  # each question on its own, not a follow-up of the one before
                app.prompt.value = q
                painted = len(app.render_seconds) + 1
                await pilot.press("enter")
                await app.workers.wait_for_complete()
                while len(app.render_seconds) < painted:
                    await pilot.pause()
                paint.setdefault(q, []).append(app.render_seconds[-1])
                search.setdefault(q, []).append(app.conversation.last.answer.seconds)
        for q in questions:
            n = len(app.conversation.last.answer.results) if q == questions[-1] else None
            print(f"  {q!r}: search {ms(search[q])}; painted after the search returned {ms(paint[q])}"
                  + (f" ({n} results)" if n else ""))
        print(f"answer on screen after the search returned, all questions: {ms(app.render_seconds)}")
        grid = list(app.query(ResultGrid))[-1]
        return await scrolling(app, pilot, grid)


async def scrolling(app, pilot, grid) -> tuple[list[float], float]:
    """Move down a 500-result grid row by row; each step timed to the frame that shows it."""
    grid.focus()
    await pilot.pause()
    steps = []
    rows = (len(grid.results) + grid.columns - 1) // grid.columns
    for _ in range(rows - 1):
        t = time.perf_counter()
        await pilot.press("j")
        await pilot.pause()
        steps.append(time.perf_counter() - t)
    return steps, len(grid.results)


async def mount_all_at_once(settings, results) -> float:
    """The baseline: every tile of the answer mounted at once."""
    import flux_ask.tui  # noqa: F401
    from flux_ask.chat.session import Conversation
    from flux_ask.tui import widgets
    from flux_ask.tui.app import FluxAskApp

    app = FluxAskApp(Conversation(settings), images="halfcell", warm=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for batch in (widgets.BATCH, 10 ** 6):
            widgets.BATCH = batch
            t = time.perf_counter()
            grid = widgets.ResultGrid(results, set(), app.image_class)
            await app.transcript.mount(grid)
            await pilot.pause()
            label = "lazily (one batch)" if batch < 10 ** 6 else "all at once (baseline)"
            print(f"  mounting a {len(results)}-result grid {label}: {(time.perf_counter() - t) * 1000:.0f} ms")
            await grid.remove()
        widgets.BATCH = 48


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = load_settings(home, model="tiny-test", geocoder="off")
        t = time.perf_counter()
        archive = make_archive(args.photos, dim=64)
        write_catalog(settings, (TINY_TEST, TINY_TEST_TAG, 64), archive)
        print(f"catalog of {args.photos:,} photos written in {time.perf_counter() - t:.0f} s")
        first_screen(home)
        steps, n = asyncio.run(answers(settings))
        print(f"scrolling a {n}-result answer row by row (tiles mounted as they are reached): {ms(steps)}")
        from flux_ask.chat.session import Conversation

        results = Conversation(settings).ask("photos from 2021").answer.results
        asyncio.run(mount_all_at_once(settings, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
