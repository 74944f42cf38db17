"""Time in the archive, on generated catalogs with planted structure: families of
look-alikes spread across known years among noise, and a concept that grows."""

from datetime import date

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.db.files import record_file
from flux_ask.db.models import activate_model, register_model
from flux_ask.db.photos import insert_photo
from flux_ask.db.vectors import store_embedding
from flux_ask.embed import TINY_TEST, TINY_TEST_TAG
from flux_ask.query import plan
from flux_ask.search import motifs
from flux_ask.search.engine import Searcher

NOW = date(2026, 11, 24)


def unit(v):
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def write_catalog(settings, dim, photos):
    """photos: (vector, 'YYYY-MM-DD') pairs, written with files and vectors like an ingest's."""
    conn = Archive(settings, create=True).conn
    model = register_model(conn, TINY_TEST, TINY_TEST_TAG, dim)
    activate_model(conn, model)
    with conn:
        for i, (vector, day) in enumerate(photos):
            photo = insert_photo(conn, {"sha256": f"{i:064x}", "bytes": 1, "taken_at": f"{day}T12:00:00",
                                                "taken_at_source": "DateTimeOriginal"})
            record_file(conn, f"/archive/{i:05d}.jpg", photo_id=photo, size=1, mtime_ns=i, state="ok")
            store_embedding(conn, model, photo, vector)
    return conn


def family(rng, centre, years, per_year, spread=0.15):
    return [(unit(centre + spread * rng.standard_normal(len(centre)) / np.sqrt(len(centre))),
             f"{year}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}")
            for year in years for _ in range(per_year)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory, tiny, catalog_backend):
    from flux_ask.config import load_settings

    rng = np.random.default_rng(7)
    dim = tiny.dim
    centres = unit(rng.standard_normal((3, dim)))
    photos = (family(rng, centres[0], range(2019, 2025), 2)  # six years
              + family(rng, centres[1], [2021, 2022], 6)  # a burst: two years only
              + family(rng, centres[2], [2020, 2022, 2024], 3)  # three years
              + [(unit(rng.standard_normal(dim)), f"{rng.integers(2016, 2027)}-{rng.integers(1, 13):02d}-"
                  f"{rng.integers(1, 29):02d}") for _ in range(400)])
    settings = load_settings(tmp_path_factory.mktemp("home"), model=TINY_TEST)
    write_catalog(settings, dim, photos)
    return Searcher(Archive(settings, encoder=tiny)), len(photos)


def years_of(group):
    return sorted({int(m.taken_at[:4]) for m in group.members})


def test_recurring_motifs_are_found_and_bursts_dropped(planted):
    searcher, _ = planted
    answer = searcher.run(plan("show recurring motifs", now=NOW))
    found = [g.years for g in answer.groups]
    assert found == [tuple(range(2019, 2025)), (2020, 2022, 2024)]  # the widest first; the burst is gone
    six = answer.groups[0]
    assert years_of(six) == list(range(2019, 2025))  # each year shown
    days = [m.taken_at for m in six.members]
    assert days == sorted(days)  # in time order
    assert "(2019-2024)" in six.label


def test_across_six_years_keeps_only_what_spans_six(planted):
    searcher, _ = planted
    answer = searcher.run(plan("recurring motifs across six years", now=NOW))
    assert [g.years for g in answer.groups] == [tuple(range(2019, 2025))]
    data = answer.as_dict()
    assert data["groups"][0]["years"] == list(range(2019, 2025)) and data["groups"][0]["period"] == "motif"


def test_a_window_limits_the_years(planted):
    searcher, _ = planted
    answer = searcher.run(plan("recurring motifs from 2021 to 2024", now=NOW))
    # the six-year family shows its four years here; the three-year one keeps only two: too few
    assert [g.years for g in answer.groups] == [(2021, 2022, 2023, 2024)]


def test_find_motifs_directly():
    rng = np.random.default_rng(0)
    centre = unit(rng.standard_normal(64))
    vectors = np.concatenate([unit(centre + 0.05 * rng.standard_normal((10, 64))), unit(rng.standard_normal((50, 64)))])
    years = np.array([2015 + i for i in range(10)] + [2015] * 50)
    found = motifs.find_motifs(vectors, np.arange(60), years, min_years=5, window_years=10)
    assert len(found) == 1 and found[0].size == 10 and found[0].spread == 1.0 and found[0].coherence > 0.8
    assert motifs.find_motifs(vectors, np.arange(60), years, min_years=11, window_years=10) == []


def test_candidates_cap_each_day():
    rows = np.arange(100)
    days = np.repeat(np.arange(10), 10).astype(float)  # ten photos a day for ten days
    picked = motifs.candidates(np.linspace(1, 0, 100), rows, days, limit=50)
    assert np.bincount(days[picked].astype(int)).max() <= motifs.PER_DAY and len(picked) == 30
    sample = motifs.candidates(None, rows, days, limit=20)
    assert len(sample) == 20 and len(set(days[sample])) == 10  # even through time


def test_evolution_rises_with_a_growing_concept(tmp_path, tiny):
    from flux_ask.config import load_settings

    rng = np.random.default_rng(3)
    concept = tiny.encode_text(["layering"])[0]
    photos = []
    for n, year in enumerate(range(2018, 2025)):
        photos += [(unit(concept + 0.4 * rng.standard_normal(tiny.dim) / np.sqrt(tiny.dim)), f"{year}-06-{d + 1:02d}")
                   for d in range(1 + 2 * n)]  # 1, 3, 5 ... matching photos a year, among 300 others
        photos += [(unit(rng.standard_normal(tiny.dim)), f"{year}-07-{d % 28 + 1:02d}") for d in range(300)]
    settings = load_settings(tmp_path / "home", model=TINY_TEST)
    searcher = Searcher(Archive(settings, encoder=tiny).require()) if write_catalog(settings, tiny.dim, photos) else None
    answer = searcher.run(plan("show evolution of layering over time", now=NOW))
    assert [g.label for g in answer.groups] == [str(y) for y in range(2018, 2025)]
    share = [g.share_above_threshold for g in answer.groups]
    assert share == sorted(share) and share[-1] > 3 * share[0] > 0
    score = [g.score for g in answer.groups]
    assert score[-1] > score[0]
