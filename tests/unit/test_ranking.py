"""The best k, deterministically: pages of one answer never repeat or drop a photo, even
when many scores tie (copies of one picture score the same)."""

import numpy as np
import pytest

from flux_ask.archive.matrix import best_first


def test_ties_go_in_index_order():
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.1, 0.9, 0.5])
    assert best_first(scores, 4).tolist() == [1, 5, 0, 2]
    assert best_first(scores, 99).tolist() == [1, 5, 0, 2, 3, 6, 4]
    assert best_first(scores, 0).tolist() == []


@pytest.mark.parametrize("page", [1, 7, 100, 333])
def test_pages_tile_the_whole_order(page):
    scores = np.round(np.random.default_rng(1).random(5_000), 2).astype(np.float32)  # ~50 ties a value
    whole = best_first(scores, len(scores))
    pages = [best_first(scores, end)[end - page:end] for end in range(page, len(scores) + 1, page)]
    shown = np.concatenate(pages)
    assert len(set(shown.tolist())) == len(shown) and (shown == whole[:len(shown)]).all()
    assert (np.diff(scores[whole]) <= 0).all()
