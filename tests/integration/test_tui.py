"""The chat as a person uses it, through Textual's Pilot: ask, move, open, follow up, mark,
save and run recipes, draft issues, index in the background, and errors as messages.
Snapshots use the deterministic half-block renderer, no timings and a still cursor."""

import asyncio
import gc
import os
import shutil
import subprocess
import sys
import time

import pytest

pytest.importorskip("textual")

import flux_ask.tui  # noqa: F401, E402  (textual-image asks the terminal first)
from flux_ask.archive.home import Archive  # noqa: E402
from flux_ask.chat.conversation import Conversation  # noqa: E402
from flux_ask.config import load_settings  # noqa: E402
from flux_ask.search.engine import Result  # noqa: E402
from flux_ask.tui.answer import AnswerView  # noqa: E402
from flux_ask.tui.app import FluxAskApp, ProgressMeter  # noqa: E402
from flux_ask.tui.chart import ScoreChart  # noqa: E402
from flux_ask.tui.detail import DetailScreen  # noqa: E402
from flux_ask.tui.grid import TILE_SIZES, ResultGrid, Tile, TileRow  # noqa: E402

TILE_HEIGHT = TILE_SIZES["small"].height
from flux_ask.tui.idle_gc import HELD_BACK, OVERDUE, IdleCollector  # noqa: E402
from flux_ask.tui.transcript import Note, Progress, Question  # noqa: E402
from tests.conftest import subprocess_env  # noqa: E402
from tests.photos import make_archive  # noqa: E402

SIZE = (110, 40)


@pytest.fixture
def app(chat_settings, tiny):
    conversation = Conversation(Archive(chat_settings, encoder=tiny))
    conversation.clear_basket()
    return FluxAskApp(conversation, images="halfcell", timings=False, blink=False)


async def submit(pilot, text: str) -> None:
    pilot.app.prompt.value = text
    await pilot.press("enter")
    await settle(pilot)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def steady(pilot, frames: int = 50) -> None:
    """Settled until the screen stops changing: on a loaded machine an answer is still
    being brought into view (a refresh at a time) after its workers are done."""
    await settle(pilot)
    shown = pilot.app.export_screenshot()
    for _ in range(frames):
        await pilot.pause(0.05)
        await settle(pilot)
        now = pilot.app.export_screenshot()
        if now == shown and laid_out(pilot.app):
            return
        shown = now


def laid_out(app) -> bool:
    """Every answer's grid has had its size and shows the rows in its view: before that it is no
    rows high, or rows short after a scroll, and two frames alike on a loaded machine would show
    a heading with no pictures under it."""
    return all(grid.columns and grid.window == grid.rows_in_view() for grid in app.query(ResultGrid))


def text_of(widget) -> str:
    """What a widget shows, as plain text (tables and charts included)."""
    from rich.console import Console

    content = widget.render() if isinstance(widget, ScoreChart) else widget.content
    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    console.print(content)
    return console.export_text()


def notes(app) -> list[str]:
    return [text_of(n).strip() for n in app.query(Note)]


async def test_a_question_gets_chips_and_a_grid_of_pictures(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"red squares", "enter")
        await settle(pilot)
        answer = app.query_one(AnswerView)
        assert "red squares" in text_of(answer.query_one(".chips")) and "best 12" in text_of(answer.query_one(".chips"))
        assert "the best 12 of 20 photos searched" in text_of(answer.query_one(".summary"))
        tiles = list(answer.query(Tile))
        assert len(tiles) == 12 and all(t.query(".thumb") for t in tiles)
        assert tiles[0].result.taken_at[:10] in text_of(tiles[0].query_one(".caption"))
        assert len(app.render_seconds) == 1  # the answer was painted once (its speed is benchmarks/tui.py's)


async def test_keys_move_through_the_results_and_open_a_photo(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "blue")
        await steady(pilot)  # the grid knows its columns once laid out
        await pilot.press("tab")
        grid = app.query_one(ResultGrid)
        assert app.focused is grid and grid.columns == 4
        await pilot.press("l", "l", "j", "right", "h", "down", "up")
        assert grid.cursor == 6 and "-cursor" in grid.tiles[6].classes
        assert app.highlighted.photo_id == grid.results[6].photo_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        facts = text_of(app.screen.query_one("#metadata"))
        assert grid.results[6].path[:20] in facts.replace("\n", "") and "sha256" in facts
        await pilot.press("c")
        await settle(pilot)  # a clipboard tool is asked in a worker
        assert app.clipboard == grid.results[6].path
        await pilot.press("right")
        await settle(pilot)
        assert app.screen.result == grid.results[7] and "8 of 12" in text_of(app.screen.query_one("#metadata"))
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen) and app.focused is grid
        # one cursor: the photo the detail screen last showed is the highlighted one, "this one"
        assert grid.cursor == 7 and app.highlighted.photo_id == grid.results[7].photo_id
        await pilot.press("escape")
        assert app.focused is app.prompt


