"""The transcript's pieces: a question, an answer (chips, notes, grid or grouped rows),
a note, and the result grid with its keyboard cursor."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from flux_ask.chat.chips import Chip
from flux_ask.chat.session import Turn
from flux_ask.search.engine import Result
from flux_ask.tui.chart import score_chart

TILE_WIDTH = 24  # cells, gutter included
BATCH = 16  # tiles mounted at a time (more than a screenful); more mount as the cursor or the scroll nears them


class Note(Static):
    """A line from the app: help, a confirmation, an error (class "error")."""


class Question(Static):
    def __init__(self, question: str):
        super().__init__(Text.assemble(("› ", "bold"), question))


class Progress(Static):
    """A background job's progress, updated in place."""


def chip_text(chips: list[Chip]) -> Text:
    styles = {"": "reverse", "new": "bold reverse green", "changed": "bold reverse yellow", "removed": "strike dim"}
    marks = {"": "", "new": "+", "changed": "→", "removed": "−"}
    text = Text()
    for i, chip in enumerate(chips):
        if i:
            text.append(" · ", "dim")
        text.append(f" {marks[chip.change]}{chip.label} ", styles[chip.change])
    return text


def caption(result: Result, number: int) -> Text:
    text = Text(f"{number:>3} ", "bold")
    if result.score is not None:
        text.append(f"{result.score:.3f}")
    if result.keeper_score is not None:
        text.append(f" ★{result.keeper_score:.2f}", "yellow")
    text.append("\n" + (result.taken_at or "undated")[:10], "dim")
    if result.lat is not None:
        text.append(f" {result.lat:.1f},{result.lon:.1f}", "dim")
    return text


class Tile(Vertical):
    """One result: its thumbnail and caption. The picture is decoded only when drawn,
    so tiles out of view cost a file header read."""

    class Clicked(Message):
        def __init__(self, tile: Tile):
            super().__init__()
            self.tile = tile

    def __init__(self, result: Result, number: int, image_class):
        super().__init__(classes="tile")
        self.result, self.number, self.image_class = result, number, image_class

    def compose(self):
        if Path(self.result.thumbnail).is_file():
            yield self.image_class(self.result.thumbnail, classes="thumb")
        else:
            yield Static("no preview", classes="thumb missing")
        yield Static(caption(self.result, self.number), classes="caption")

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Clicked(self))


