"""The score-over-time chart of a grouped answer, drawn by plotext in braille."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from flux_ask.chat.conversation import Turn
from flux_ask.search.answer import Group


def score_chart(groups: list[Group], width: int, height: int = 9) -> Text:
    """Periods: each period's score, joined. Motifs: each shown photo's score at its date."""
    import plotext as plt  # deferred: only grouped answers draw a chart

    plt.clear_figure()
    plt.plotsize(max(width, 20), height)
    plt.theme("clear")
    if groups and groups[0].period == "motif":
        for n, g in enumerate(groups, start=1):
            dated = [(r.taken_at, r.score) for r in g.members if r.taken_at and r.score is not None]
            if dated:
                plt.scatter([_year_fraction(t) for t, _ in dated], [s for _, s in dated], marker="braille",
                            label=f"motif {n}")
        plt.title("score of each photo over time")
    else:
        xs = list(range(len(groups)))
        plt.plot(xs, [g.score for g in groups], marker="braille")
        step = max(1, len(groups) // 8)  # leave room between the labels
        plt.xticks(xs[::step], [g.label for g in groups][::step])
        plt.title(f"score by {groups[0].period if groups else 'period'}")
    return Text.from_ansi(plt.build())


def _year_fraction(iso: str) -> float:
    day = date.fromisoformat(iso[:10])
    return day.year + (day.timetuple().tm_yday - 1) / 366


class ScoreChart(Static):
    def __init__(self, turn: Turn):
        super().__init__(classes="chart")
        self.groups = turn.answer.groups or []

    def render(self) -> Text:
        return score_chart(self.groups, min(self.size.width, 100) or 60)