async def test_a_command_typed_with_the_grid_focused_arrives_whole(app):
    """'/select' typed in the grid: its 'l' is no move once the '/' has gone to the prompt."""
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "blue")
        await pilot.press("tab")
        grid = app.query_one(ResultGrid)
        assert app.focused is grid
        await pilot.press("l")  # the grid's own key, before anything was typed: a move
        assert grid.cursor == 1
        app.prompt.value = "half a question"
        typed_fast(grid, "/select")
        await settle(pilot)
        assert app.prompt.value == "/select" and grid.cursor == 1 and app.focused is app.prompt
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab")
        assert app.focused is grid
        typed_fast(grid, "more like this")  # a follow-up: its 'k', 'l' and spaces go along too
        await settle(pilot)
        assert app.prompt.value == "more like this" and grid.cursor == 1 and not app.marked


def typed_fast(widget, text: str) -> None:
    """Keys as a person types them: all queued before the first has moved the focus."""
    from textual import events

    for ch in text:
        widget.post_message(events.Key({"/": "slash", " ": "space"}.get(ch, ch), ch))


async def test_tab_lists_the_ways_to_finish_a_command_and_goes_through_them(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.recipe_names = ["lund streets", "lund-streets"]
        await pilot.press(*"/rec")
        await pilot.press("tab")
        listed = app.query_one("#candidates")
        assert app.prompt.value == "/recipe save " and listed.display
        assert text_of(listed).strip().split("  ") == ["/recipe save", "/recipe run", "/recipe rm", "/recipes"]
        seen = [app.prompt.value]
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(app.prompt.value)
        assert seen == ["/recipe save ", "/recipe run ", "/recipe rm ", "/recipes", "/recipe save "]
        assert app.focused is app.prompt  # Tab goes through them; it does not jump to the results
        app.prompt.value = ""
        await pilot.press(*"/recipe run lu")
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert app.prompt.value == "/recipe run lund-streets"
        await pilot.press("x")  # typing over it ends the list
        await pilot.pause()
        assert not listed.display


async def test_this_one_is_the_photo_under_the_cursor_even_before_the_grid_is_entered(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "red")
        first = app.query_one(ResultGrid).results[0]
        assert app.highlighted is None
        await submit(pilot, "show images visually similar to this one")
        assert "no photo" not in " ".join(notes(app))
        similar = list(app.query(ResultGrid))[-1].results
        assert similar and first.photo_id not in [r.photo_id for r in similar]


async def test_one_toast_at_a_time_and_no_viewer_said_plainly(app, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open, no clipboard tool
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "blue")
        await pilot.press("tab", "space", "l", "space", "l", "space")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [f"marked photo {app.highlighted.photo_id}; "
                                                            "the basket holds 3"]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert len(said) == 1 and "no picture viewer to open it with (xdg-open is not installed here)" in said[0]
        await pilot.press("c")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert len(said) == 1 and said[0].startswith("asked the terminal to copy")


async def test_the_mouse_highlights_then_opens(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "green")
        await steady(pilot)  # brought into view before it is scrolled, or it would scroll back
        grid = app.query_one(ResultGrid)
        app.transcript.scroll_to_widget(grid.tiles[2], animate=False, top=True)
        await steady(pilot)
        await pilot.click(grid.tiles[2])
        await pilot.pause()
        assert app.focused is grid and grid.cursor == 2
        await pilot.click(grid.tiles[2])
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.result == grid.results[2]


async def test_follow_ups_show_what_changed(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "red squares")
        await submit(pilot, "only 2021")
        await submit(pilot, "near Walnut instead")
        answers = list(app.query(AnswerView))
        assert len(answers) == 3
        chips = text_of(answers[1].query_one(".chips"))
        assert "+2021" in chips and "red squares" in chips and "refining “red squares”" in chips
        assert "refining" not in text_of(answers[0].query_one(".chips"))
        assert "+within 150 m of 40th and Walnut" in text_of(answers[2].query_one(".chips"))
        await pilot.press("tab", "l", "l", *"more like this")  # typed in the grid: it goes to the prompt
        assert app.focused is app.prompt and app.prompt.value == "more like this"
        await submit(pilot, "more like this")
        last = list(app.query(AnswerView))[-1]
        assert "like photo " in text_of(last.query_one(".chips"))  # the highlighted photo, by its id and file
        await submit(pilot, "more like the second one")
        second = last.query_one(ResultGrid).results[1].photo_id  # of the answer before
        assert f"like photo {second} (" in text_of(list(app.query(AnswerView))[-1].query_one(".chips"))


async def test_a_click_on_an_other_reading_switches_the_place(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "red squares in athens")
        chips = app.query_one(AnswerView).query_one(".chips")
        shown = text_of(chips)
        assert "or Athens, Georgia /meant 1" in shown
        await pilot.click(chips, offset=(shown.index("or Athens, Georgia") + 2, 0))
        await settle(pilot)
        answers = list(app.query(AnswerView))
        assert len(answers) == 2 and answers[1].turn.plan.near.label == "Athens, Georgia"
        assert text_of(list(app.query(Question))[-1]).strip() == "› /meant 1"  # the click, said as typed
        await submit(pilot, "/meant 1")  # typed: back to Greece
        assert list(app.query(AnswerView))[-1].turn.plan.near.lat > 37


async def test_grouped_answers_have_a_row_per_period_and_a_chart(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "evolution of red over time")
        answer = app.query_one(AnswerView)
        labels = [text_of(w) for w in answer.query(".group-label")]
        assert [label.split()[0] for label in labels] == ["2019", "2020", "2021", "2022", "2023"]
        chart = text_of(answer.query_one(ScoreChart))
        assert "score by year" in chart and "mean score of its best (left)" in chart
        assert "share of its photos above the threshold (right)" in chart  # both curves, their legend below
        grids = list(answer.query(ResultGrid))
        await pilot.press("ctrl+r")  # the results: the last grid
        assert app.focused is grids[-1]
        await pilot.press("k")  # up, past its top row: the row above
        for _ in range(50):  # the grid's edge goes up to the app, which moves the focus: a message or two later
            if app.focused is grids[-2]:
                break
            await pilot.pause(0.02)
        assert app.focused is grids[-2]


def test_the_chart_runs_linearly_in_time_and_labels_whole_years():
    """1919 sits far from 2000, not beside it; ticks are whole years a round number apart."""
    from flux_ask.search.answer import Group
    from flux_ask.tui.chart import score_chart, whole_years

    def group(day: str, score: float, share: float) -> Group:
        member = Result(1, None, score, 1 - score, day, None, None, None, "", "0" * 64)
        return Group(day[:4], "year", score, share, (member,))

    chart = score_chart([group("1919-06-01", 0.2, 0.1), group("2000-06-01", 0.3, 0.4),
                         group("2001-06-01", 0.25, 0.3)], 80).plain.splitlines()
    rows = [line for line in chart if "┤" in line]  # the plot's rows, between its axes
    inside = [line[line.index("┤") + 1:line.rindex("├")] for line in rows]
    columns = sorted({i for line in inside for i, ch in enumerate(line) if "⠁" <= ch <= "⣿"})
    span = 2001.4 - 1900  # the axis starts at the label before the first point
    assert abs(columns[0] / len(inside[0]) - 19.4 / span) < 0.05 and columns[-1] > len(inside[0]) - 3
    peak = max(i for i, ch in enumerate(inside[0]) if ch.strip())  # 2000's score, the highest, on the top row
    assert abs(peak / len(inside[0]) - (2000.4 - 1900) / span) < 0.05  # where 2000 lies in time
    axis = next(line for line in chart if "1920" in line)
    assert axis.split() == ["1900", "1920", "1940", "1960", "1980", "2000"]
    starts = [axis.index(year) for year in axis.split()]
    assert max(b - a for a, b in zip(starts, starts[1:])) - min(b - a for a, b in zip(starts, starts[1:])) <= 1
    assert whole_years([2000.83, 2008.4]) == [2000, 2002, 2004, 2006, 2008]
    assert whole_years([2019.1, 2023.5]) == [2019, 2020, 2021, 2022, 2023]
    motifs = score_chart([Group("motif 1", "motif", 0.2, None, (
        Result(1, None, 0.2, 0.8, "2001-03-01", None, None, None, "", "0" * 64),
        Result(2, None, 0.22, 0.78, "2006-03-01", None, None, None, "", "0" * 64)))], 80).plain
    assert "⣿ motif 1" in motifs.splitlines()[-1] and "." not in next(
        line for line in motifs.splitlines() if "2002" in line)  # whole years, and the legend under the plot


async def test_space_marks_and_the_basket_outlives_the_app(app, chat_settings, tiny):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "yellow")
        await pilot.press("tab", "space", "l", "space", "l", "space", "space")
        await settle(pilot)
        grid = app.query_one(ResultGrid)
        marked = [grid.results[0].photo_id, grid.results[1].photo_id]
        assert app.marked == set(marked) and "-marked" in grid.tiles[0].classes
        assert "-marked" not in grid.tiles[2].classes
    again = FluxAskApp(Conversation(Archive(chat_settings, encoder=tiny)), images="halfcell", timings=False, blink=False)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.marked == set(marked)
        await submit(pilot, "/select")
        shown = again.query_one(ResultGrid)
        assert [r.photo_id for r in shown.results] == marked and all("-marked" in t.classes for t in shown.tiles)
        await submit(pilot, "/select clear")  # asked first: said again, it is done
        assert again.marked == set(marked) and "/select clear again empties it" in notes(again)[-1]
        await submit(pilot, "/select clear")
        assert not again.marked and "emptied the basket (2 photos)" in notes(again)[-1]


