"""Matching a keeper folder to the corpus, the labels it gives, and the keeper model in use."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageOps

from flux_ask.archive.home import USEFUL_ROC_AUC, Archive
from flux_ask.archive.keeper_model import KeeperError
from flux_ask.config import load_settings
from flux_ask.db import keeper as store
from flux_ask.db.files import error_files
from flux_ask.db.models import activate_model, active_model, register_model
from flux_ask.db.photos import photo_details
from flux_ask.errors import ModelMismatch
from flux_ask.ingest.pipeline import Indexer
from flux_ask.keeper.match import KeeperMatcher
from flux_ask.keeper.scoring import score_catalog, train_from_catalog
from flux_ask.query import QueryPlan
from flux_ask.search.engine import BLEND, Searcher, keeper_blend
from tests.conftest import subprocess_env
from tests.photos import exif_for, picture, write_photo


def edited(source, target, *, crop=0.0, scale=1.0, quality=75):
    """A keeper made from an original: re-encoded, resized and/or cropped."""
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    w, h = image.size
    if crop:
        image = image.crop((int(w * crop), int(h * crop * 0.8), w - int(w * crop * 0.6), h - int(h * crop)))
    if scale != 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "JPEG", quality=quality)
    return target


def build_keepers(folder, originals, outsiders):
    """Exact copies, re-encodes, resizes and crops of originals, and pictures from elsewhere."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for i, source in enumerate(originals):
        kind = ("copy", "reencode", "resize", "crop")[i % 4]
        target = folder / f"{kind}_{i:02d}.jpg"
        if kind == "copy":
            shutil.copy(source, target)
        else:
            edited(source, target, quality=70 if kind == "reencode" else 90,
                   scale=0.5 if kind == "resize" else 1.0, crop=0.06 if kind == "crop" else 0.0)
        kinds[target.name] = (kind, source)
    for i, image in enumerate(outsiders):
        image.save(folder / f"elsewhere_{i}.jpg", quality=90)
        kinds[f"elsewhere_{i}.jpg"] = ("elsewhere", None)
    return kinds


def make_corpus(tmp_path_factory, tiny):
    """40 photos over eight years and a burst of two near-identical frames, catalogued."""
    root = tmp_path_factory.mktemp("corpus")
    for i in range(40):
        write_photo(root / f"{2016 + i % 8}" / f"p{i:02d}.jpg", seed=500 + i, size=(480, 360),
                    exif=exif_for(taken=f"{2016 + i % 8}:0{1 + i % 9}:1{i % 9} 10:00:00"))
    # a burst: two frames a few pixels apart
    burst = np.asarray(picture(900, (480, 360))).copy()
    write_photo(root / "burst" / "a.jpg", image=Image.fromarray(burst), exif=exif_for(taken="2020:05:05 10:00:00"))
    burst[:12, :12] = 255
    write_photo(root / "burst" / "b.jpg", image=Image.fromarray(burst), exif=exif_for(taken="2020:05:05 10:00:01"))
    settings = load_settings(tmp_path_factory.mktemp("home"), model="tiny-test", workers=1)
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([root])
    return settings, root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, tiny, catalog_backend):
    return make_corpus(tmp_path_factory, tiny)


