"""The result grid: tiles of thumbnails with captions, a keyboard cursor, and only the
rows near the screen mounted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events
from textual._styles_cache import StylesCache
from textual.binding import Binding
from textual.containers import Container, Horizontal, ScrollableContainer, Vertical
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from flux_ask.search.answer import Result

MARGIN = 2  # rows mounted beyond those on screen, above and below, so a step down finds its row ready
ROWS_AT_FIRST = 4  # rows mounted before the grid knows where it is on screen
CAPTION_LINES = 3  # rank and scores; the date; the place


@dataclass(frozen=True)
class TileSize:
    """A tile in cells: `width` with its gutter, and the lines of its picture's box."""

    width: int
    picture_lines: int

    @property
    def picture_width(self) -> int:
        return self.width - 3  # the border's two cells and the gutter

    @property
    def height(self) -> int:
        return self.picture_lines + CAPTION_LINES + 2  # and the border's two lines


# boxes of about 4:3 in pixels (a cell is twice as tall as wide), so a 3:2 or 4:3 photo nearly fills one
TILE_SIZES = {"small": TileSize(24, 8), "medium": TileSize(32, 11), "large": TileSize(44, 15)}


def tile_size(setting: str, screen_width: int) -> TileSize:
    """The named size, or for "auto" the largest that still puts four tiles in a row."""
    if setting != "auto":
        return TILE_SIZES[setting]
    fitting = [s for s in TILE_SIZES.values() if 4 * s.width + 4 <= screen_width]
    return max(fitting, key=lambda s: s.width) if fitting else TILE_SIZES["small"]


def fitted_cells(width: int | None, height: int | None, box: tuple[int, int], cell_aspect: float) -> tuple[int, int]:
    """The cells (columns, lines) a picture of `width` x `height` pixels takes, whole and in
    its proportions, inside a `box` of (columns, lines): a panorama is letterboxed, not
    cropped. `cell_aspect` is a cell's height over its width."""
    columns, lines = box
    if not width or not height:
        return columns, lines
    aspect = width / height
    if aspect >= columns / (lines * cell_aspect):  # wider than the box
        return columns, max(1, min(lines, round(columns / aspect / cell_aspect)))
    return max(1, min(columns, round(lines * cell_aspect * aspect))), lines


def caption(result: Result, number: int, width: int, marked: bool = False) -> Text:
    """Three lines that fit `width` cells: ✓ when marked, the rank and scores; the date (an
    undated photo's file date said as such); the place."""
    text = Text()
    if marked:
        text.append("✓ ", "bold green")
    text.append(str(number), "bold")
    if result.score is not None:
        text.append(f"  {result.score:.3f}")
    if result.keeper_score is not None:
        text.append(f"  ★{result.keeper_score:.2f}", "yellow")
    if result.taken_at:
        text.append("\n" + result.taken_at[:10], "dim")
    else:  # no date the photo states: the file's, said to be the file's (20 cells, a small tile's width)
        text.append("\n" + (f"file date {result.file_time[:10]}" if result.file_time else "undated"), "dim italic")
    where = result.locality or result.region or result.country
    if not where and result.lat is not None:
        where = f"{result.lat:.4f}, {result.lon:.4f}"
    text.append("\n" + _shortened(where or "", width), "dim")
    return text


def _shortened(words: str, width: int) -> str:
    return words if len(words) <= width else words[:width - 1] + "…"