async def test_recipes_save_complete_and_run(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "purple from 2022")
        first = app.query_one(ResultGrid).results
        await submit(pilot, "/recipe save purple 22")
        assert "saved the recipe 'purple 22': purple from 2022" in notes(app)[-1]
        await submit(pilot, "/recipe save purple 22")  # one that exists is replaced only when said twice
        assert "/recipe save purple 22 again replaces it" in notes(app)[-1]
        await pilot.press(*"/recipe run pu")
        await pilot.pause()
        await pilot.press("tab")
        assert app.prompt.value == "/recipe run purple 22"
        await pilot.press("enter")
        await settle(pilot)
        assert [r.photo_id for r in list(app.query(ResultGrid))[-1].results] == [r.photo_id for r in first]
        await submit(pilot, "/recipes")
        assert "purple 22" in notes(app)[-1] and "purple from 2022" in notes(app)[-1]
        await submit(pilot, "/recipe rm purple 22")
        assert "deleted the recipe 'purple 22'" in notes(app)[-1]


async def test_an_issue_is_drafted_from_the_app(app, chat_settings):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "orange")
        await submit(pilot, "/issue draft 4 by time")
        drafted = notes(app)[-1]
        assert drafted.startswith("drafted FLUX_") and "4 photos (links, by time)" in drafted
        assert not any("drafting an issue" in n for n in notes(app))  # the waiting line leaves with the answer
        folder = chat_settings.issues_dir / drafted.split()[1].rstrip(":")
        assert (folder / "manifest.json").is_file() and (folder / "contact_sheet.jpg").is_file()


