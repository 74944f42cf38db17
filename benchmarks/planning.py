"""How long a question takes to plan: ordinary questions, fuzzed ones, and a very long one,
with the question cut at what CLIP reads against the same planner reading every word; and
`flux-ask ask --plan` in a new process for a question naming a holiday and one naming a place.

    python benchmarks/planning.py [--fuzz 2000]

Offline (the gazetteer, no geocoder); the place and holiday indexes are built (in the
install's cache) before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flux_ask.config import static_cache_dir  # noqa: E402
from flux_ask.errors import FluxAskError  # noqa: E402
from flux_ask.query import planner  # noqa: E402
from flux_ask.query.places import offline_places  # noqa: E402

gazetteer = offline_places(static_cache_dir() / "places")

NOW = date(2026, 11, 24)
ORDINARY = [
    "show all umbrellas in fog", "show visual echoes of Rome", "show all silhouettes from winter 2022",
    "show images visually similar to this one", "show recurring gestures across six years",
    "show evolution of layering over time", "find all photographs where a person is waiting",
    "find all photographs with wet pavement reflections", "top 50 umbrellas in fog not in Rome",
    "dogs in Paris", "snow in January", "bikes from 2019 to 2021", "portraits from the past six years",
    "best street scenes from last summer", "harbour at night near Lisbon", "trains since 2015",
    "children playing between March and May 2020", "fog over the river by season", "cats before 2018",
    "markets in Berlin from spring 2019", "more like the third one", "similar to 12345",
    "reflections within 200 m of Rome", "crowds at the station in December 2021",
]
WORDS = ("show all photos of dogs in Rome from winter 2022 near Paris within 3 blocks of the past five years top 5 "
         "best similar to this one third not except without between and 2019 2018 to before after since last "
         "summer march over time by season evolution across six recurring echoes visual fog rain people").split()


def percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    return (f"p50 {np.percentile(ms, 50):6.2f} ms   p99 {np.percentile(ms, 99):6.2f} ms   "
            f"max {ms.max():7.2f} ms   (n={len(ms)})")


def timed(question: str) -> float:
    planner.parse.cache_clear()  # each question as if new: phrases are parsed once and remembered
    started = time.perf_counter()
    try:
        planner.plan(question, now=NOW, places=gazetteer)
    except FluxAskError:
        pass
    return time.perf_counter() - started


@contextmanager
def every_span_parsed():
    """The baseline: Earley asked about every span of up to nine words, as before the planner
    learnt which words can begin and end a phrase and where a longer span stopped parsing."""
    may_begin, may_end, parse = planner.may_begin, planner.may_end, planner.parse

    def no_dead_end(phrase):
        found = parse(phrase)
        return len(phrase) if isinstance(found, int) else found

    no_dead_end.cache_clear = parse.cache_clear
    planner.may_begin = planner.may_end = lambda span: True
    planner.parse = no_dead_end
    try:
        yield
    finally:
        planner.may_begin, planner.may_end, planner.parse = may_begin, may_end, parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=2000)
    args = parser.parse_args()
    timed("dogs in Paris on Diwali")  # the gazetteer, the holiday names and the grammar, loaded once
    first_day = timed("rain on 14 February 2021")  # dateparser's first day in a process builds its tables
    print(f"the first question naming a day in a process: {first_day * 1000:.0f} ms (dateparser's tables)")
    rng = random.Random(20261124)
    fuzz = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 20))) for _ in range(args.fuzz)]
    ordinary = [timed(q) for _ in range(5) for q in ORDINARY]
    fuzzed = [timed(q) for q in fuzz]
    with every_span_parsed():
        ordinary_base = [timed(q) for _ in range(5) for q in ORDINARY]
        fuzzed_base = [timed(q) for q in fuzz[:400]]
    print(f"ordinary questions          {percentiles(ordinary)}")
    print(f"  baseline: every span      {percentiles(ordinary_base)}   "
          f"p50 {np.median(ordinary_base) / np.median(ordinary):.1f}x")
    print(f"fuzzed, 1-20 words          {percentiles(fuzzed)}")
    print(f"  baseline: every span      {percentiles(fuzzed_base)}   "
          f"p50 {np.median(fuzzed_base) / np.median(fuzzed[:400]):.1f}x (first 400)")
    safe = [w for w in WORDS if w not in ("in", "near", "within", "of", "similar", "echoes", "not", "except")]
    long = " ".join(rng.choice(safe) for _ in range(3500))  # about 21 kB, with no place to look up
    cut = timed(long)
    planner.MAX_QUESTION_WORDS, kept = 10**9, planner.MAX_QUESTION_WORDS
    try:
        whole = timed(long)  # the baseline: every word read
    finally:
        planner.MAX_QUESTION_WORDS = kept
    print(f"a {len(long) / 1000:.0f} kB question: {cut * 1000:.0f} ms cut at {kept} words, "
          f"{whole:.1f} s reading every word ({whole / cut:.0f}x)")
    for question in ("diwali 2023 in london", "dogs in Paris", "tet in hanoi", "umbrellas in fog"):
        print(f"`flux-ask ask --plan \"{question}\"`, a new process: {new_process(question):.2f} s (median of 5)")


def new_process(question: str) -> float:
    """The whole process, from exec to exit, without a catalog (the plan alone)."""
    env = dict(os.environ, FLUX_ASK_CACHE=str(static_cache_dir()))
    with tempfile.TemporaryDirectory() as home:
        env["FLUX_ASK_HOME"] = home
        times = []
        for _ in range(6):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "flux_ask", "ask", "--plan", question], env=env, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first warms the disk cache


if __name__ == "__main__":
    main()
