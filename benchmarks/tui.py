"""The chat on a 100,000-photo catalog: how soon the first screen is up, how long an
answer takes to paint once its search has returned, and how a 500-result answer
scrolls (against every row mounted, and against Python's own garbage collector: the
baselines, in the same run).

    python benchmarks/tui.py [--photos 100000]

The catalog is synthetic (benchmarks/synthetic.py) with 64-d vectors of the tiny
test model, so the text tower is quick; painting does not depend on the dimension.
Thumbnails are real 256 px JPEGs (generated pictures), one per shown photo.
"""

from __future__ import annotations

import argparse
import asyncio
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_archive, write_catalog  # noqa: E402

from flux_ask.archive.home import Archive  # noqa: E402
from flux_ask.config import load_settings  # noqa: E402
from flux_ask.embed import TINY_TEST, TINY_TEST_TAG  # noqa: E402

FIRST_FRAME = """
import time; t0 = time.time()
import asyncio, sys
from pathlib import Path
import flux_ask.tui
from flux_ask.chat.conversation import Conversation
from flux_ask.config import load_settings
from flux_ask.tui.app import FluxAskApp

class Timed(FluxAskApp):
    CSS_PATH = str(Path(flux_ask.tui.__file__).parent / "app.tcss")

    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: print(time.time(), flush=True))

async def main():
    app = Timed(Conversation(Archive(load_settings(Path(sys.argv[1])))), images="halfcell")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

asyncio.run(main())
"""


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n={len(values)})"


def thumbnails_for(settings, photo_ids) -> None:
    """A real thumbnail file for every photo shown (the synthetic catalog has none)."""
    from flux_ask.db.photos import photo_details
    from flux_ask.picture.thumbs import thumb_path
    from tests.photos import picture

    conn = Archive(settings, create=True).conn
    for pid, d in photo_details(conn, list(photo_ids)).items():
        path = thumb_path(settings.thumbs_dir, d["sha256"], settings.thumb_size)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            picture(pid, (256, 192)).save(path, "JPEG", quality=82)
    conn.close()


def first_screen(home: Path, runs: int = 5) -> None:
    """In a real terminal (tmux) when there is one: from launching `flux-ask` to the
    welcome on screen, then a key typed at once and its echo (the model is loading in
    the background by then). Without tmux: the app's own first frame, headless."""
    if shutil.which("tmux") is None:
        seconds = []
        for _ in range(runs):
            started = time.time()
            run = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(home)], capture_output=True, text=True,
                                 cwd=ROOT)
            if run.returncode:
                raise SystemExit(run.stderr)
            seconds.append(float(run.stdout.split()[0]) - started)
        print(f"first frame, headless (no tmux here), from launching python: {ms(seconds)}")
        return
    screen, echo = [], []
    command = f"{sys.executable} -m flux_ask --images halfcell"
    env = {**os.environ, "FLUX_ASK_HOME": str(home)}
    for i in range(runs):
        tmux = ["tmux", "-L", f"flux-bench-{os.getpid()}-{i}"]  # a server of its own: this process's environment
        started = time.perf_counter()
        subprocess.run([*tmux, "new-session", "-d", "-s", "chat", "-x", "120", "-y", "40", command], check=True,
                       env=env)
        try:
            screen.append(wait_for_pane(tmux, "Ask the archive") - started)
            typed = time.perf_counter()
            subprocess.run([*tmux, "send-keys", "-t", "chat", "x"], check=True)
            echo.append(wait_for_pane(tmux, "▊  x ") - typed)
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True)
    print(f"first screen in a terminal (tmux 120x40), from launching flux-ask: {ms(screen)}")
    print(f"  a key typed as soon as it is up, echoed in the prompt after: {ms(echo)}")


def wait_for_pane(tmux: list[str], text: str, timeout: float = 30) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        pane = subprocess.run([*tmux, "capture-pane", "-p", "-t", "chat"], capture_output=True, text=True).stdout
        if text in pane:
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit(f"{text!r} never showed in tmux:\n{pane}")


async def answers(settings) -> None:
    import flux_ask.tui  # noqa: F401
    from flux_ask.chat.conversation import Conversation
    from flux_ask.tui.app import FluxAskApp
    from flux_ask.tui.grid import ResultGrid

    conversation = Conversation(Archive(settings))
    conversation.warm()
    questions = ["umbrellas in fog", "top 50 reflections in puddles", "a person waiting from 2019",
                 "evolution of layering over time", "photos from 2021"]
    for q in questions:  # thumbnails exist for what will be shown, as they would after ingest
        turn = conversation.ask(q)
        thumbnails_for(settings, turn.photo_ids)
    app = FluxAskApp(Conversation(Archive(settings)), images="halfcell")
    search, paint = {}, {}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(3):
            for q in questions:
                app.conversation.last = None  # each question on its own, not a follow-up of the one before
                app.prompt.value = q
                painted = len(app.render_seconds) + 1
                errors = len(app.query(".error"))
                await pilot.press("enter")
                await app.workers.wait_for_complete()
                deadline = time.perf_counter() + 60
                while len(app.render_seconds) < painted:
                    if len(app.query(".error")) > errors or time.perf_counter() > deadline:
                        said = [str(n.render()) for n in app.query(".error")][errors:]
                        raise SystemExit(f"{q!r} was not answered: {said or 'nothing painted in 60 s'}")
                    await pilot.pause()
                paint.setdefault(q, []).append(app.render_seconds[-1])
                search.setdefault(q, []).append(app.conversation.last.answer.seconds)
        for q in questions:
            n = len(app.conversation.last.answer.results) if q == questions[-1] else None
            print(f"  {q!r}: search {ms(search[q])}; painted after the search returned {ms(paint[q])}"
                  + (f" ({n} results)" if n else ""))
        print(f"answer on screen after the search returned, all questions: {ms(app.render_seconds)}")
        await scrolling(app, pilot, list(app.query(ResultGrid))[-1])