async def test_help_fits_80_columns(app):
    """Each command's name, then its words wrapped beside it: no 10-character column."""
    from rich.console import Console

    async with app.run_test(size=(80, 30)) as pilot:
        await submit(pilot, "/help")
        note = list(app.query(Note))[-1]
        console = Console(width=note.content_region.width, record=True, file=open(os.devnull, "w"))
        console.print(note.content)
        lines = console.export_text().splitlines()
    issue = next(line for line in lines if line.startswith("/issue draft"))
    assert issue.index("[selection") < 20 and all(len(line) <= 78 for line in lines)
    assert sum(1 for line in lines if line.strip()) < 40  # a short list, not one word a line


async def test_the_footer_fits_100_columns_in_the_grid_and_a_photo(app):
    from textual.widgets import Footer

    def keys_width() -> int:
        footer = app.screen.query_one(Footer)
        return sum(key.outer_size.width for key in footer.query("FooterKey"))

    async with app.run_test(size=(100, 30)) as pilot:
        await submit(pilot, "blue")
        await pilot.press("tab")
        await settle(pilot)
        assert keys_width() <= 100
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and keys_width() <= 100


async def test_help_status_and_errors_are_messages(app):
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "/help")
        shown = notes(app)[-1]
        help_note = list(app.query(Note))[-1]
        assert help_note.has_class("help") and shown
        await submit(pilot, "/status")
        await submit(pilot, "dogs near Gondor")
        assert "unknown place 'gondor'" in notes(app)[-1] and list(app.query(Note))[-1].has_class("error")
        await submit(pilot, "/recipies")
        assert "did you mean /recipes" in notes(app)[-1]
        await submit(pilot, "more like the 30th one")
        assert "no result 30" in notes(app)[-1]
        await submit(pilot, "/similar")
        assert "no photo is highlighted" in notes(app)[-1]
        await submit(pilot, "/recipe run [red]")  # shown as typed, never read as markup
        assert "no recipe named '[red]'" in notes(app)[-1]
        await submit(pilot, "/issue draft sideways")
        assert "does not know 'sideways'" in notes(app)[-1]
        assert app.is_running