class ResultGrid(Widget, can_focus=True):
    """Results as a grid of tiles with a cursor: arrows or hjkl move, Enter opens, space marks."""

    BINDINGS = [
        Binding("left,h", "move(0, -1)", "left", show=False),
        Binding("right,l", "move(0, 1)", "right", show=False),
        Binding("up,k", "move(-1, 0)", "up", show=False),
        Binding("down,j", "move(1, 0)", "down", show=False),
        Binding("home,g", "jump(0)", "first", show=False),
        Binding("end,G", "jump(-1)", "last", show=False),
        Binding("enter", "open", "details"),
        Binding("space", "mark", "mark"),
        Binding("escape", "leave", "prompt"),
    ]
    cursor = reactive(0, init=False)

    class Opened(Message):
        def __init__(self, result: Result, grid: ResultGrid):
            super().__init__()
            self.result, self.grid = result, grid

    class Marked(Message):
        def __init__(self, result: Result, marked: bool):
            super().__init__()
            self.result, self.marked = result, marked

    class Highlighted(Message):
        def __init__(self, result: Result, number: int):
            super().__init__()
            self.result, self.number = result, number

    class Edge(Message):
        """The cursor went past the top or bottom row: the neighbouring grid takes over."""

        def __init__(self, grid: ResultGrid, step: int, column: int):
            super().__init__()
            self.grid, self.step, self.column = grid, step, column

    class Leave(Message):
        """Back to the prompt, with what was typed here (a follow-up started in the grid)."""

        def __init__(self, typed: str = ""):
            super().__init__()
            self.typed = typed

    def __init__(self, results: list[Result], marked: set[int], image_class, first_number: int = 1):
        super().__init__(classes="grid")
        self.results, self.marked, self.image_class = results, marked, image_class
        self.first_number = first_number
        self.columns = 1
        self.mounted = 0

    def on_mount(self) -> None:
        self.grow()

    @property
    def complete(self) -> bool:
        return self.mounted >= len(self.results)

    def grow(self, upto: int = 0) -> None:
        """Mount the next batch of tiles, or up to tile `upto` (all at once would cost a
        500-result answer about a second)."""
        if self.complete:
            return
        end = min(len(self.results), max(self.mounted + BATCH, upto + 1))
        batch = [Tile(r, self.first_number + i, self.image_class)
                 for i, r in enumerate(self.results[self.mounted:end], start=self.mounted)]
        for tile in batch:
            tile.set_class(tile.result.photo_id in self.marked, "-marked")
        self.mounted += len(batch)
        self.mount_all(batch)
        if self.mounted - len(batch) <= self.cursor < self.mounted:
            self.call_after_refresh(self._paint_cursor, self.cursor, self.cursor)

    @property
    def tiles(self) -> list[Tile]:
        return list(self.query_children(Tile))

    def on_resize(self, event: events.Resize) -> None:
        self.columns = max(1, event.size.width // TILE_WIDTH)
        self.styles.grid_size_columns = self.columns

    def on_focus(self) -> None:
        self.add_class("-focused")
        self._paint_cursor(self.cursor, self.cursor)

    def on_blur(self) -> None:
        self.remove_class("-focused")

    def watch_cursor(self, old: int, new: int) -> None:
        if new >= self.mounted - self.columns:
            self.grow(new + self.columns)
        self._paint_cursor(old, new)

    def _paint_cursor(self, old: int, new: int) -> None:
        tiles = self.tiles
        if old < len(tiles):
            tiles[old].remove_class("-cursor")
        if new < len(tiles):
            tiles[new].add_class("-cursor")
            self.screen.scroll_to_widget(tiles[new], animate=False)
            self.post_message(self.Highlighted(self.results[new], self.first_number + new))

    @property
    def current(self) -> Result | None:
        return self.results[self.cursor] if self.results else None

    def action_move(self, rows: int, cols: int) -> None:
        if not self.results:
            return
        column = self.cursor % self.columns
        target = self.cursor + rows * self.columns + cols
        if cols and target // self.columns != self.cursor // self.columns:
            target = self.cursor  # left and right stay in the row
        if rows and not 0 <= target < len(self.results):
            last_row = (len(self.results) - 1) // self.columns
            if rows > 0 and self.cursor // self.columns < last_row:
                target = len(self.results) - 1  # a short last row: its last tile
            else:
                self.post_message(self.Edge(self, rows, column))
                return
        self.cursor = max(0, min(target, len(self.results) - 1))

    def action_jump(self, where: int) -> None:
        if self.results:
            self.cursor = where % len(self.results)

    def enter_at(self, column: int, from_below: bool) -> None:
        last_row = (len(self.results) - 1) // self.columns
        row = last_row if from_below else 0
        self.cursor = min(row * self.columns + min(column, self.columns - 1), len(self.results) - 1)
        self.focus()

    def action_open(self) -> None:
        if self.results:
            self.post_message(self.Opened(self.results[self.cursor], self))

    def action_mark(self) -> None:
        result = self.current
        if result is None:
            return
        marked = result.photo_id not in self.marked
        self.post_message(self.Marked(result, marked))

    def show_marked(self, photo_id: int, marked: bool) -> None:
        for tile in self.tiles:
            if tile.result.photo_id == photo_id:
                tile.set_class(marked, "-marked")

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def on_key(self, event: events.Key) -> None:
        """Typing a follow-up ("more like this", "/similar") goes to the prompt; the keys
        that move stay here."""
        if event.is_printable and event.character and event.key not in self._bindings.key_to_bindings:
            event.stop()
            self.post_message(self.Leave(event.character))

    def on_tile_clicked(self, message: Tile.Clicked) -> None:
        index = self.tiles.index(message.tile)
        again = index == self.cursor and self.has_focus
        self.focus()
        self.cursor = index
        if again:  # a click on the highlighted photo opens it
            self.action_open()


class ScoreChart(Static):
    def __init__(self, turn: Turn):
        super().__init__(classes="chart")
        self.groups = turn.answer.groups or []

    def render(self) -> Text:
        return score_chart(self.groups, min(self.size.width, 100) or 60)


class AnswerView(Vertical):
    """Chips, notes, then a grid (or one row per period or motif, with the chart)."""

    def __init__(self, turn: Turn, marked: set[int], image_class, *, timings: bool = True):
        super().__init__(classes="answer")
        self.turn, self.marked, self.image_class, self.timings = turn, marked, image_class, timings

    def compose(self):
        turn, answer = self.turn, self.turn.answer
        yield Static(chip_text(turn.chips), classes="chips")
        yield Static(self._summary(), classes="summary")
        if answer.groups is not None:
            if not answer.groups:
                yield Note("nothing recurs enough to show: try fewer years, or a broader concept"
                           if turn.plan.group_by == "motif" else "no dated photo matches")
                return
            if len(answer.groups) > 1:
                yield ScoreChart(turn)
            for group in answer.groups:
                yield Static(Text(f"{group.label}  ", "bold") + Text(f"score {group.score:.3f}", "dim"),
                             classes="group-label")
                yield ResultGrid(list(group.members), self.marked, self.image_class)
        elif answer.results:
            yield ResultGrid(answer.results, self.marked, self.image_class, first_number=answer.offset + 1)
        else:
            yield Note("nothing matches: loosen a filter (a longer period, a wider place) or ask more broadly")

    def _summary(self) -> Text:
        a = self.turn.answer
        lacking = {"no_date": "without an EXIF date", "no_location": "without a GPS position"}
        parts = []
        if a.groups is None:
            shown = f"{a.offset + 1:,}-{a.offset + len(a.results):,} of " if a.total > len(a.results) else ""
            parts.append(f"{shown}{a.total:,} match{'es' if a.total != 1 else ''}")
        else:
            parts.append(f"{len(a.groups)} group{'s' if len(a.groups) != 1 else ''}")
        if self.timings:
            parts.append(f"{a.seconds * 1000:.0f} ms")
        parts += [f"{n:,} photos {lacking[k]} left out" for k, n in a.left_out.items() if n]
        if a.ranking and "weight" in a.ranking:
            parts.append(f"blended with the keeper score (weight {a.ranking['weight']})")
        elif a.ranking and a.ranking.get("note"):
            parts.append(a.ranking["note"])
        return Text(" · ".join(parts), "dim")
