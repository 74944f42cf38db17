"""The result grid: tiles of thumbnails with captions, a keyboard cursor, and only the
rows near the screen mounted."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events
from textual._styles_cache import StylesCache
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from flux_ask.search.answer import Result

TILE_WIDTH = 24  # cells, gutter included
TILE_HEIGHT = 12  # lines, border included
MARGIN = 2  # rows mounted beyond those on screen, above and below, so a step down finds its row ready
ROWS_AT_FIRST = 4  # rows mounted before the grid knows where it is on screen


def caption(result: Result, number: int) -> Text:
    text = Text(f"{number:>3} ", "bold")
    if result.score is not None:
        text.append(f"{result.score:.3f}")
    if result.keeper_score is not None:
        text.append(f" ★{result.keeper_score:.2f}", "yellow")
    text.append("\n" + (result.taken_at or "undated")[:10], "dim")
    where = result.locality or result.region or result.country
    if where:
        text.append(f" {where}"[:TILE_WIDTH - 13], "dim")  # the date takes 10 cells, the border 2
    elif result.lat is not None:
        text.append(f" {result.lat:.1f},{result.lon:.1f}", "dim")
    return text


class Tile(Vertical):
    """One result: its thumbnail and caption. A tile is shown again with another result
    as the grid scrolls, so it is built once and filled by `show`."""

    class Clicked(Message):
        def __init__(self, tile: Tile):
            super().__init__()
            self.tile = tile

    def __init__(self, image_class):
        super().__init__(classes="tile")
        self.result: Result | None = None
        self.index = -1
        self.picture = image_class(None, classes="thumb")
        self.missing = Static("no preview", classes="thumb missing")
        self.caption = Static(classes="caption")

    def compose(self):
        yield self.picture
        yield self.missing
        yield self.caption

    def show(self, result: Result, index: int, number: int, *, cursor: bool, marked: bool) -> None:
        self.result, self.index = result, index
        has_picture = Path(result.thumbnail).is_file()
        self.picture.image = result.thumbnail if has_picture else None  # decoded when drawn
        self.picture.display, self.missing.display = has_picture, not has_picture
        self.caption.update(caption(result, number))
        self.set_class(cursor, "-cursor")
        self.set_class(marked, "-marked")

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Clicked(self))


def forget_released_renders() -> None:
    """Textual's `StylesCache.get_inner_outer` is an lru_cache on a method: it keeps the
    last 1024 widgets' rendered lines alive after they are removed (Textualize/textual#6665).
    Emptied when rows are removed, so they are freed with them."""
    clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if clear is not None:
        clear()


class TileRow(Horizontal):
    """One row of the grid. Rows leaving the screen are moved to where rows enter it and
    filled again: nothing is mounted or removed while moving through an answer."""

    def __init__(self, columns: int, image_class):
        self.tiles = [Tile(image_class) for _ in range(columns)]
        super().__init__(*self.tiles, classes="tile-row")

    def show(self, grid: ResultGrid, row: int) -> None:
        for column, tile in enumerate(self.tiles):
            index = row * len(self.tiles) + column
            tile.display = index < len(grid.results)  # a short last row
            if tile.display:
                result = grid.results[index]
                tile.show(result, index, grid.first_number + index, cursor=index == grid.cursor,
                          marked=result.photo_id in grid.marked)


class ResultGrid(Vertical, can_focus=True):
    """Results as a grid of tiles with a cursor: arrows or hjkl move, Enter opens, space marks.

    Only the rows on screen and MARGIN either side are mounted, with spacers above and
    below standing in for the rest, so a 500-result answer costs what a screenful costs.
    Moving or scrolling through it fills the rows that leave the screen again with the
    results that come into it."""

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
        self.columns = 0  # known at the first resize
        self.rows: dict[int, TileRow] = {}  # row number -> the widget showing it
        self.window = range(0)  # the row numbers shown
        self.above, self.below = Widget(classes="spacer"), Widget(classes="spacer")

    def compose(self):
        yield self.above
        yield self.below

    @property
    def row_count(self) -> int:
        return -(-len(self.results) // self.columns) if self.columns else 0

    @property
    def tiles(self) -> list[Tile]:
        """The tiles showing results now, in order."""
        return [tile for r in self.window for tile in self.rows[r].tiles if tile.display]

    def tile_at(self, index: int) -> Tile | None:
        row = self.rows.get(index // self.columns) if self.columns else None
        return row.tiles[index % self.columns] if row is not None else None

    def on_resize(self, event: events.Resize) -> None:
        columns = max(1, event.size.width // TILE_WIDTH)
        if columns != self.columns:  # rows of another length: start again around the cursor
            self.columns = columns
            self._mount_rows(range(0))
            row = self.cursor // columns
            self._mount_rows(range(max(0, row - MARGIN), min(self.row_count, row + ROWS_AT_FIRST)))
        self.call_after_refresh(self.follow_view)

    def follow_view(self) -> None:
        """Show the rows on screen and MARGIN rows either side. A grid out of view
        gives its rows back."""
        if not self.columns or not self.is_mounted:
            return
        top, height = self._top_on_screen(), self.screen.size.height
        first = min(self.row_count, max(0, -top // TILE_HEIGHT - MARGIN))
        last = min(self.row_count, -(-(height - top) // TILE_HEIGHT) + MARGIN)
        cursor_row = self.cursor // self.columns
        if first >= last and self.has_focus:  # off screen but focused: keep the cursor's row
            first, last = cursor_row, cursor_row + 1
        self._mount_rows(range(first, max(first, last)))

    def _place_in_scroller(self) -> tuple[ScrollableContainer | None, int]:
        """The container that scrolls the grid, and the line of its first row in that
        container's content. Worked out from the layout, which moving through the grid
        leaves alone, rather than from regions on screen, which only the next refresh
        brings up to date: keys come faster than frames."""
        y, node = 0, self
        while node.parent is not None and not isinstance(node.parent, ScrollableContainer):
            y += node.virtual_region.y
            node = node.parent
        if node.parent is None:
            return None, self.content_region.y
        return node.parent, node.virtual_region.y + y

    def _top_on_screen(self) -> int:
        scroller, top = self._place_in_scroller()
        return top if scroller is None else scroller.content_region.y + top - round(scroller.scroll_y)

    def _scroll_to_row(self, row: int) -> None:
        scroller, top = self._place_in_scroller()
        if scroller is not None:
            region = Region(0, top + row * TILE_HEIGHT, self.size.width, TILE_HEIGHT)
            scroller.scroll_to_region(region, animate=False, immediate=True)

    def _mount_rows(self, wanted: range) -> None:
        """Show rows `wanted`: rows that left it are filled again where rows entered it."""
        if wanted == self.window:
            return
        kept = range(max(wanted.start, self.window.start), min(wanted.stop, self.window.stop))
        if not kept:
            kept = range(wanted.start, wanted.start)
        spare = [self.rows.pop(r) for r in list(self.rows) if r not in kept]
        for r in reversed(range(wanted.start, kept.start)):
            self._place(spare, r, after=self.above)
        for r in range(kept.stop, wanted.stop):
            self._place(spare, r, before=self.below)
        for row in spare:  # the window shrank
            row.remove()
        if spare:
            forget_released_renders()
        self.window = wanted
        self.above.styles.height = wanted.start * TILE_HEIGHT
        self.below.styles.height = (self.row_count - wanted.stop) * TILE_HEIGHT

    def _place(self, spare: list[TileRow], r: int, **where) -> None:
        row = spare.pop() if spare else None
        if row is None:
            row = TileRow(self.columns, self.image_class)
            self.mount(row, **where)
        else:
            self.move_child(row, **where)
        row.show(self, r)
        self.rows[r] = row

    def on_focus(self) -> None:
        self.add_class("-focused")
        self._show_cursor()

    def on_blur(self) -> None:
        self.remove_class("-focused")

    def watch_cursor(self, old: int, new: int) -> None:
        if (tile := self.tile_at(old)) is not None:
            tile.remove_class("-cursor")
        self._show_cursor()

    def _show_cursor(self) -> None:
        """Highlight the cursor's tile, showing its row first if it is not, and bring it into view."""
        if not self.results or not self.columns:
            return
        row = self.cursor // self.columns
        if row not in self.window:  # a jump
            self._mount_rows(range(max(0, row - MARGIN), min(self.row_count, row + 1 + MARGIN)))
        self.tile_at(self.cursor).add_class("-cursor")
        self._scroll_to_row(row)
        self.post_message(self.Highlighted(self.results[self.cursor], self.first_number + self.cursor))

    @property
    def current(self) -> Result | None:
        return self.results[self.cursor] if self.results else None

    def action_move(self, rows: int, cols: int) -> None:
        if not self.results or not self.columns:
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
        columns = self.columns or 1
        last_row = (len(self.results) - 1) // columns
        row = last_row if from_below else 0
        self.cursor = min(row * columns + min(column, columns - 1), len(self.results) - 1)
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
        """Rows shown later read `self.marked`, the app's basket."""
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
        again = message.tile.index == self.cursor and self.has_focus
        self.focus()
        self.cursor = message.tile.index
        if again:  # a click on the highlighted photo opens it
            self.action_open()