async def test_a_new_question_sets_the_old_one_aside(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with app.conversation.lock:  # the first search cannot finish before the second question
            app.prompt.value = "red"
            await pilot.press("enter")
            app.prompt.value = "blue"
            await pilot.press("enter")
        await settle(pilot)
        answers = list(app.query(AnswerView))
        assert len(answers) == 1 and "blue" in text_of(answers[0].query_one(".chips"))
        assert app.conversation.last.question == "blue"
        aside = app.query(".set-aside")
        assert len(aside) == 1 and "set aside for the next question" in text_of(aside.first())


async def test_an_empty_home_says_what_to_do_and_indexes_in_the_background(tmp_path, tiny):
    root = tmp_path / "photos"
    make_archive(root, 6)
    settings = load_settings(tmp_path / "home", model="tiny-test", geocoder="off")
    app = FluxAskApp(Conversation(Archive(settings, encoder=tiny)), images="halfcell", timings=False, blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no archive here yet: /index FOLDER" in notes(app)[-1]
        await submit(pilot, "dogs")
        assert "run /index FOLDER first" in notes(app)[-1] and "flux-ask" not in notes(app)[-1]  # the chat's words
        await submit(pilot, f"/index {root}")
        for _ in range(600):
            if app.indexing is None:
                break
            await pilot.pause(0.1)
        done = text_of(app.query_one(Progress))
        assert "6 new photos, 6 embedded" in done and "photos/s" in done
        await submit(pilot, "red")
        assert len(app.query_one(ResultGrid).results) == 6


def test_progress_lines_have_a_rate_and_an_eta():
    meter = ProgressMeter(every=0)
    meter("index", 0, 100)
    time.sleep(0.05)
    line = meter("index", 10, 100)
    assert line.startswith("indexing") and "10/100" in line and "file/s" in line and "<" in line


async def test_tiles_show_pictures_whole_marks_plainly_and_say_when_a_date_is_the_files(app, chat_settings):
    """A panorama letterboxed, not cropped; a portrait pillarboxed; a marked tile with a ✓; an
    undated photo's file date said as such; a long place cut with an ellipsis, never mid-air."""
    from dataclasses import replace

    from flux_ask.tui.grid import caption, fitted_cells

    thumb = str(next(chat_settings.thumbs_dir.rglob("*.jpg")))
    base = Result(1, "/p/1.jpg", 0.5, 0.5, None, None, None, None, thumb, "1" * 64)
    panorama = replace(base, width=2560, height=870, taken_at="2020-02-03T10:00:00", locality="Rome")
    portrait = replace(base, photo_id=2, width=1000, height=1500, file_time="2019-05-03T14:22:00",
                       locality="Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch")
    async with app.run_test(size=SIZE) as pilot:
        grid = ResultGrid([panorama, portrait], {2}, app.image_class, first_number=120)
        await app.transcript.mount(grid)
        await settle(pilot)
        wide, tall = grid.tiles
        assert (wide.picture.styles.width.value, wide.picture.styles.height.value) == (21, 4)
        assert (tall.picture.styles.width.value, tall.picture.styles.height.value) == (11, 8)
        assert "-marked" in tall.classes and "-marked" not in wide.classes
        lines = [text_of(t.caption).splitlines() for t in (wide, tall)]
        assert lines[0] == ["120  0.500", "2020-02-03", "Rome"]
        assert lines[1][0] == "✓ 121  0.500" and lines[1][1] == "file date 2019-05-03"
        assert lines[1][2].endswith("…") and len(lines[1][2]) == 20  # within the tile, its border untouched
    assert fitted_cells(None, None, (21, 8), 2.0) == (21, 8)  # no size known: the whole box
    assert fitted_cells(4000, 3000, (29, 11), 2.0) == (29, 11)
    assert str(caption(base, 7, 20)).splitlines()[1] == "undated"


async def test_a_long_answer_keeps_only_the_rows_near_the_screen(app, chat_settings):
    thumb = next(chat_settings.thumbs_dir.rglob("*.jpg"))
    results = [Result(i, f"/p/{i}.jpg", 0.5, 0.5, "2020-01-01T00:00:00", None, None, None, str(thumb), f"{i:064x}")
               for i in range(500)]

    def on_screen(grid, index) -> bool:
        region = grid.tile_at(index).region
        return region.height and 0 <= region.y and region.bottom <= SIZE[1]

    def consistent(grid) -> bool:
        shown = [t.index for t in grid.tiles]
        cursors = [t.index for t in grid.tiles if "-cursor" in t.classes]
        return (shown == list(range(shown[0], shown[0] + len(shown))) and cursors in ([], [grid.cursor])
                and all(t.result is results[t.index] for t in grid.tiles)
                and all(("-marked" in t.classes) == (t.result.photo_id in grid.marked) for t in grid.tiles))

    async with app.run_test(size=SIZE) as pilot:
        grid = ResultGrid(results, set(), app.image_class)
        await app.transcript.mount(grid)
        await pilot.pause()
        assert len(grid.query(TileRow)) <= 8 and grid.tiles[0].index == 0 and consistent(grid)
        assert grid.outer_size.height >= 125 * TILE_HEIGHT  # the scrollbar tells the answer's true length
        grid.focus()
        await pilot.press("space")
        grid.marked.add(results[0].photo_id)  # what the app does with the Marked message
        grid.show_marked(results[0].photo_id, True)
        for _ in range(30):
            await pilot.press("j")
        await pilot.pause()
        assert grid.cursor == 120 and on_screen(grid, 120) and consistent(grid)
        rows = set(grid.query(TileRow))
        assert len(rows) <= 8
        for _ in range(10):
            await pilot.press("j")
        assert grid.cursor == 160 and consistent(grid)
        assert set(grid.query(TileRow)) == rows  # rows leaving the screen are filled again, none added
        await pilot.press("G")
        await pilot.pause()
        assert grid.cursor == 499 and on_screen(grid, 499) and consistent(grid)
        app.transcript.scroll_home(animate=False)  # the scrollbar, all the way up
        await steady(pilot)
        assert grid.tiles[0].index == 0 and "-marked" in grid.tiles[0].classes and consistent(grid)
        assert len(grid.query(TileRow)) <= 8


async def test_answers_scrolled_away_give_their_tiles_back(app):
    async with app.run_test(size=SIZE) as pilot:
        for question in ["red squares", "evolution of red over time", "red squares from 2021"]:
            await submit(pilot, question)
        await steady(pilot)  # the newest answer brought into view, a refresh at a time
        grids = list(app.query(ResultGrid))
        newest, oldest = grids[-1], grids[0]
        assert newest.tiles and 0 <= newest.tiles[0].region.y < SIZE[1]  # the newest answer is on screen
        assert not oldest.tiles and oldest.outer_size.height == oldest.row_count * TILE_HEIGHT  # kept its place
        app.transcript.scroll_home(animate=False)
        await steady(pilot)
        assert [t.index for t in oldest.tiles][:1] == [0] and oldest.tiles[0].region.y < SIZE[1]


def test_full_collections_wait_for_a_pause_in_the_typing():
    collector = IdleCollector(idle=0.2)
    before = gc.get_threshold()
    collector.start()
    try:
        assert gc.get_threshold()[2] == HELD_BACK
        for _ in range(before[2] + 1):  # as many young collections as Python waits for before a full one
            gc.collect(1)
        collector.touched()
        assert not collector.tick()  # due, but a key was just pressed
        time.sleep(0.25)
        assert collector.tick() and gc.get_count()[2] == 0
        assert not collector.tick()  # nothing due any more
        for _ in range(OVERDUE * before[2]):
            gc.collect(1)
        collector.touched()
        assert collector.tick()  # long overdue: collected even while keys are pressed
    finally:
        collector.stop()
    assert gc.get_threshold() == before


# -- snapshots ------------------------------------------------------------------------

def test_snapshot_an_answer(app, snap_compare):
    async def ask(pilot):
        await submit(pilot, "red squares from 2021")
        await pilot.press("tab", "l")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ask)


def test_snapshot_a_wide_terminal_with_a_marked_photo(app, snap_compare):
    """160 columns: medium tiles, four to a row, the second marked. (Its detail screen shows
    the test's temporary folder, a new name each run: it is tested by its text instead.)"""
    async def ask(pilot):
        await submit(pilot, "red squares")
        await pilot.press("tab", "l", "space")
        await settle(pilot)
        app.clear_notifications()  # its toast lasts 2 s: a slow machine would draw it or not
        await steady(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=ask)


def test_snapshot_a_grouped_answer(app, snap_compare):
    async def ask(pilot):
        await submit(pilot, "evolution of red over time")
        await steady(pilot)  # brought into view first, or it would scroll back after scroll_home
        app.transcript.scroll_home(animate=False)
        await steady(pilot)  # the tiles scrolled into view load their pictures in workers

    assert snap_compare(app, terminal_size=SIZE, run_before=ask)


def test_snapshot_help(app, snap_compare):
    async def ask(pilot):
        await submit(pilot, "/help")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ask)


