"""The sign sketch: Hamming distances that are right, and shortlists that hold the true neighbours."""

import numpy as np
import pytest

from flux_ask.archive.sketch import SignSketch, rotation


def clustered(n=6000, dim=96, seed=0):
    """Unit vectors in a shared cone, in tight clusters, with most variance in a few dimensions."""
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(1 + np.arange(dim))
    centres = rng.standard_normal((60, dim)) * scale
    cone = 2.0 * np.ones(dim) / np.sqrt(dim)
    x = cone + centres[rng.integers(60, size=n)] + 0.3 * rng.standard_normal((n, dim)) * scale
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_rotation_is_orthogonal_and_fixed():
    r = rotation(100)
    assert np.allclose(r @ r.T, np.eye(100), atol=1e-5)
    assert np.array_equal(r, rotation(100))


@pytest.mark.parametrize("dim", [64, 96, 130])
def test_distances_count_differing_signs(dim):
    x = clustered(500, dim)
    sketch = SignSketch.build(x)
    q = x[7]
    expected = (((x - sketch.mean) @ sketch.turn > 0) != ((q @ sketch.turn) > 0)).sum(axis=1)
    assert np.array_equal(sketch.distances(q), expected)
    assert np.array_equal(sketch.distances(q, slice(100, 200)), expected[100:200])
    rows = np.array([3, 499, 42])
    assert np.array_equal(sketch.distances(q, rows), expected[rows])


def test_shortlist_holds_the_exact_neighbours():
    x = clustered()
    sketch = SignSketch.build(x)
    rng = np.random.default_rng(1)
    recalls = []
    for q in x[rng.integers(len(x), size=30)]:
        exact = set(np.argsort(-(x @ q))[:12])
        recalls.append(len(exact & set(sketch.shortlist(q, slice(0, len(x)), 600))) / 12)
    assert np.mean(recalls) >= 0.98  # a random shortlist of 10% of the rows would hold ~0.1


def test_shortlist_of_more_than_there_is_returns_everything():
    x = clustered(50)
    assert sorted(SignSketch.build(x).shortlist(x[0], slice(10, 20), 100)) == list(range(10))


def test_empty_archive():
    sketch = SignSketch.build(np.zeros((0, 64), np.float32))
    assert sketch.words.shape == (1, 0)
    assert len(sketch.distances(np.ones(64, np.float32))) == 0
