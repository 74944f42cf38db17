"""Search order that can be worked out by hand: the real ingest and search, with the
transparent word-count embedder of tests/fakes.py instead of CLIP."""

from datetime import date

import pytest
from PIL import Image

from flux_ask.archive.home import Archive
from flux_ask.ingest.pipeline import Indexer
from flux_ask.query import plan
from flux_ask.search.engine import Searcher
from tests.fakes import WordCounts
from tests.photos import exif_for, write_photo

SOLID = {"red": (230, 20, 20), "purple": (200, 20, 200), "white": (235, 235, 235), "green": (20, 210, 20)}


@pytest.fixture(scope="module")
def colours(tmp_path_factory, catalog_backend):
    from flux_ask.config import load_settings

    root = tmp_path_factory.mktemp("colours")
    for i, (name, rgb) in enumerate(SOLID.items()):
        write_photo(root / f"{name}.jpg", image=Image.new("RGB", (64, 48), rgb),
                    exif=exif_for(taken=f"202{i}:06:01 12:00:00"))
    settings = load_settings(tmp_path_factory.mktemp("home"), geocoder="off")
    embedder = WordCounts()
    with Archive(settings, create=True) as archive, Indexer(archive, embedder=embedder) as indexer:
        indexer.index([root])
    return Searcher(Archive(settings, encoder=embedder))


def names(answer) -> list[str]:
    return [r.path.rsplit("/", 1)[-1].removesuffix(".jpg") for r in answer.results]


def ask(searcher, question: str):
    return searcher.run(plan(question, now=date(2026, 1, 1)))


def test_the_nearest_come_first(colours):
    assert names(ask(colours, "red")) == ["red", "purple", "white", "green"]
    assert names(ask(colours, "green"))[:2] == ["green", "white"]
    assert names(ask(colours, "red and blue"))[0] == "purple"


def test_scores_are_the_cosines_worked_out_by_hand(colours):
    scores = {n: r.score for n, r in zip(names(ask(colours, "red")), ask(colours, "red").results, strict=True)}
    assert scores["red"] > 0.99 and scores["green"] < 0.15
    assert scores["purple"] == pytest.approx(200 / (2 * 200**2 + 20**2) ** 0.5, abs=0.03)


def test_a_count_and_a_date_narrow_the_same_order(colours):
    assert names(ask(colours, "top 2 red")) == ["red", "purple"]
    assert names(ask(colours, "red from 2021")) == ["purple"]