def test_keepers_are_matched_by_content_and_label_the_catalog(corpus, tiny, tmp_path):
    settings, root = corpus
    keepers = tmp_path / "keepers"
    originals = sorted(root.glob("20*/p*.jpg"))[:16]
    kinds = build_keepers(keepers, originals, [picture(7000 + i, (400, 300)) for i in range(3)])
    shutil.copy(root / "burst" / "a.jpg", keepers / "burst.png")  # mislabelled, and a burst: see below
    edited(root / "burst" / "a.jpg", keepers / "burst_edit.jpg", quality=80)
    (keepers / "empty.jpg").write_bytes(b"")
    (keepers / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a picture")
    conn = catalog_conn(settings)
    report = KeeperMatcher(Archive(settings, encoder=tiny)).match(keepers)
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    path_of = {pid: path for pid, path in
               ((r["photo_id"], r["path"]) for r in photo_details(conn, list(range(1, 100))).values())}
    for name, (kind, source) in kinds.items():
        f = by_name[name]
        if kind == "elsewhere":
            assert f.status == "unmatched" and f.reason.startswith("not in the catalog"), f
            continue
        assert f.status == "matched", (name, f)
        assert path_of[f.photo_id] == str(source), name
        assert f.method == ("sha256" if kind == "copy" else "near-duplicate")
        assert 0.5 <= f.confidence <= 1.0
    # the exact copy of a burst frame matches by SHA; a re-export of it could be either frame
    assert by_name["burst.png"].status == "matched" and by_name["burst.png"].method == "sha256"
    assert by_name["burst_edit.jpg"].status == "ambiguous" and len(by_name["burst_edit.jpg"].candidates) == 2
    assert by_name["empty.jpg"].status == "error" and "empty" in by_name["empty.jpg"].reason
    assert by_name["broken.jpg"].status == "error"
    assert len(report.files) == len(list(keepers.iterdir()))  # every keeper listed, none lost
    labels = store.labels(conn)
    kept = {pid for pid, label in labels.items() if label == 1}
    assert {path_of[p] for p in kept} == {str(s) for k, s in kinds.values() if s} | {str(root / "burst" / "a.jpg")}
    counts = store.label_counts(conn)
    # frame a is kept (its exact copy says so); b might be the edit's original: unknown, not "never kept"
    assert counts == {"kept": 17, "not_kept": 42 - 18, "unknown": 1}
    assert {r["path"] for r in error_files(conn)} == set()  # keeper files never enter the catalog


def test_an_ambiguous_match_leaves_both_frames_unknown(corpus, tiny, tmp_path):
    settings, root = corpus
    keepers = tmp_path / "only-burst"
    edited(root / "burst" / "b.jpg", keepers / "b_edit.jpg", quality=80)
    conn = catalog_conn(settings)
    report = KeeperMatcher(Archive(settings, encoder=tiny)).match(keepers)
    assert report.counts()["ambiguous"] == 1
    frames = report.files[0].candidates
    labels = dict(conn.execute("SELECT photo_id, label FROM keeper_labels").fetchall())
    assert len(frames) == 2 and 0 not in {labels[f] for f in frames}  # neither is "never kept"
    # frame a is kept through another folder's exact copy (if that ran first): a match outranks a doubt
    assert {labels[f] for f in frames} in ({None}, {None, 1})


def test_bad_keeper_folders_are_clear_errors(corpus, tiny, tmp_path):
    settings, _ = corpus
    (tmp_path / "empty").mkdir()
    with pytest.raises(KeeperError, match="no photographs"):
        KeeperMatcher(Archive(settings, encoder=tiny)).match(tmp_path / "empty")
    with pytest.raises(Exception, match="not a folder"):
        KeeperMatcher(Archive(settings, encoder=tiny)).match(tmp_path / "nowhere")


def catalog_conn(settings):
    return Archive(settings, create=True).conn


@pytest.fixture(scope="module")
def trained(tiny, tmp_path_factory, catalog_backend):
    """A corpus with a third of its photos kept, and a keeper model trained on it."""
    settings, root = make_corpus(tmp_path_factory, tiny)
    keepers = tmp_path_factory.mktemp("kept")
    for source in sorted(root.glob("20*/p*.jpg"))[::3]:
        shutil.copy(source, keepers / source.name)
    conn = catalog_conn(settings)
    KeeperMatcher(Archive(settings, encoder=tiny)).match(keepers)
    report = train_from_catalog(Archive(settings), kinds=("logistic",), folds=3)
    return settings, conn, report


def test_training_saves_a_model_and_scores_every_photo(trained):
    settings, conn, report = trained
    assert report["chosen"] == "logistic" and report["kept"] == 14
    assert report["scoring"]["scored"] == 42
    row = store.latest_keeper_model(conn)
    assert row["model_name"] == "tiny-test" and row["labels"] == report["labels"]
    scores = conn.execute("SELECT score FROM keeper_scores WHERE keeper_model_id = ?", (row["id"],)).fetchall()
    assert len(scores) == 42 and all(0.0 <= s <= 1.0 for (s,) in scores)


# The fixture's keepers are every third photo: arbitrary, so its model is no better than
# chance and ranks only when asked for by name (`--rank keeper`), as these tests do.

def test_best_blends_similarity_with_the_keeper_score(trained, tiny):
    settings, conn, _ = trained
    searcher = Searcher(Archive(settings, encoder=tiny))
    plain = searcher.run(QueryPlan(text="a red square", limit=10))
    best = searcher.run(QueryPlan(text="a red square", limit=10, rank="keeper"), keeper_asked=True)
    assert plain.ranking is None and all(r.rank_score is None for r in plain.results)
    assert best.ranking["by"] == "keeper" and best.ranking["formula"] == BLEND
    assert all(r.keeper_score is not None for r in plain.results)  # shown whenever there is a model
    ranks = [r.rank_score for r in best.results]
    assert ranks == sorted(ranks, reverse=True)
    # the blend is what it says, over the pool it names
    pool = searcher.run(QueryPlan(text="a red square", limit=best.ranking["pool"]))
    sims = np.array([r.score for r in pool.results])
    keeper = np.array([r.keeper_score for r in pool.results])
    expected = keeper_blend(sims, keeper, settings.keeper_weight)
    top = [pool.results[i].photo_id for i in np.argsort(-expected, kind="stable")[:10]]
    assert [r.photo_id for r in best.results] == top
    assert json.loads(json.dumps(best.as_dict()))["ranking"]["weight"] == settings.keeper_weight


def test_best_of_a_period_orders_it_by_keeper_score(trained, tiny):
    settings, conn, _ = trained
    answer = Searcher(Archive(settings, encoder=tiny)).run(
        QueryPlan(date_ranges=(("2016-01-01", "2019-12-31"),), mode="all", rank="keeper"), keeper_asked=True)
    scores = [r.keeper_score for r in answer.results]
    assert len(scores) > 5 and scores == sorted(scores, reverse=True)


def test_new_photos_are_scored_at_ingest(trained, tiny, tmp_path):
    settings, conn, _ = trained
    new = write_photo(tmp_path / "new" / "fresh.jpg", seed=4242, exif=exif_for(taken="2024:01:01 10:00:00"))
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([new], sweep=False)
    (photo_id,) = conn.execute("SELECT p.id FROM photos p JOIN files f ON f.photo_id = p.id WHERE f.path = ?",
                               (str(new),)).fetchone()
    keeper_id = store.latest_keeper_model(conn)["id"]
    assert photo_id in store.scores_for(conn, keeper_id, [photo_id])


def test_a_keeper_model_for_other_vectors_is_refused(trained, tmp_path):
    settings, conn, _ = trained
    other = register_model(conn, "tiny-test", "another-seed", 64)
    active = active_model(conn)
    try:
        activate_model(conn, other)
        with pytest.raises(ModelMismatch, match="keeper train"):
            score_catalog(Archive(settings))
    finally:
        activate_model(conn, active)
    Archive(settings).required_keeper()  # the keeper model reads the active vectors again


def test_the_cli_matches_trains_scores_and_reports(tiny, tmp_path_factory, tmp_path):
    settings, root = make_corpus(tmp_path_factory, tiny)
    home = settings.home
    keepers = tmp_path / "keepers"
    keepers.mkdir()
    for source in sorted(root.glob("20*/p*.jpg"))[::3]:
        edited(source, keepers / source.name, quality=70)

    def flux(*args):
        out = subprocess.run([sys.executable, "-m", "flux_ask", *args], capture_output=True, text=True,
                             env=subprocess_env(home), timeout=300)
        return out.returncode, out.stdout, out.stderr

    code, _, err = flux("ask", "umbrellas", "--rank", "keeper")
    assert code == 1 and "no keeper model" in err and "keeper match" in err
    code, out, err = flux("keeper", "match", str(keepers), "--json")
    assert code == 0, err
    assert json.loads(out)["counts"] == {"matched": 14, "ambiguous": 0, "unmatched": 0, "error": 0}
    code, out, err = flux("keeper", "train", "--folds", "3", "--baseline-only")
    assert code == 0, err
    assert "ROC-AUC" in out and "scored 42 photos" in out
    code, out, _ = flux("keeper", "score", "--json")
    assert json.loads(out)["scored"] == 42
    code, out, _ = flux("status", "--json")
    keeper = json.loads(out)["keeper"]
    assert keeper["model"]["labels"] == 42 and keeper["model"]["positives"] == 14
    assert set(keeper["model"]["cross_validation"]) == {"roc_auc", "pr_auc", "precision_at"}
    code, out, _ = flux("ask", "best red squares", "--json")
    answer = json.loads(out)
    chance = keeper["model"]["cross_validation"]["roc_auc"] < USEFUL_ROC_AUC
    if chance:  # arbitrary keepers: "best" keeps to similarity, and says why
        assert answer["ranking"]["by"] == "similarity" and "no better than chance" in answer["ranking"]["note"]
    for question in ("best red squares", "all the best red squares"):  # the few best and every match alike
        code, out, _ = flux("ask", question)
        assert code == 0 and ("no better than chance" if chance else "blended with the keeper score") in out, out
    code, out, _ = flux("ask", "red squares", "--rank", "keeper", "--json")
    answer = json.loads(out)
    assert answer["plan"]["rank"] == "keeper" and answer["ranking"]["formula"] == BLEND
    assert all(r["keeper_score"] is not None for r in answer["results"])
    assert ("no better than chance" in answer["ranking"].get("note", "")) == chance


@pytest.mark.shared
def test_keepers_made_from_the_shared_photos(shared_photos, tiny, tmp_path):
    """Real camera files: street scenes shot metres apart (OpenSfM) beside everyday photos."""
    coco = sorted((shared_photos / "coco-val2017").glob("*.jpg"))
    corpus = tmp_path / "corpus"
    for source in coco[:48] + sorted((shared_photos / "opensfm").rglob("*.jpg")):
        target = corpus / source.relative_to(shared_photos)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    settings = load_settings(tmp_path / "home", model="tiny-test", workers=1)
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([corpus])
    originals = sorted(corpus.rglob("*.jpg"))[::4]
    outsiders = []
    for source in coco[48:52]:  # photographs the corpus does not hold
        with Image.open(source) as image:
            outsiders.append(ImageOps.exif_transpose(image).convert("RGB"))
    kinds = build_keepers(tmp_path / "keepers", originals, outsiders)
    conn = catalog_conn(settings)
    report = KeeperMatcher(Archive(settings, encoder=tiny)).match(tmp_path / "keepers")
    paths = {pid: d["path"] for pid, d in photo_details(conn, list(range(1, 200))).items()}
    wrong = []
    for f in report.files:
        kind, source = kinds[f.path.rsplit("/", 1)[-1]]
        expected = ("unmatched", None) if source is None else ("matched", str(source))
        if (f.status, paths.get(f.photo_id)) != expected:
            wrong.append((kind, f))
    assert not wrong, wrong
    assert report.counts()["unmatched"] == 4 and report.counts()["matched"] == len(originals)


def test_a_keeper_model_no_better_than_chance_is_said_and_not_used(trained, tiny):
    settings, conn, _ = trained
    row = store.latest_keeper_model(conn)
    metrics = row["metrics"]
    worse = json.loads(json.dumps(metrics))
    worse["cross_validation"][worse["chosen"]]["roc_auc"] = 0.255
    try:
        with conn:
            conn.execute("UPDATE keeper_models SET metrics = ? WHERE id = ?", (json.dumps(worse), row["id"]))
        best = Searcher(Archive(settings, encoder=tiny)).run(QueryPlan(text="a red square", limit=10, rank="keeper"))
        assert best.ranking["by"] == "similarity" and "no better than chance" in best.ranking["note"]
        assert all(r.rank_score is None for r in best.results)
        from flux_ask.archive.summary import status, status_rows

        rows = dict(status_rows(status(Archive(settings))))
        assert "no better than chance" in rows["keeper cv"]
    finally:
        with conn:
            conn.execute("UPDATE keeper_models SET metrics = ? WHERE id = ?", (json.dumps(metrics), row["id"]))


def test_keeper_ranked_pages_tile_one_order(trained, tiny, monkeypatch):
    """The keeper reorders a pool that the page's size fixes, not its number: page 2 goes on
    where page 1 stopped, never repeating or dropping a photo."""
    from flux_ask.search import engine

    settings, _, _ = trained
    monkeypatch.setattr(engine, "KEEPER_POOL", 1)  # a pool smaller than the pages ask for, as in a big archive
    monkeypatch.setattr(engine, "KEEPER_POOL_PER_RESULT", 1)
    from dataclasses import replace

    searcher = Searcher(Archive(replace(settings, keeper_weight=0.9), encoder=tiny))  # the keeper's order prevails
    plan = QueryPlan(text="a red square", limit=5, rank="keeper")
    pages = [[r.photo_id for r in searcher.run(plan, page=k, keeper_asked=True).results] for k in range(6)]
    shown = [p for page in pages for p in page]
    assert len(shown) == len(set(shown)) == 30  # none twice, none left out between pages
    first = searcher.run(plan, page=0, keeper_asked=True)
    assert first.ranking["by"] == "keeper" and [r.photo_id for r in first.results] == pages[0]
