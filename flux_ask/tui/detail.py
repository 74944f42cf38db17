"""One photo, large, with everything the catalog knows of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

from PIL import Image as PILImage
from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from flux_ask.errors import FluxAskError
from flux_ask.picture.scan import printable
from flux_ask.search.answer import Result
from flux_ask.tui.images import cell_pixels
from flux_ask.words import visible


CLIPBOARD_TOOLS = (["pbcopy"], ["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"])


def copy_with_system_tool(text: str) -> bool:
    """Whether a clipboard tool of this system took the text (macOS, Wayland, X)."""
    for command in CLIPBOARD_TOOLS:
        if shutil.which(command[0]) is None:
            continue
        if command[0] in ("xclip", "xsel") and not os.environ.get("DISPLAY"):
            continue
        try:
            done = subprocess.run(command, input=text.encode("utf-8", "surrogateescape"), timeout=2,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return True
    return False


def _taken_words(r: Result, rec: dict[str, Any]) -> str:
    """When it was taken and which tag says so; for an undated photo, its file's time, said to be that."""
    if r.taken_at:
        return r.taken_at + (f"  (from {rec['taken_at_source']})" if rec.get("taken_at_source") else "")
    return f"undated: its file was last changed {r.file_time[:16].replace('T', ' ')}" if r.file_time else "undated"


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back"),
        Binding("o", "open", "viewer"),
        Binding("c", "copy", "copy path"),
        Binding("space", "mark", "mark"),
        Binding("left,h", "step(-1)", "prev"),
        Binding("right,l", "step(1)", "next"),
    ]

    def __init__(self, grid, conversation, image_class, marked: set[int]):
        super().__init__()
        self.grid = grid  # one cursor: the photo shown here is the grid's highlighted one, "this one"
        self.results, self.index = grid.results, grid.cursor
        self.conversation, self.image_class, self.marked = conversation, image_class, marked
        self.record: dict[str, Any] | None = None
        self.pixels: tuple[int, int] | None = None  # the shown picture's size, to fit it

    @property
    def result(self) -> Result:
        return self.results[self.index]

    def compose(self):
        with Horizontal():
            with Container(id="stage"):
                yield self.image_class(None, id="preview")
            with VerticalScroll(id="facts"):
                yield Static(id="metadata")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self.record = None
        self._picture(self.result.thumbnail)
        self.query_one("#metadata", Static).update(self._table())
        self._load(self.result.photo_id)

    def _picture(self, path: str) -> None:
        """Show `path` as large as the stage allows, in its own proportions."""
        preview = self.query_one("#preview")
        if not os.path.isfile(path):
            preview.image = None
            return
        with PILImage.open(path) as im:
            self.pixels = im.size
        preview.image = path
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        stage, preview = self.query_one("#stage"), self.query_one("#preview")
        if self.pixels is None or not stage.size.width:
            return
        cell_width, cell_height = cell_pixels()
        width, height = self.pixels[0] / cell_width, self.pixels[1] / cell_height  # in cells
        scale = min(stage.size.width / width, stage.size.height / height)
        preview.styles.width, preview.styles.height = max(1, int(width * scale)), max(1, int(height * scale))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, photo_id: int) -> None:
        """The catalog record and the large preview (decoded from the original on first view)."""
        try:
            record = self.conversation.photo(photo_id)
        except FluxAskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._loaded, record)

    def _loaded(self, record: dict[str, Any]) -> None:
        if record["photo_id"] != self.result.photo_id:
            return  # the user moved on
        self.record = record
        if os.path.isfile(record["preview"]):
            self._picture(record["preview"])
        self.query_one("#metadata", Static).update(self._table())

    def _table(self) -> Table:
        r, rec = self.result, self.record or {}
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="fold")
        rows = [
            ("result", f"{self.index + 1} of {len(self.results)}"),
            ("photo", str(r.photo_id) + ("  ✓ in the basket" if r.photo_id in self.marked else "")),
            ("score", f"{r.score:.4f}" if r.score is not None else "—"),
            ("keeper score", f"{r.keeper_score:.3f}" if r.keeper_score is not None else "no keeper model yet"),
            ("taken", _taken_words(r, rec)),
            ("place", _place_words(r)),
        ]
        if rec:
            if rec.get("altitude") is not None:
                rows.append(("altitude", f"{rec['altitude']:.0f} m"))
            camera = " ".join(x for x in (rec.get("camera_make"), rec.get("camera_model")) if x)
            rows += [("camera", camera or "—"), ("lens", rec.get("lens") or "—"),
                     ("size", f"{rec['width']} × {rec['height']} px, {_size(rec['bytes'])}, "
                              f"{rec['format'] or 'unknown format'}"),
                     ("sha256", " ".join(rec["sha256"][i:i + 16] for i in range(0, 64, 16)))]  # wraps between groups
            for i, f in enumerate(rec["files"]):
                folder, name = os.path.split(printable(f["path"]))
                state = "" if f["state"] == "ok" else f"  ({f['state']})"
                rows += [("file" if i == 0 else "", name + state), ("in", folder + os.sep)]
        else:
            rows.append(("path", printable(r.path) if r.path else "—"))
        for key, value in rows:
            table.add_row(Text(key), Text(visible(value)))  # as they are, never as markup nor as terminal codes
        return table

    def action_open(self) -> None:
        if not self.result.path:
            self.notify("this photo has no readable file", severity="error")
            return
        command = {"darwin": ["open"], "win32": None}.get(sys.platform, ["xdg-open"])
        try:
            if command is None:
                os.startfile(self.result.path)  # type: ignore[attr-defined]
            else:
                subprocess.Popen([*command, self.result.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        except FileNotFoundError:
            self.notify(f"no picture viewer to open it with ({command[0]} is not installed here); "
                        f"the file is {printable(self.result.path)}", severity="warning", markup=False)
            return
        except OSError as exc:
            self.notify(f"cannot open a viewer: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"opened {printable(os.path.basename(self.result.path))}", markup=False)

    def action_copy(self) -> None:
        if self.result.path:
            self._copy(self.result.path)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy(self, path: str) -> None:
        """The path to the clipboard: the system's own where it has a tool for it (which may take
        seconds to answer: off the keys' thread), else through the terminal."""
        if copy_with_system_tool(path):
            self.app.call_from_thread(self.notify, f"copied {printable(path)}", markup=False)
        else:
            self.app.call_from_thread(self._ask_the_terminal, path)

    def _ask_the_terminal(self, path: str) -> None:
        """OSC 52, which some terminals ignore without a word: so it says it asked."""
        self.app.copy_to_clipboard(path)
        self.notify(f"asked the terminal to copy {printable(path)} (if nothing pastes, it does not "
                    "allow copying: the file and its folder are listed above)", markup=False)

    def action_mark(self) -> None:
        self.app.toggle_mark(self.result)
        self.query_one("#metadata", Static).update(self._table())

    def action_step(self, step: int) -> None:
        self.index = (self.index + step) % len(self.results)
        self.grid.cursor = self.index
        self._show()


def _place_words(r: Result) -> str:
    """ "Lund, Skåne, Sweden" over its coordinates."""
    if r.lat is None:
        return "no GPS position"
    position = f"{r.lat:.5f}, {r.lon:.5f}"
    return position if r.place == position else f"{r.place}\n{position}"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"
