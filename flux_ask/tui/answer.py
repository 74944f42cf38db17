"""An answer in the transcript: its chips, its summary line, then a grid, or one row
per period or motif under the score chart."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from flux_ask.chat.chips import Chip
from flux_ask.chat.conversation import Turn
from flux_ask.query.plan import PERIODS
from flux_ask.search.answer import empty_groups
from flux_ask.tui.chart import ScoreChart
from flux_ask.tui.grid import TILE_SIZES, ResultGrid, TileSize
from flux_ask.tui.transcript import Note
from flux_ask.words import a_score, counted


def chip_text(chips: list[Chip]) -> Text:
    styles = {"": "reverse", "new": "bold reverse green", "changed": "bold reverse yellow", "removed": "strike dim"}
    marks = {"": "", "new": "+", "changed": "→", "removed": "−"}
    text = Text()
    for i, chip in enumerate(chips):
        if i:
            text.append(" · ", "dim")
        if chip.meant:  # clicked, or typed as /meant N: the answer again with that reading
            text.append(f" {chip.label} ", Style(underline=True, meta={"@click": f"app.meant({chip.meant})"}))
            text.append(f"/meant {chip.meant}", "dim")
        elif chip.other:  # clicked, or typed as /other N: the question read the other way
            text.append(f" {chip.label} ", Style(underline=True, meta={"@click": f"app.other({chip.other})"}))
            text.append(f"/other {chip.other}", "dim")
        else:
            text.append(f" {marks[chip.change]}{chip.label} ", styles[chip.change])
    return text


class AnswerView(Vertical):
    """Chips, notes, then a grid (or one row per period or motif, with the chart)."""

    def __init__(self, turn: Turn, marked: set[int], image_class, *, timings: bool = True,
                 tile: TileSize = TILE_SIZES["small"], cell_aspect: float = 2.0):
        super().__init__(classes="answer")
        self.turn, self.marked, self.image_class, self.timings = turn, marked, image_class, timings
        self.tile, self.cell_aspect = tile, cell_aspect

    def compose(self):
        turn, answer = self.turn, self.turn.answer
        yield Static(chip_text(turn.chips), classes="chips")
        yield Static(self._summary(), classes="summary")
        if answer.groups is not None:
            if not answer.groups:
                yield Note("nothing recurs enough to show: try fewer years, or a broader concept"
                           if turn.plan.group_by == "motif" else empty_groups(turn.plan.group_by))
                return
            if len(answer.groups) > 1 and turn.plan.group_by in (*PERIODS, "motif") \
                    and answer.groups[0].score is not None:
                yield ScoreChart(turn)  # a score over time: of periods and motifs only
            number = 1  # one numbering across the groups: "the third one" is the third shown
            for group in answer.groups:
                score = Text(f"score {a_score(group.score)}", "dim") if group.score is not None else Text()
                yield Static(Text(f"{group.label}  ", "bold") + score, classes="group-label")
                yield ResultGrid(list(group.members), self.marked, self.image_class, first_number=number,
                                 tile=self.tile, cell_aspect=self.cell_aspect)
                number += len(group.members)
        elif answer.results:
            yield ResultGrid(answer.results, self.marked, self.image_class, first_number=answer.offset + 1,
                             tile=self.tile, cell_aspect=self.cell_aspect)
        else:
            yield Note(answer.why_empty())

    def _summary(self) -> Text:
        a = self.turn.answer
        lacking = {"no_date": "without an EXIF date", "no_location": "without a GPS position"}
        parts = []
        if a.groups is None:
            if a.plan.mode == "top_k":
                parts.append(a.tally())
            else:
                shown = f"{a.offset + 1:,}-{a.offset + len(a.results):,} of " if a.total > len(a.results) else ""
                parts.append(f"{shown}{a.tally()}")
            if strength := a.strength_in_words():
                parts.append(strength)
        else:
            parts.append(counted(len(a.groups), "group"))
        if self.timings:
            parts.append(f"{a.seconds * 1000:.0f} ms")
        parts += [f"{counted(n, 'photo')} {lacking[k]} left out" for k, n in a.left_out.items() if n]
        if ranked := a.ranking_in_words():
            parts.append(ranked)
        return Text(" · ".join(parts), "dim")