class Tile(Vertical):
    """One result: its thumbnail and caption. A tile is shown again with another result
    as the grid scrolls, so it is built once and filled by `show`."""

    class Clicked(Message):
        def __init__(self, tile: Tile):
            super().__init__()
            self.tile = tile

    def __init__(self, image_class, size: TileSize, cell_aspect: float):
        super().__init__(classes="tile")
        self.size_in_cells, self.cell_aspect = size, cell_aspect
        self.styles.width, self.styles.height = size.width - 1, size.height  # the gutter is a margin
        self.result: Result | None = None
        self.index = self.number = -1
        self.picture = image_class(None, classes="thumb")
        self.missing = Static("no preview", classes="thumb missing")
        self.frame = Container(self.picture, self.missing, classes="frame")
        self.frame.styles.width, self.frame.styles.height = size.picture_width, size.picture_lines
        self.caption = Static(classes="caption")
        self.caption.styles.width = size.picture_width

    def compose(self):
        yield self.frame
        yield self.caption

    def show(self, result: Result, index: int, number: int, *, cursor: bool, marked: bool) -> None:
        self.result, self.index, self.number = result, index, number
        has_picture = Path(result.thumbnail).is_file()
        self.picture.image = result.thumbnail if has_picture else None  # decoded when drawn
        self.picture.display, self.missing.display = has_picture, not has_picture
        box = (self.size_in_cells.picture_width, self.size_in_cells.picture_lines)
        self.picture.styles.width, self.picture.styles.height = fitted_cells(result.width, result.height, box,
                                                                             self.cell_aspect)
        self.set_class(cursor, "-cursor")
        self.mark(marked)

    def mark(self, marked: bool) -> None:
        self.set_class(marked, "-marked")
        width = self.size_in_cells.picture_width - 1  # less the caption's padding on the left
        self.caption.update(caption(self.result, self.number, width, marked))

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

    def __init__(self, columns: int, image_class, size: TileSize, cell_aspect: float):
        self.tiles = [Tile(image_class, size, cell_aspect) for _ in range(columns)]
        super().__init__(*self.tiles, classes="tile-row")
        self.styles.height = size.height

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

        def __init__(self, typed: str = "", first: bool = True, submit: bool = False):
            super().__init__()
            self.typed, self.first, self.submit = typed, first, submit

    def __init__(self, results: list[Result], marked: set[int], image_class, first_number: int = 1,
                 tile: TileSize = TILE_SIZES["small"], cell_aspect: float = 2.0):
        super().__init__(classes="grid")
        self.results, self.marked, self.image_class = results, marked, image_class
        self.first_number = first_number
        self.tile, self.cell_aspect = tile, cell_aspect
        self.columns = 0  # known at the first resize
        self.rows: dict[int, TileRow] = {}  # row number -> the widget showing it
        self.window = range(0)  # the row numbers shown
        self.above, self.below = Widget(classes="spacer"), Widget(classes="spacer")
        self.typing = False  # a letter went to the prompt: the keys after it follow

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
        columns = max(1, event.size.width // self.tile.width)
        if columns != self.columns:  # rows of another length: start again around the cursor
            self.columns = columns
            self._mount_rows(range(0))
            row = self.cursor // columns
            self._mount_rows(range(max(0, row - MARGIN), min(self.row_count, row + ROWS_AT_FIRST)))
        self.call_after_refresh(self.follow_view)

    def follow_view(self) -> None:
        """Show the rows on screen and MARGIN rows either side. A grid out of view
        gives its rows back."""
        if self.columns and self.is_mounted:
            self._mount_rows(self.rows_in_view())

    def rows_in_view(self) -> range:
        """The rows on screen, MARGIN rows either side; the cursor's alone for a focused grid out of view."""
        top, height = self._top_on_screen(), self.screen.size.height
        first = min(self.row_count, max(0, -top // self.tile.height - MARGIN))
        last = min(self.row_count, -(-(height - top) // self.tile.height) + MARGIN)
        cursor_row = self.cursor // self.columns
        if first >= last and self.has_focus:  # off screen but focused: keep the cursor's row
            first, last = cursor_row, cursor_row + 1
        return range(first, max(first, last))

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
            region = Region(0, top + row * self.tile.height, self.size.width, self.tile.height)
            scroller.scroll_to_region(region, animate=False, immediate=True)

    def _mount_rows(self, wanted: range) -> None:
        """Show rows `wanted`: rows that left it are filled again where rows entered it."""
        if wanted == self.window or self.below.parent is not self:
            return  # nothing to do, or the grid is being removed: its own children went first
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
        self.above.styles.height = wanted.start * self.tile.height
        self.below.styles.height = (self.row_count - wanted.stop) * self.tile.height

    def _place(self, spare: list[TileRow], r: int, **where) -> None:
        row = spare.pop() if spare else None
        if row is None:
            row = TileRow(self.columns, self.image_class, self.tile, self.cell_aspect)
            self.mount(row, **where)
        else:
            self.move_child(row, **where)
        row.show(self, r)
        self.rows[r] = row

    def on_focus(self) -> None:
        self.typing = False
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
                tile.mark(marked)

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def on_key(self, event: events.Key) -> None:
        """Typing a follow-up ("more like this", "/similar") goes to the prompt; the keys
        that move stay here. Once one letter has gone, every printable key after it follows
        until the prompt has the focus (keys come faster than focus moves), so "/select"
        arrives whole rather than its "l" moving the cursor, and an Enter after them sends the
        question rather than opening a photo."""
        if self.typing and event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Leave(submit=True))
            return
        if not (event.is_printable and event.character):
            return
        if self.typing or event.key not in self._bindings.key_to_bindings:
            event.stop()  # no binding of the grid sees it
            self.post_message(self.Leave(event.character, first=not self.typing))
            self.typing = True

    def on_tile_clicked(self, message: Tile.Clicked) -> None:
        again = message.tile.index == self.cursor and self.has_focus
        self.focus()
        self.cursor = message.tile.index
        if again:  # a click on the highlighted photo opens it
            self.action_open()