# -- a real terminal ------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_chat_in_a_real_terminal(chat_settings):
    """flux-ask in tmux: a question typed, and the captured screen shows the answer. A tmux
    server of its own, so that the app gets this test's environment, not a running server's."""
    tmux = ["tmux", "-L", f"flux-ask-test-{os.getpid()}"]
    flux = [sys.executable, "-m", "flux_ask", "chat", "--images", "halfcell"]
    env = subprocess_env(chat_settings.home)
    subprocess.run([*tmux, "new-session", "-d", "-s", "chat", "-x", "120", "-y", "40",
                    " ".join(f"'{part}'" for part in flux)], check=True, env=env)
    try:
        assert _screen_shows(tmux, "Ask the archive", 60)
        subprocess.run([*tmux, "send-keys", "-t", "chat", "red squares", "Enter"], check=True)
        screen = _screen_shows(tmux, "searched", 90)
        assert screen and "› red squares" in screen and "of 20 photos searched" in screen
        subprocess.run([*tmux, "send-keys", "-t", "chat", "Tab"], check=True)  # into the grid
        time.sleep(0.5)
        # a burst with Enter in it, as a paste or a fast typist sends it: the question is asked, no photo opens
        subprocess.run([*tmux, "send-keys", "-t", "chat", "only the ones from 2020", "Enter"], check=True)
        screen = _screen_shows(tmux, "refining", 60)  # the answer to it, which follows the question's echo
        assert screen and "› only the ones from 2020" in screen and "sha256" not in screen, screen
        subprocess.run([*tmux, "send-keys", "-t", "chat", "Tab"], check=True)  # into the grid
        time.sleep(0.5)
        subprocess.run([*tmux, "send-keys", "-t", "chat", "-l", "/select"], check=True)  # in one burst
        assert _screen_shows(tmux, "/select", 30)
        subprocess.run([*tmux, "send-keys", "-t", "chat", "Enter"], check=True)
        screen = _screen_shows(tmux, "› /select", 30)
        assert screen and "/seect" not in screen, screen
        subprocess.run([*tmux, "send-keys", "-t", "chat", "C-q"], check=True)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def _screen_now(tmux: list[str]) -> str:
    return subprocess.run([*tmux, "capture-pane", "-p", "-t", "chat"], capture_output=True, text=True).stdout


