"""The plan as a typed value: it prints as JSON, reads back as itself, and refuses what
this version does not know with a typed error."""

from datetime import date

import pytest

from flux_ask.query import plan
from flux_ask.query.plan import (
    FileRef,
    PhotoRef,
    PlanError,
    QueryPlan,
    ResultRef,
    SelectedRef,
)
from tests.unit.test_planner import TABLE, places

NOW = date(2026, 11, 24)


@pytest.mark.parametrize("question", [q for q, _ in TABLE])
def test_every_plan_reads_back_as_itself(question):
    p = plan(question, now=NOW, places=places)
    assert QueryPlan.from_dict(p.as_dict()) == p


@pytest.mark.parametrize("ref, data", [(PhotoRef(7), {"photo_id": 7}), (FileRef("/a/b.jpg"), {"file": "/a/b.jpg"}),
                                       (ResultRef(-1), {"result": -1}), (SelectedRef(), {"selected": True})])
def test_similar_to_is_tagged_and_keeps_its_saved_form(ref, data):
    p = QueryPlan(similar_to=ref)
    assert p.as_dict()["similar_to"] == data and QueryPlan.from_dict(p.as_dict()).similar_to == ref


@pytest.mark.parametrize("saved, words", [
    ({"text": "dogs", "colour": "red"}, "colour"),
    ({"mode": "every"}, "mode 'every'"),
    ({"rank": "likes"}, "rank 'likes'"),
    ({"group_by": "week"}, "group_by 'week'"),
    ({"similar_to": {"photo": 3}}, "similar to"),
    ({"near": {"label": "x"}}, "cannot read"),
])
def test_a_plan_this_version_does_not_know_is_a_typed_error(saved, words):
    with pytest.raises(PlanError, match=words):
        QueryPlan.from_dict(saved)
