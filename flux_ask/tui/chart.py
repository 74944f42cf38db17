"""The score-over-time chart of a grouped answer, drawn by plotext in braille: time runs
linearly along the x axis (a gap of years looks like one), labelled in whole years, and
the legend sits under the plot rather than over it."""

from __future__ import annotations

from datetime import date
from statistics import median

from rich.text import Text
from textual.widgets import Static

from flux_ask.chat.conversation import Turn
from flux_ask.search.answer import Group

# (plotext's colour, rich's): one per curve or motif, in turn
SERIES = (("cyan+", "bright_cyan"), ("orange+", "dark_orange"), ("green+", "bright_green"),
          ("magenta+", "bright_magenta"), ("red+", "bright_red"), ("blue+", "bright_blue"), ("yellow+", "yellow"))
MAX_TICKS = 8
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)  # years between ticks


def score_chart(groups: list[Group], width: int, height: int = 9) -> Text:
    """Periods: the mean score of each period's best (left axis) and the share of its photos
    above the score threshold (right axis), at the time of its photos. Motifs: each shown
    photo's score at its date, a colour per motif."""
    import plotext as plt  # deferred: only grouped answers draw a chart

    plt.clear_figure()
    plt.plotsize(max(width, 20), height)
    plt.theme("clear")
    legend: list[tuple[str, str]] = []
    years: list[float] = []
    if groups and groups[0].period == "motif":
        for n, g in enumerate(groups):
            dated = [(_in_years(r.taken_at), r.score) for r in g.members if r.taken_at and r.score is not None]
            if dated:
                color, style = SERIES[n % len(SERIES)]
                plt.scatter([x for x, _ in dated], [s for _, s in dated], marker="braille", color=color)
                legend.append((f"motif {n + 1}", style))
                years += [x for x, _ in dated]
        plt.title("score of each photo over time")
    else:
        placed, apart = _clipped(sorted(((when, g) for g in groups if (when := _when(g)) is not None),
                                        key=lambda p: p[0]))
        years = [when for when, _ in placed]
        shares = any(g.share_above_threshold is not None for _, g in placed)
        for run in _runs(placed):  # no line is drawn through periods with no photo
            xs = [when for when, _ in run]
            plt.plot(xs, [g.score for _, g in run], marker="braille", color=SERIES[0][0])
            if shares:
                plt.plot(xs, [g.share_above_threshold or 0.0 for _, g in run], marker="braille",
                         color=SERIES[1][0], yside="right")
        legend.append(("mean score of its best (left)", SERIES[0][1]))
        if shares:
            plt.ylim(0, 1, yside="right")  # a share runs from none to all
            legend.append(("share of its photos above the threshold (right)", SERIES[1][1]))
        if apart:
            legend.append((f"not drawn, far from the rest: {', '.join(g.label for g in apart)}", "dim"))
        plt.title(f"score by {groups[0].period if groups else 'period'}")
    ticks = whole_years(years)
    if ticks:
        plt.xlim(ticks[0], max(years))  # the first label is at or before the first point
        plt.xticks(ticks, [str(t) for t in ticks])
    chart = Text.from_ansi(plt.build().rstrip("\n"))
    chart.append("\n")
    for i, (label, style) in enumerate(legend):
        chart.append("   " if i else "", "")
        chart.append("⣿ ", style)
        chart.append(label, "dim")
    return chart


def whole_years(years: list[float]) -> list[int]:
    """Whole years to label, a round number apart (1, 2, 5, 10 ... years), at most MAX_TICKS:
    from the one at or before the first point to the last at or before the last point (the
    axis starts at the first label, so the first point has a year to its left)."""
    if not years:
        return []
    low, high = min(years), max(years)
    step = next((s for s in NICE_STEPS if (high - low) / s <= MAX_TICKS - 1), NICE_STEPS[-1])
    first = int(low) // step * step
    return list(range(first, int(high) + 1, step))


FAR_YEARS = 10  # a period this far from the others is left off the axis, and said
FEW_APART = 2  # ... when no more than this many lie out there


def _clipped(placed: list[tuple[float, Group]]) -> tuple[list[tuple[float, Group]], list[Group]]:
    """The periods to draw, and the few far from the rest (one 1919 scan beside 2015-2026):
    eighty empty years would squeeze the rest into a corner."""
    if len(placed) < FEW_APART + 2:
        return placed, []
    gaps = [(placed[k + 1][0] - placed[k][0], k + 1) for k in range(len(placed) - 1)]
    gap, cut = max(gaps)
    if gap < FAR_YEARS:
        return placed, []
    if cut <= FEW_APART:
        return placed[cut:], [g for _, g in placed[:cut]]
    if len(placed) - cut <= FEW_APART:
        return placed[:cut], [g for _, g in placed[cut:]]
    return placed, []


PERIOD_YEARS = {"year": 1.0, "season": 0.25, "month": 1 / 12}


def _runs(placed: list[tuple[float, Group]]) -> list[list[tuple[float, Group]]]:
    """The periods in runs without a gap: where a whole period with no photo lies between two,
    the line breaks."""
    if not placed:
        return []
    step = PERIOD_YEARS.get(placed[0][1].period, 1.0)
    runs = [[placed[0]]]
    for before, here in zip(placed, placed[1:]):
        if here[0] - before[0] > 1.9 * step:
            runs.append([])
        runs[-1].append(here)
    return runs


def _when(group: Group) -> float | None:
    """A period's place in time: the middle of its photos' dates, in years."""
    dated = [_in_years(r.taken_at) for r in group.members if r.taken_at]
    return median(dated) if dated else None


def _in_years(iso: str) -> float:
    day = date.fromisoformat(iso[:10])
    return day.year + (day.timetuple().tm_yday - 1) / 366


class ScoreChart(Static):
    def __init__(self, turn: Turn):
        super().__init__(classes="chart")
        self.groups = turn.answer.groups or []

    def render(self) -> Text:
        return score_chart(self.groups, min(self.size.width, 100) or 60)
