"""The keeper classifier on generated data whose label is a known function of the embedding."""

import numpy as np
import pytest

from flux_ask.archive.keeper_model import KeeperError, KeeperModel
from flux_ask.errors import ModelMismatch
from flux_ask.keeper import train as training

EMBEDDING = ("tiny-test", "random-init-seed0", 64)


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def taste(n=4000, dim=64, seed=0, rate=1 / 27):
    """Unit vectors; kept = the top 1-in-27 along a hidden direction, with a little noise."""
    rng = np.random.default_rng(seed)
    x = unit(rng.standard_normal((n, dim)))
    direction = unit(rng.standard_normal((1, dim)))[0]
    signal = x @ direction + 0.02 * rng.standard_normal(n)
    y = (signal >= np.quantile(signal, 1 - rate)).astype(np.int64)
    years = 2015 + np.arange(n) * 10 // n  # ten years in time order
    return x, y, years


def test_the_classifier_recovers_a_known_taste():
    x, y, years = taste()
    model, report = training.train(x, y, years, EMBEDDING)
    cv = report["cross_validation"][report["chosen"]]
    assert cv["roc_auc"] >= 0.95 and cv["pr_auc"] >= 0.6, cv
    assert report["kept"] == y.sum() and report["labels"] == len(y)
    assert set(report["cross_validation"]) == {"logistic", "mlp"}
    split = report["time_split"]
    assert split["train_years"].startswith("2015") and split["test_years"].endswith("2024")
    assert split["roc_auc"] >= 0.9
    # calibrated: the mean probability is the base rate, not the balanced classes' 0.5
    assert abs(report["calibration"]["mean_score"] - y.mean()) < 0.01
    fresh_x, fresh_y, _ = taste(seed=0, n=4000)
    scores = model.score(fresh_x)
    assert scores.min() >= 0 and scores.max() <= 1
    assert scores[fresh_y == 1].mean() > 5 * scores[fresh_y == 0].mean()


def test_the_exported_arrays_score_as_the_fitted_model(tmp_path):
    x, y, _ = taste(n=1500)
    for kind in training.KINDS:
        fitted = training.fit(kind, x, y)
        model = training.export(fitted, kind, EMBEDDING, "platt", np.array([1.0, 0.0]), np.zeros(0))
        np.testing.assert_allclose(model.raw(x), fitted.raw(x), rtol=1e-3, atol=1e-3)
        model.save(tmp_path / f"{kind}.npz")
        again = KeeperModel.load(tmp_path / f"{kind}.npz")
        np.testing.assert_array_equal(again.score(x), model.score(x))
        assert again.embedding == EMBEDDING and again.kind == kind


def test_too_few_keepers_is_a_clear_error():
    x, y, years = taste(n=300)
    y[:] = 0
    y[:4] = 1
    with pytest.raises(KeeperError, match="4 kept .* at least 10"):
        training.train(x, y, years, EMBEDDING)


def test_a_model_for_other_vectors_is_refused(tmp_path):
    x, y, years = taste(n=800)
    model, _ = training.train(x, y, years, EMBEDDING, kinds=("logistic",))
    with pytest.raises(ModelMismatch, match="trained on tiny-test .* keeper train"):
        model.check("ViT-B-32", "datacomp_xl_s13b_b90k", 512)
    model.check(*EMBEDDING)


def test_a_damaged_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "keeper.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(KeeperError, match="cannot read the keeper model"):
        KeeperModel.load(bad)


def test_the_stronger_model_is_chosen_only_when_it_wins():
    # a taste no hyperplane can draw: kept when two directions agree in sign strongly (XOR-like)
    rng = np.random.default_rng(3)
    x = unit(rng.standard_normal((6000, 16)))
    y = ((x[:, 0] * x[:, 1]) > np.quantile(x[:, 0] * x[:, 1], 1 - 1 / 27)).astype(np.int64)
    _, report = training.train(x, y, np.zeros(len(y), np.int64), EMBEDDING)
    cv = report["cross_validation"]
    assert cv["mlp"]["pr_auc"] > cv["logistic"]["pr_auc"] + training.WIN_MARGIN
    assert report["chosen"] == "mlp"
    assert report["time_split"] is None  # undated labels: no split by time
