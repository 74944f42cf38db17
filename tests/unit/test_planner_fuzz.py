"""Any text plans, or fails with one typed error: never a traceback, never a plan that
breaks its own rules (a range that ends before it starts, a radius of nothing)."""

import json
import random
import time
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_ask.errors import FluxAskError
from flux_ask.query import QueryPlan, plan
from flux_ask.query.planner import MAX_QUESTION_WORDS
from tests.unit.test_planner import places

NOW = date(2026, 11, 24)
WORDS = ("show all photos of dogs in Rome from winter 2022 near 40th and Walnut within 0 3 blocks of the past 5000 "
         "years days top 5 best 0 -3 similar to this one third 23rd ./x.jpg ~ not except but without between and "
         "2019 1999 to before after since last this summer march may over time by season month evolution across six "
         "recurring 1e9 99999999999999999999 m km miles feet echoes visual , . ; é 写真 the a of").split()
questions = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=16).map(" ".join)


def check(question: str) -> None:
    try:
        p = plan(question, now=NOW, places=places)
    except FluxAskError:
        return
    for start, end in p.date_ranges:
        assert start <= end, (question, p.date_ranges)
    for where in (p.near, p.exclude_near, p.echoes_of):
        assert where is None or where.radius_m > 0, (question, where)
    assert p.count >= 1 and p.mode in ("top_k", "all", "strong")
    assert QueryPlan.from_dict(json.loads(p.to_json())) == p


@settings(max_examples=400, deadline=None)
@given(questions)
def test_any_question_plans_or_fails_with_a_typed_error(question):
    check(question)


@pytest.mark.parametrize("question", ["after christmas 12 photos", "before the last 99999 summers"])
def test_an_open_range_of_a_date_its_reader_turned_down_is_no_range(question):
    check(question)


def test_a_question_longer_than_clip_reads_is_cut_and_says_so():
    p = plan(" ".join(["umbrellas in fog"] * 200), now=NOW, places=places)
    assert any(f"first {MAX_QUESTION_WORDS} of its 600 words" in n for n in p.notes)
    assert len(p.text.split()) <= MAX_QUESTION_WORDS
    check("x" * 21_000)


# every script's decimal digits, combining marks, and words no question holds
DIGITS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Nd"]
MARKS = [chr(c) for c in range(0x300, 0x370)]
HOSTILE_SECONDS = 1.0  # each question, however hostile, plans in this long at most ...
HOSTILE_MB = 200  # ... and this much more memory


def hostile_question(rng: random.Random) -> str:
    """A question of words people type, with hostile parts: a word tens of thousands of
    letters long, digits of any script, letters under a pile of combining marks, numbers past
    any calendar, control characters."""
    parts = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(rng.choice(WORDS))
        elif kind < 0.6:
            parts.append("".join(rng.choice(DIGITS) for _ in range(rng.randint(1, 4))))
        elif kind < 0.7:
            parts.append(rng.choice("aeoué写") + "".join(rng.choice(MARKS) for _ in range(rng.randint(1, 500))))
        elif kind < 0.8:
            parts.append(str(rng.choice([10 ** rng.randint(4, 40), 2 ** 63, -(2 ** 63), 9999, 10000])))
        elif kind < 0.85:
            parts.append(rng.choice("abzé") * rng.choice([1000, 20000, 60000]))
        elif kind < 0.9:
            parts.append("".join(chr(rng.randint(0, 31)) for _ in range(3)) + "\x1b]0;title\x07")
        else:
            parts.append(rng.choice(["weeks ago", "winters ago", "years ago", "km of paris", "stars", "mm",
                                     "iso", "f/", "blocks of", "top", "since", "before", "between", "and"]))
    return " ".join(parts)


@pytest.mark.slow
def test_two_thousand_hostile_questions_plan_quickly_in_little_memory_or_fail_in_words():
    import gc
    import resource

    rng = random.Random(34)
    questions = [hostile_question(rng) for _ in range(2000)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slowest = (0.0, "")
    gc.collect()
    gc.freeze()  # what the tests before this one made is no question's to sweep: a pause over it is not planning
    try:
        for question in questions:
            started = time.perf_counter()
            check(question)  # a plan that keeps its rules, or a FluxAskError: never anything else
            slowest = max(slowest, (time.perf_counter() - started, question[:80]))
    finally:
        gc.unfreeze()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    assert slowest[0] <= HOSTILE_SECONDS, slowest
    assert grown <= HOSTILE_MB, grown


def test_a_word_longer_than_any_word_is_read_as_its_start_and_the_plan_says_so():
    p = plan("dogs " + "a" * 80_000 + " in 2019", now=NOW, places=places)
    assert "a word of 80,000 characters was read as its first 300" in p.notes
    assert p.date_ranges == (("2019-01-01", "2019-12-31"),) and "dogs" in p.text
