"""Questions written by people who never saw the planner, each with what they meant
(tests/unit/questions/blind_*.jsonl, judged by tests/meanings.py): how many are read right,
and how few are silently wrong. The sets were scored before the planner was rebuilt; the
figures are in the README (Planning)."""

from pathlib import Path

import pytest

from flux_ask.config import static_cache_dir
from tests.meanings import load, offline_planner, score

SETS = Path(__file__).with_name("questions")
# at least this share read right, at most this share silently wrong
FLOORS = {"blind_a.jsonl": (0.895, 0.02), "blind_b.jsonl": (0.855, 0.02), "blind_c.jsonl": (0.885, 0.02),
          "blind_d.jsonl": (0.85, 0.035), "blind_e.jsonl": (0.815, 0.02), "blind_f.jsonl": (0.86, 0.03),
          "blind_g.jsonl": (0.795, 0.05), "blind_h.jsonl": (0.74, 0.04), "blind_i.jsonl": (0.80, 0.03),
          "blind_j.jsonl": (0.83, 0.02), "blind_k.jsonl": (0.75, 0.04), "blind_l.jsonl": (0.77, 0.03),
          "blind_m.jsonl": (0.71, 0.045), "blind_n.jsonl": (0.83, 0.02), "blind_o.jsonl": (0.745, 0.05)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_questions_nobody_showed_us(name):
    rows = load(SETS / name)
    counts, verdicts = score(rows, offline_planner(static_cache_dir() / "places"))
    crashes = [(row["q"], v.why) for row, v in verdicts if v.kind == "crash"]
    silent = [(row["q"], v.why) for row, v in verdicts if v.kind == "silent"]
    least_right, most_silent = FLOORS[name]
    assert not crashes
    assert counts["right"] >= least_right * len(rows), f"{counts['right']}/{len(rows)} right"
    assert len(silent) <= most_silent * len(rows), silent


def test_every_set_is_large_and_written_as_documented():
    for path in SETS.glob("blind_*.jsonl"):
        rows = load(path)
        assert len(rows) >= 200 and all(row["q"] and row.get("kind") for row in rows)