class Frames:
    """When the app draws each frame (App._display), to time a key press to the last frame it caused."""

    def __init__(self):
        from textual.app import App

        self.times: list[float] = []
        draw = App._display

        def display(app, screen, update):
            draw(app, screen, update)
            if update is not None:
                self.times.append(time.perf_counter())

        App._display = display

    async def steps(self, pilot, key: str, count: int) -> list[float]:
        seconds = []
        for _ in range(count):
            pressed = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            drawn = [t for t in self.times if t > pressed]
            seconds.append((drawn[-1] if drawn else time.perf_counter()) - pressed)
        return seconds


class FullCollections:
    """Python's full garbage collections and how long each took."""

    def __init__(self):
        import gc

        self.seconds: list[float] = []
        self.started = 0.0

        def timed(phase, info):
            if info["generation"] == 2:
                if phase == "start":
                    self.started = time.perf_counter()
                else:
                    self.seconds.append(time.perf_counter() - self.started)

        gc.callbacks.append(timed)


async def scrolling(app, pilot, grid) -> None:
    """Down a 500-result grid row by row, and along a row; each step timed to its last frame."""
    frames, collections = Frames(), FullCollections()
    grid.focus()
    await pilot.pause()
    rows = (len(grid.results) + grid.columns - 1) // grid.columns
    down = await frames.steps(pilot, "j", rows - 1)
    during = len(collections.seconds)
    along = await frames.steps(pilot, "h", grid.columns - 1)
    await pilot.pause(1.5)  # a pause in the typing: the held-back collection runs now
    print(f"moving down a {len(grid.results)}-result answer row by row ({rows - 1} steps), key to last frame: "
          f"{ms(down)}")
    print(f"  along a row: {ms(along)}")
    held, idle = collections.seconds[:during], collections.seconds[during:]
    print(f"  full garbage collections while the keys kept coming (long overdue): {len(held)}"
          + (f", {ms(held)}" if held else "") + "; then, in the pause: "
          + (", ".join(f"{s * 1000:.0f} ms" for s in idle) or "none"))
    app.collector.stop()  # the baseline: Python's own collector, nothing frozen
    await pilot.press("g")
    await pilot.pause(1.5)
    before = len(collections.seconds)
    down = await frames.steps(pilot, "j", rows - 1)
    default = collections.seconds[before:]
    print(f"  the same steps with Python's own collector (baseline): key to last frame {ms(down)}; "
          f"{len(default)} full collections" + (f", {ms(default)}" if default else ""))


async def every_row_mounted(settings, results) -> None:
    """The baseline, in the same run: the grid with every row of the answer mounted."""
    import flux_ask.tui  # noqa: F401
    from flux_ask.chat.conversation import Conversation
    from flux_ask.tui import grid as widgets
    from flux_ask.tui.app import FluxAskApp

    frames = Frames()
    app = FluxAskApp(Conversation(Archive(settings)), images="halfcell", warm=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for margin, label in ((widgets.MARGIN, "rows near the screen"), (10 ** 6, "every row (baseline)")):
            widgets.MARGIN = margin
            t = time.perf_counter()
            grid = widgets.ResultGrid(results, set(), app.image_class)
            await app.transcript.mount(grid)
            deadline = time.perf_counter() + 30
            while not grid.tiles or not all(tile.picture.is_mounted for tile in grid.tiles):
                if time.perf_counter() > deadline:  # a picture far off screen may wait to be mounted
                    print(f"  ({sum(not tile.picture.is_mounted for tile in grid.tiles)} pictures of {label} "
                          "not mounted after 30 s)")
                    break
                await pilot.pause()
            await pilot.pause()
            shown = frames.times[-1] - t
            grid.focus()
            await pilot.pause()
            steps = await frames.steps(pilot, "j", 20)
            print(f"  a {len(results)}-result grid with {label} mounted ({len(grid.tiles)} tiles): on screen in "
                  f"{shown * 1000:.0f} ms; first 20 steps down {ms(steps)}")
            await grid.remove()
            widgets.MARGIN = 2


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
        asyncio.run(answers(settings))
        from flux_ask.chat.conversation import Conversation

        results = Conversation(Archive(settings)).ask("photos from 2021").answer.results
        asyncio.run(every_row_mounted(settings, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