def _screen_shows(tmux: list[str], text: str, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "chat"], capture_output=True, text=True).stdout
        if text in screen:
            return screen
        time.sleep(0.3)
    return None


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_index_in_the_chat_in_a_real_terminal(tmp_path):
    """/index in a real terminal, where the app holds stderr: the decoders start, and
    questions are answered from the new catalog."""
    root = tmp_path / "photos"
    make_archive(root, 12)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "tiny-test"\ngeocoder = "off"\n')
    tmux = ["tmux", "-L", f"flux-ask-index-{os.getpid()}"]
    flux = [sys.executable, "-m", "flux_ask", "chat", "--images", "halfcell"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "chat", "-x", "120", "-y", "40",
                    " ".join(f"'{part}'" for part in flux)], check=True, env=subprocess_env(home))
    try:
        assert _screen_shows(tmux, "no archive here yet", 60)
        subprocess.run([*tmux, "send-keys", "-t", "chat", f"/index {root}", "Enter"], check=True)
        screen = _screen_shows(tmux, "indexed ", 300)  # the first index of a session builds the place names
        said = " ".join((screen or _screen_now(tmux)).split())  # the line wraps where the folder's path is long
        assert "12 new photos, 12 embedded" in said and "stopped" not in said
        subprocess.run([*tmux, "send-keys", "-t", "chat", "red squares", "Enter"], check=True)
        assert _screen_shows(tmux, "12 photos searched, all shown", 90)
        subprocess.run([*tmux, "send-keys", "-t", "chat", "C-q"], check=True)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_the_chart_draws_no_line_through_empty_years_and_leaves_a_far_year_off():
    from flux_ask.search.answer import Group
    from flux_ask.tui.chart import score_chart

    def group(year: int, score: float, share: float = 0.0) -> Group:
        member = Result(1, None, score, 1 - score, f"{year}-06-01", None, None, None, "", "0" * 64)
        return Group(str(year), "year", score, share, (member,))

    years = [2015, 2016, 2017, 2021, 2022, 2023]
    chart = score_chart([group(1919, 0.2), *[group(y, 0.1 + 0.01 * k) for k, y in enumerate(years)]], 80).plain
    assert "1919" not in chart.splitlines()[-2] and "not drawn, far from the rest: 1919" in chart  # said, not drawn
    rows = [line[line.index("┤") + 1:line.rindex("├")] for line in chart.splitlines() if "┤" in line]
    # 2018-2020 held no photo: both lines break there, a blank stretch across every row
    blank = [all(not row[i].strip() for row in rows) for i in range(len(rows[0]))]
    first, last = blank.index(False), len(blank) - blank[::-1].index(False)
    assert max(len(run) for run in "".join(" " if b else "x" for b in blank[first:last]).split("x")) >= 10
    shares = [line[line.rindex("├") + 1:].strip() for line in chart.splitlines() if "├" in line]
    assert float(shares[0]) == 1.0 and float(shares[-1]) == 0.0  # a share runs from none to all, never below


