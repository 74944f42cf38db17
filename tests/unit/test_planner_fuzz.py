"""Any text plans, or fails with one typed error: never a traceback, never a plan that
breaks its own rules (a range that ends before it starts, a radius of nothing)."""

import json
from datetime import date

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
    assert p.count >= 1 and p.mode in ("top_k", "all")
    assert QueryPlan.from_dict(json.loads(p.to_json())) == p


@settings(max_examples=400, deadline=None)
@given(questions)
def test_any_question_plans_or_fails_with_a_typed_error(question):
    check(question)


def test_a_question_longer_than_clip_reads_is_cut_and_says_so():
    p = plan(" ".join(["umbrellas in fog"] * 200), now=NOW, places=places)
    assert any(f"first {MAX_QUESTION_WORDS} of its 600 words" in n for n in p.notes)
    assert len(p.text.split()) <= MAX_QUESTION_WORDS
    check("x" * 21_000)
