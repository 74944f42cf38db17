"""The chat app: a transcript of questions and answers above a prompt.

Every catalog or model call runs in a thread worker that only hands its result back
(`call_from_thread`); widgets are touched on the UI thread alone. A new question
cancels the one before: its answer, when it comes, is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from flux_ask.archive.summary import fact_rows, place_rows, status_rows
from flux_ask.chat import commands
from flux_ask.chat.commands import COMMANDS, CommandError
from flux_ask.chat.conversation import Conversation, Turn
from flux_ask.errors import NothingToSearch, in_words
from flux_ask.ingest.report import one_line
from flux_ask.search.answer import Result
from flux_ask.tui.answer import AnswerView
from flux_ask.tui.detail import DetailScreen
from flux_ask.tui.grid import ResultGrid, tile_size
from flux_ask.tui.idle_gc import IdleCollector
from flux_ask.tui.images import cell_pixels, image_class
from flux_ask.tui.transcript import Note, Progress, Question
from flux_ask.words import counted, visible

WELCOME = ("Ask the archive what the pictures show: “umbrellas in fog”, “silhouettes from winter 2022 near "
           "40th and Walnut”, “evolution of layering over time”. Follow up with “only 2023”, “not in Rome”, "
           "“more like the third one”, “show more”. Tab moves to the results; /help lists the commands.")
FACTS_SHOWN = 8  # of each kind in /facts: the CLI lists them all
REFLOW_S = 0.5  # after a resize, the grids reflow their rows for this long: the place in the transcript is kept
NO_ARCHIVE = "no archive here yet: /index FOLDER adds one, and you can ask while it runs"
KEYS = [("arrows, hjkl", "move through the results"), ("enter, click", "open a photo"),
        ("space", "mark it for the basket"), ("esc", "back (to the prompt, from a photo)"),
        ("tab", "complete a command (again: the next way), or go to the results"),
        ("up, down", "earlier questions, in the prompt"),
        ("o, c", "in a photo: open in the system viewer, copy its path"), ("ctrl+q", "quit")]


class CommandSuggester(Suggester):
    def __init__(self, recipe_names: Callable[[], list[str]]):
        super().__init__(use_cache=False, case_sensitive=True)
        self.recipe_names = recipe_names

    async def get_suggestion(self, value: str) -> str | None:
        return commands.complete(value, self.recipe_names())


class Prompt(Input):
    BINDINGS = [
        Binding("tab", "complete", "complete / results", show=False),
        Binding("up", "history(-1)", show=False),
        Binding("down", "history(1)", show=False),
    ]

    class Candidates(Message):
        """The ways Tab may finish the line (none: the line was changed otherwise), and which it shows."""

        def __init__(self, choices: list[str], at: int):
            super().__init__()
            self.choices, self.at = choices, at

    def __init__(self, recipe_names: Callable[[], list[str]]):
        super().__init__(placeholder="Ask about the pictures, or /help", suggester=CommandSuggester(recipe_names),
                         id="prompt", select_on_focus=False)
        self.recipe_names = recipe_names
        self.history: list[str] = []
        self.position = 0
        self.choices: list[str] = []  # what Tab goes through, while the line is one of them
        self.at = 0

    def remember(self, text: str) -> None:
        if not self.history or self.history[-1] != text:
            self.history.append(text)
        self.position = len(self.history)

    def action_complete(self) -> None:
        """Tab: the first way to finish the command, the next one at the next Tab (the others
        listed above the prompt); with nothing to finish, to the results."""
        if self.choices and self.value == self.choices[self.at]:
            self.at = (self.at + 1) % len(self.choices)
        else:
            self.choices = commands.candidates(self.value, self.recipe_names()) if self.cursor_at_end else []
            self.at = 0
            if not self.choices:
                self.app.action_results()
                return
        self.value = self.choices[self.at]
        self.cursor_position = len(self.value)
        self.post_message(self.Candidates(self.choices if len(self.choices) > 1 else [], self.at))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.choices and event.value not in self.choices:  # typed over: the list is done
            self.choices = []
            self.post_message(self.Candidates([], 0))

    def action_history(self, step: int) -> None:
        if step > 0 and self.position >= len(self.history):
            self.app.action_results()  # down from the newest line: into the results
            return
        self.position = max(0, min(self.position + step, len(self.history)))
        self.value = self.history[self.position] if self.position < len(self.history) else ""
        self.cursor_position = len(self.value)


class FluxAskApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "flux-ask"
    ENABLE_COMMAND_PALETTE = False  # the slash commands are the chat's; the footer keeps to its keys (fits 80)
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit"),
        Binding("f1", "help", "help"),
        Binding("ctrl+r", "results", "results"),
    ]

    def __init__(self, conversation: Conversation, *, images: str = "auto", timings: bool = True,
                 warm: bool = True, blink: bool = True):
        """`images="halfcell"`, `timings=False` and `blink=False` make the screen the same on every run."""
        super().__init__()
        self.conversation = conversation
        self.image_class = image_class(images)
        cell_width, cell_height = cell_pixels()
        self.cell_aspect = 2.0 if images == "halfcell" else cell_height / cell_width  # a half-block: 1 x 2 pixels
        self.timings, self.warm, self.blink = timings, warm, blink
        self.marked: set[int] = set()
        self._view_size = None  # the size the place in the transcript was remembered at ...
        self._view: tuple[bool, Widget | None, float] = (True, None, 0.0)  # ... and the place (_place_in_view)
        self._keeping: tuple[float, tuple] = (0.0, self._view)  # until when a resize puts that place back
        self.asking_again: str | None = None  # a command that cannot be undone, said once: said again, it is done
        self.asked_twice = False
        self.recipe_names: list[str] = []
        self.highlighted: Result | None = None
        self.pending: Static | None = None
        self.question: Question | None = None  # the last one asked: where its answer is shown from
        self.indexing: Progress | None = None
        self.render_seconds: list[float] = []  # search returned -> answer painted, per answer (benchmarks)
        self.collector = IdleCollector()

    def compose(self):
        yield VerticalScroll(Note(WELCOME, classes="welcome"), id="transcript")
        yield Static(id="candidates")
        yield Prompt(lambda: self.recipe_names)
        yield Footer()

    @property
    def transcript(self) -> VerticalScroll:
        return self.query_one("#transcript", VerticalScroll)

    @property
    def prompt(self) -> Prompt:
        return self.query_one(Prompt)

    def on_mount(self) -> None:
        self.prompt.cursor_blink = self.blink
        self.prompt.focus()
        self.watch(self.transcript, "scroll_y", self._scrolled, init=False)
        self.watch(self.transcript, "virtual_size", self._keep_place, init=False)
        self.collector.start()
        self.set_interval(0.5, self.collector.tick)
        self.call_after_refresh(self._start)  # after the first frame: torch's import holds the GIL for seconds

    def on_unmount(self) -> None:
        self.collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.touched()
        await super().on_event(event)

    def _scrolled(self, y: float) -> None:
        """Grids fill the rows that came into view and give back those that left it; the place
        in the transcript is remembered, for a resize to keep."""
        for grid in self.query(ResultGrid):
            grid.follow_view()
        if self.size == self._view_size:  # not before on_resize: the clamp to the new size is no place
            self._view = self._place_in_view()

    def _place_in_view(self) -> tuple[bool, Widget | None, float]:
        """(at the newest, the widget at the top of the view, how far into it the view starts)."""
        t = self.transcript
        if t.scroll_y >= t.max_scroll_y - 1:
            return True, None, 0.0
        for child in t.children:
            top = child.virtual_region.y
            if top + child.virtual_region.height > t.scroll_y:
                return False, child, (t.scroll_y - top) / max(child.virtual_region.height, 1)
        return True, None, 0.0

    def on_resize(self, event: events.Resize) -> None:
        """A resize keeps the place in the transcript: at the newest answer when it was there,
        else the same answer at the top, at the same share of its height. Grids reflow their
        rows over the frames after it, and each reflow puts the place back."""
        if self._view_size is not None and event.size != self._view_size:
            self._keeping = (time.monotonic() + REFLOW_S, self._view)
            self.call_after_refresh(self._keep_place)
        self._view_size = event.size

    def _keep_place(self, _=None) -> None:
        until, place = self._keeping
        if time.monotonic() > until:
            return
        at_end, widget, share = place
        t = self.transcript
        if at_end or widget is None or not widget.is_mounted:
            t.scroll_end(animate=False)
        else:
            t.scroll_to(y=widget.virtual_region.y + share * widget.virtual_region.height, animate=False)
        self._view = place  # the place kept, not where a reflow scrolled on the way
    # -- background work --------------------------------------------------------------

    @work(thread=True, group="start", exit_on_error=False)
    def _start(self) -> None:
        """The basket, the recipes, then (unless told not to) the vectors and the text encoder."""
        c = self.conversation
        if not c.has_catalog():
            self.call_from_thread(self.say, NO_ARCHIVE)
            return
        try:
            marked, names = {p for p, _ in c.basket()}, [r["name"] for r in c.recipes()]
            self.call_from_thread(self._started, marked, names)
            if self.warm:
                c.warm()
            self.collector.freeze()
        except NothingToSearch as exc:
            self.call_from_thread(self.say, self.in_words(exc))
        except Exception as exc:  # never a crash: say it, and the prompt still answers
            self.call_from_thread(self.say, self.in_words(exc), "error")

    def in_words(self, exc: BaseException) -> str:
        """An error as one line, its advice in the chat's own commands where it has them."""
        return in_words(exc, self.conversation.settings.home).replace("`flux-ask index FOLDER`", "/index FOLDER")

    def _started(self, marked: set[int], names: list[str]) -> None:
        self.marked |= marked
        self.recipe_names = names

    def _background(self, job: Callable[[], Any], then: Callable[[Any], None], pending: str = "") -> None:
        """Run `job` in a thread; hand its result to `then` on the UI thread, its error to the
        transcript. A `pending` line ("drafting an issue…") stands until either arrives."""
        waiting = self.say(Text(pending, "dim italic")) if pending else None

        def done(show: Callable[..., Any], *args: Any) -> None:
            if waiting is not None:
                waiting.remove()
            show(*args)

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # never a crash: the conversation goes on
                self.call_from_thread(done, self.say, self.in_words(exc), "error")
                return
            self.call_from_thread(done, then, result)

        self.run_worker(run, thread=True, group="db", exit_on_error=False)

    # -- the conversation -------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if text:
            self.submit(text)

    def submit(self, text: str) -> None:
        """A question or a command, typed or clicked (a chip)."""
        self.asked_twice = text == self.asking_again  # what cannot be undone is typed a second time
        self.asking_again = None
        self.prompt.remember(text)
        self.question = self.add(Question(text))
        if text.startswith("/"):
            self.command(text)
        else:
            selected = self.this_one()
            self.search(lambda: self.conversation.ask(text, selected=selected))

    def this_one(self) -> int | None:
        """The photo "this one" means: the one last highlighted, else the one under the cursor
        of the newest answer (its first, before the grid was ever entered)."""
        if self.highlighted is not None:
            return self.highlighted.photo_id
        grids = list(self.query(ResultGrid))
        current = grids[-1].current if grids else None
        return current.photo_id if current is not None else None

    def search(self, job: Callable[[], Turn]) -> None:
        if self.pending is not None:
            self.pending.update(Text("set aside for the next question", "dim"))
            self.pending.set_classes("set-aside")
        self.pending = self.add(Static(Text("searching…", "dim italic"), classes="pending"))
        self._search(job, self.question)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, job: Callable[[], Turn], question: Question | None) -> None:
        worker = get_current_worker()
        try:
            turn = job()
        except Exception as exc:  # never a crash: the conversation goes on
            if not worker.is_cancelled:
                self.call_from_thread(self._failed, self.in_words(exc))
            return
        if not worker.is_cancelled:
            self.call_from_thread(self.show_turn, turn, question, time.perf_counter())

    def show_turn(self, turn: Turn, question: Question | None, returned: float) -> None:
        self.conversation.accept(turn)
        self._settle()
        tile = tile_size(self.conversation.settings.tiles, self.size.width)
        view = AnswerView(turn, self.marked, self.image_class, timings=self.timings, tile=tile,
                          cell_aspect=self.cell_aspect)
        self.transcript.mount(view)
        self.call_after_refresh(self._bring_into_view, view, question)
        self.call_after_refresh(lambda: self.render_seconds.append(time.perf_counter() - returned))

    def _bring_into_view(self, view: AnswerView, question: Question | None, tries: int = 10) -> None:
        """The answer from its question down, as far as the screen goes: a tall answer shows its
        beginning, a short one all of it. Its grids' heights are known once they know their widths."""
        if tries and not all(grid.columns for grid in view.query(ResultGrid)):
            self.call_after_refresh(self._bring_into_view, view, question, tries - 1)
            return
        target = question if question is not None and question.is_attached else view
        self.call_after_refresh(lambda: self.transcript.scroll_to_widget(target, animate=False, top=True))

    def _failed(self, message: str) -> None:
        self._settle()
        self.say(message, "error")

    def _settle(self) -> None:
        if self.pending is not None:
            self.pending.remove()
            self.pending = None

    def add(self, widget):
        self.transcript.mount(widget)
        self.transcript.scroll_end(animate=False)
        return widget

    def on_prompt_candidates(self, message: Prompt.Candidates) -> None:
        line = self.query_one("#candidates", Static)
        line.display = bool(message.choices)
        line.update(Text("  ").join(Text(c.strip(), "reverse bold" if i == message.at else "dim")
                                    for i, c in enumerate(message.choices)))

    def notify(self, message: str, **kwargs: Any) -> None:
        """One toast at a time: each replaces the one before rather than piling up over the grid."""
        self.call_later(self.clear_notifications)  # queued ahead of the new toast, from any thread
        super().notify(message, **kwargs)

    def say(self, message: str | Text | Table, kind: str = "") -> Note:
        """A note in the transcript; text is shown as it is, never read as markup."""
        return self.add(Note(Text(message) if isinstance(message, str) else message, classes=kind))

    # -- results ----------------------------------------------------------------------

    def action_results(self) -> None:
        grids = list(self.query(ResultGrid))
        if grids:
            grids[-1].focus()
        else:
            self.notify("no results yet: ask a question first")

    def on_result_grid_highlighted(self, message: ResultGrid.Highlighted) -> None:
        self.highlighted = message.result
        self.sub_title = f"result {message.number}: photo {message.result.photo_id} highlighted"

    def on_result_grid_edge(self, message: ResultGrid.Edge) -> None:
        grids = list(self.query(ResultGrid))
        at = grids.index(message.grid) + message.step
        if 0 <= at < len(grids):
            grids[at].enter_at(message.column, from_below=message.step < 0)
        elif message.step > 0:
            self.prompt.focus()

    async def on_result_grid_leave(self, message: ResultGrid.Leave) -> None:
        self.prompt.focus()
        if message.typed == "/" and message.first:  # a command starts afresh, whatever the line held
            self.prompt.value = ""
        if message.typed:
            self.prompt.insert_text_at_cursor(message.typed)
        if message.submit and self.prompt.value.strip():  # typed in the grid, then Enter: the question is sent
            await self.prompt.action_submit()

    def on_result_grid_opened(self, message: ResultGrid.Opened) -> None:
        self.push_screen(DetailScreen(message.grid, self.conversation, self.image_class, self.marked))

    def on_result_grid_marked(self, message: ResultGrid.Marked) -> None:
        self.toggle_mark(message.result)

    def toggle_mark(self, result: Result) -> None:
        """Into the basket or out of it: shown at once, kept in the catalog in the background."""
        marked = result.photo_id not in self.marked
        (self.marked.add if marked else self.marked.discard)(result.photo_id)
        for grid in self.query(ResultGrid):
            grid.show_marked(result.photo_id, marked)
        self._background(lambda: self.conversation.mark(result.photo_id, marked), lambda _: None)
        self.notify(f"{'marked' if marked else 'unmarked'} photo {result.photo_id}; the basket holds "
                    f"{len(self.marked)}", timeout=2)

    # -- slash commands ---------------------------------------------------------------

    def command(self, text: str) -> None:
        try:
            cmd = commands.parse(text)
            handler = getattr(self, "cmd_" + cmd.name[1:].replace(" ", "_"))
            handler(cmd.args)
        except CommandError as exc:
            self.say(str(exc), "error")

    def cmd_help(self, args) -> None:
        self.action_help()

    def action_help(self) -> None:
        table = Table.grid(padding=(0, 2))  # each command with its arguments, then what it does: fits 80 columns
        table.add_column(style="bold", max_width=34)
        table.add_column()
        for name, (usage, what) in COMMANDS.items():
            table.add_row(Text.assemble(name, " " if usage else "", (usage, "italic not bold")), Text(what))
        table.add_row("", "")
        for keys, what in KEYS:
            table.add_row(Text(keys), Text(what))
        self.say(table, "help")

    def cmd_quit(self, args) -> None:
        self.exit()

    def cmd_new(self, args) -> None:
        self.conversation.forget()
        self.say("a new start: the next question is read on its own")

    def cmd_meant(self, args) -> None:
        if len(args) != 1 or not args[0].isdigit():
            raise CommandError("/meant N: which of the answer's 'or' chips? (1 is the first)")
        number = int(args[0])
        self.search(lambda: self.conversation.read_instead(number))

    def cmd_other(self, args) -> None:
        if len(args) != 1 or not args[0].isdigit():
            raise CommandError("/other N: which of the answer's other readings? (1 is the first)")
        number, selected = int(args[0]), self.this_one()
        self.search(lambda: self.conversation.other_reading(number, selected=selected))

    def action_other(self, number: int) -> None:
        """A click on an "or 'bath' as the place Bath" chip: as if /other N were typed."""
        self.prompt.focus()
        self.submit(f"/other {number}")

    def action_meant(self, number: int) -> None:
        """A click on an "or Athens, Georgia" chip: as if /meant N were typed, the prompt ready for the next."""
        self.prompt.focus()
        self.submit(f"/meant {number}")

    def cmd_similar(self, args) -> None:
        target = " ".join(args) or None
        selected = self.this_one()
        self.search(lambda: self.conversation.similar(target, selected=selected))

    def cmd_recipe_save(self, args) -> None:
        name = " ".join(args)
        if not name:
            raise CommandError("/recipe save NAME: what shall it be called?")
        if name.strip() in self.recipe_names and not self.asked_twice:
            self._ask_again(f"/recipe save {name}", f"a recipe {name.strip()!r} exists: /recipe save {name} again "
                                                    "replaces it with the last question")
            return
        self._background(lambda: self.conversation.save_recipe(name), lambda said: self._recipe_saved(name, said))

    def _recipe_saved(self, name: str, said: str) -> None:
        self.recipe_names = sorted({*self.recipe_names, name.strip()})
        self.say(said)

    def cmd_recipe_run(self, args) -> None:
        name = " ".join(args)
        if not name:
            raise CommandError("/recipe run NAME: which recipe? (/recipes lists them)")
        self.search(lambda: self.conversation.recipe(name))

    def cmd_recipe_rm(self, args) -> None:
        name = " ".join(args)
        self._background(lambda: self.conversation.delete_recipe(name), lambda _: self._recipe_deleted(name))

    def _recipe_deleted(self, name: str) -> None:
        self.recipe_names = [n for n in self.recipe_names if n != name]
        self.say(f"deleted the recipe {name!r}")

    def cmd_recipes(self, args) -> None:
        self._background(self.conversation.recipes, self._show_recipes)

    def _show_recipes(self, saved: list[dict[str, Any]]) -> None:
        self.recipe_names = [r["name"] for r in saved]
        if not saved:
            self.say("no recipes yet: ask a question, then /recipe save NAME")
            return
        table = Table.grid(padding=(0, 2))
        for r in saved:
            table.add_row(Text(r["name"], "bold"), Text(r["question"]), Text(f"saved {r['saved_at'][:10]}", "dim"))
        self.say(table)

    def cmd_select(self, args) -> None:
        if args == ("clear",) and self.marked and not self.asked_twice:
            self._ask_again("/select clear", f"the basket holds {counted(len(self.marked), 'photo')}: "
                                             "/select clear again empties it")
        elif args == ("clear",):
            self._background(self.conversation.clear_basket, self._basket_cleared)
        elif args:
            raise CommandError("/select shows the basket; /select clear empties it")
        else:
            self.search(self.conversation.basket_turn)

    def _ask_again(self, command: str, said: str) -> None:
        self.asking_again = command
        self.say(said)

    def _basket_cleared(self, removed: int) -> None:
        for photo_id in list(self.marked):
            for grid in self.query(ResultGrid):
                grid.show_marked(photo_id, False)
        self.marked.clear()
        self.say(f"emptied the basket ({counted(removed, 'photo')})")

    def cmd_issue_draft(self, args) -> None:
        request = commands.draft_request(args)
        self._background(lambda: self.conversation.draft(request), self._drafted, pending="drafting an issue…")

    def _drafted(self, report: dict[str, Any]) -> None:
        how = "links" if report["links"] else "copies"
        self.say(Text.assemble(("drafted ", ""), (report["issue"], "bold"),
                               f": {counted(report['photos'], 'photo')} ({how}, by {report['order']}) in "
                               f"{report['folder']}"))

    def cmd_status(self, args) -> None:
        self._background(self.conversation.status, self._show_status)

    def _show_status(self, report: dict[str, Any]) -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        for key, value in status_rows(report):
            table.add_row(Text(key), Text(value))
        self.say(table)

    def cmd_places(self, args) -> None:
        self._background(self.conversation.places, self._show_places)

    def _show_places(self, countries: list[dict[str, Any]]) -> None:
        if not countries:
            self.say("no photo has a place yet: photos need a GPS position, and /index names them")
            return
        self._say_counted(place_rows(countries))

    def cmd_facts(self, args) -> None:
        self._background(self.conversation.facts, self._show_facts)

    def _show_facts(self, found: dict[str, list[dict[str, Any]]]) -> None:
        rows = fact_rows(found, most=FACTS_SHOWN)
        if not rows:
            self.say("no photo's files name a camera, a lens or a mark yet: /index reads them")
            return
        self._say_counted(rows)

    def _say_counted(self, rows) -> None:
        """Indented names (the first level bold) with their photo counts, and a note after each."""
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(justify="right")
        table.add_column(style="dim")
        for depth, name, photos, note in rows:
            table.add_row(Text("  " * depth + visible(name), "bold" if depth == 0 else ""), f"{photos:,}", note)
        self.say(table)

    def cmd_index(self, args) -> None:
        path = commands.index_target(args)
        if self.indexing is not None:
            raise CommandError("an index is already running; this one can start when it ends")
        self.indexing = self.add(Progress(Text(f"indexing {path}…", "dim")))
        meter = ProgressMeter()
        # the clock keeps moving while a stage waits (a model loading, place names built the first time)
        ticking = self.set_interval(ProgressMeter.TICK_S, lambda: self._tick(meter))
        self._index(path, meter, ticking)

    def _tick(self, meter: ProgressMeter) -> None:
        if self.indexing is not None and (line := meter.again()):
            self.indexing.update(Text(line))

    @work(thread=True, group="index", exit_on_error=False)
    def _index(self, path: Path, meter: ProgressMeter, ticking) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            line = meter(stage, done, total)
            if line:
                self.call_from_thread(self.indexing.update, Text(line))

        try:
            report = self.conversation.index(path, progress)
        except Exception as exc:  # noqa: BLE001 - never a crash: say it and go on
            self.call_from_thread(self._indexed, None, f"indexing {path} stopped: {self.in_words(exc)}", ticking)
            return
        self.call_from_thread(self._indexed, report, None, ticking)

    def _indexed(self, report: dict[str, Any] | None, error: str | None, ticking) -> None:
        ticking.stop()
        if error:
            self.indexing.update(Text(error, "red"))
        else:
            self.indexing.update(Text(one_line(report)))
        self.indexing = None


class ProgressMeter:
    """A progress line with rate and ETA (tqdm's own format), at most four a second."""

    TICK_S = 0.5

    def __init__(self, every: float = 0.25):
        self.every, self.stage, self.started, self.shown = every, None, 0.0, 0.0
        self.last: tuple[str, int, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> str | None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started = stage, now
        self.last = (stage, done, total)
        if now - self.shown < self.every and done != total:
            return None
        self.shown = now
        return self._line(now)

    def again(self) -> str | None:
        """The last line with the clock moved on; None before the first."""
        return self._line(time.monotonic()) if self.last else None

    def _line(self, now: float) -> str:
        from tqdm import tqdm

        from flux_ask.ingest.report import STAGE_LABELS, WAITING_STAGES

        stage, done, total = self.last
        label = STAGE_LABELS.get(stage, stage)
        if stage in WAITING_STAGES:  # nothing to count: the time it takes
            return f"{label}… {tqdm.format_interval(now - self.started)}"
        return tqdm.format_meter(done, total or None, now - self.started, ncols=90, unit="file", prefix=label)