async def test_a_resize_keeps_the_place_in_the_transcript(app):
    async with app.run_test(size=SIZE) as pilot:
        for question in ("red squares", "blue", "purple from 2022"):
            await submit(pilot, question)
        t = app.transcript
        for size in ((90, 30), (170, 45), (110, 40)):  # at the newest answer: there still, its rows reflowed
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert t.scroll_y == t.max_scroll_y > 0, size
            assert all(g.columns == max(1, g.size.width // g.tile.width) for g in app.query(ResultGrid))
        first = list(app.query(AnswerView))[0]
        t.scroll_to(y=first.virtual_region.y, animate=False)
        await settle(pilot)
        await pilot.pause(0.6)
        await pilot.resize_terminal(90, 30)  # an older answer read at the top: it stays there
        await settle(pilot)
        assert abs(t.scroll_y - first.virtual_region.y) <= 1 and t.scroll_y < t.max_scroll_y


async def test_a_grid_being_removed_ignores_the_scrolling(app, chat_settings):
    """Scrolling while an answer is taken away: its rows were being pruned, and the grid went
    on moving them about its own spacers, which were gone (a crash, seen once in the benchmark)."""
    thumb = next(chat_settings.thumbs_dir.rglob("*.jpg"))
    results = [Result(i, f"/p/{i}.jpg", 0.5, 0.5, "2020-01-01T00:00:00", None, None, None, str(thumb), f"{i:064x}")
               for i in range(500)]
    async with app.run_test(size=SIZE) as pilot:
        grid = ResultGrid(results, set(), app.image_class)
        await app.transcript.mount(grid)
        await pilot.pause()
        app.transcript.scroll_to(y=300, animate=False, immediate=True)
        await pilot.pause()
        assert grid.window.start > 0
        removed = grid.remove()
        while grid.below.is_attached:  # the moment the grid's own children are gone, and it not yet
            await asyncio.sleep(0)
        assert grid.is_attached
        app.transcript.scroll_home(animate=False, immediate=True)
        app._scrolled(0)
        await removed
        assert not grid.is_attached and not app.query(".error")
