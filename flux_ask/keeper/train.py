"""Fit the keeper classifier on (embedding, kept) pairs and say how well it ranks.

The baseline is an L2-regularised logistic regression on standardised embeddings;
a one-hidden-layer MLP replaces it only when it wins the cross-validation by a
clear margin of PR-AUC (the measure that matters for a class of 1 in 27). Both
weigh the classes equally (class_weight / sample_weight "balanced"), which skews
their probabilities, so the chosen model's out-of-fold scores fit a calibrator
(isotonic with enough keepers, else Platt's sigmoid). Stratified folds mix bursts
of near-identical frames across train and test; a split by year shows how much
of the score that leakage is worth.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from flux_ask.archive.keeper_model import KeeperError, KeeperModel, calibrate

KINDS = ("logistic", "mlp")
FOLDS = 5
PRECISION_AT = (10, 100, 1000)
WIN_MARGIN = 0.01  # PR-AUC the MLP must gain over the baseline to replace it
ISOTONIC_MIN_KEPT = 100  # fewer keepers than this: a two-parameter sigmoid, which cannot overfit them
TIME_SPLIT_SHARE = 0.75  # train on the earliest years holding about this share of the labels
SEED = 0

Progress = Callable[[str], None]


@dataclass
class Fitted:
    scaler: StandardScaler
    classifier: LogisticRegression | MLPClassifier

    def raw(self, x: np.ndarray) -> np.ndarray:
        z = self.scaler.transform(x)
        if isinstance(self.classifier, LogisticRegression):
            return self.classifier.decision_function(z)
        p = np.clip(self.classifier.predict_proba(z)[:, 1], 1e-7, 1 - 1e-7)
        return np.log(p / (1 - p))


def fit(kind: str, x: np.ndarray, y: np.ndarray, seed: int = SEED) -> Fitted:
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # capped epochs are a choice, not a fault
        # a batch larger than the training part (early stopping holds a tenth back) is clipped to it: as meant
        warnings.filterwarnings("ignore", message="Got `batch_size` less than 1 or larger than sample size")
        if kind == "logistic":
            clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=500).fit(z, y)
        elif kind == "mlp":
            clf = MLPClassifier(hidden_layer_sizes=(128,), alpha=1e-3, batch_size=min(1024, len(y)), max_iter=12,
                                early_stopping=True, n_iter_no_change=3, random_state=seed)
            clf.fit(z, y, sample_weight=compute_sample_weight("balanced", y))
        else:
            raise KeeperError(f"unknown keeper model kind {kind!r} (one of {', '.join(KINDS)})")
    return Fitted(scaler, clf)


def ranking_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    order = np.argsort(-score, kind="stable")
    return {
        "roc_auc": round(float(roc_auc_score(y, score)), 4),
        "pr_auc": round(float(average_precision_score(y, score)), 4),
        "precision_at": {str(k): round(float(y[order[:k]].mean()), 4) for k in PRECISION_AT if k <= len(y)},
        "base_rate": round(float(y.mean()), 4),
    }


def cross_validate(kind: str, x: np.ndarray, y: np.ndarray, folds: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Out-of-fold raw scores and their metrics."""
    started = time.perf_counter()
    oof = np.zeros(len(y))
    per_fold = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y):
        oof[test] = fit(kind, x[train], y[train]).raw(x[test])
        per_fold.append(float(average_precision_score(y[test], oof[test])))
    metrics = ranking_metrics(y, oof)
    metrics["pr_auc_folds"] = [round(v, 4) for v in per_fold]
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return oof, metrics


def fit_calibration(raw: np.ndarray, y: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    if y.sum() >= ISOTONIC_MIN_KEPT:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
        return "isotonic", iso.X_thresholds_.astype(np.float64), iso.y_thresholds_.astype(np.float64)
    platt = LogisticRegression(C=1e6).fit(raw.reshape(-1, 1), y)  # essentially unregularised
    return "platt", np.array([platt.coef_[0, 0], platt.intercept_[0]]), np.zeros(0)


def time_split(kind: str, x: np.ndarray, y: np.ndarray, years: np.ndarray) -> dict[str, Any] | None:
    """Train on the earliest years, test on the later ones; None when the labels do not
    span two years with keepers on both sides."""
    dated = years > 0
    distinct = np.unique(years[dated])
    if len(distinct) < 2:
        return None
    share = np.array([np.mean(years[dated] < year) for year in distinct])
    split = int(distinct[np.argmin(np.abs(share - TIME_SPLIT_SHARE))])
    if split == distinct[0]:
        split = int(distinct[1])
    train, test = dated & (years < split), dated & (years >= split)
    if len(np.unique(y[train])) < 2 or len(np.unique(y[test])) < 2:
        return None
    started = time.perf_counter()
    raw = fit(kind, x[train], y[train]).raw(x[test])
    out = {"train_years": f"{int(years[train].min())}-{split - 1}", "test_years": f"{split}-{int(years[test].max())}",
           "train": int(train.sum()), "test": int(test.sum()), **ranking_metrics(y[test], raw)}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def train(x: np.ndarray, y: np.ndarray, years: np.ndarray, embedding: tuple[str, str, int], *,
          kinds: tuple[str, ...] = KINDS, folds: int = FOLDS, progress: Progress | None = None,
          ) -> tuple[KeeperModel, dict[str, Any]]:
    """`x` unit vectors, `y` 0/1 labels, `years` capture years (0 when undated)."""
    say = progress or (lambda message: None)
    y = np.asarray(y, dtype=np.int64)
    kept = int(y.sum())
    if kept < 2 * folds or len(y) - kept < 2 * folds:
        raise KeeperError(
            f"{kept} kept and {len(y) - kept} other labelled photos: at least {2 * folds} of each are needed "
            "(run `flux-ask keeper match KEEPER_DIR` first)"
        )
    report: dict[str, Any] = {"labels": len(y), "kept": kept, "folds": folds, "cross_validation": {}}
    oof = {}
    for kind in kinds:
        say(f"cross-validating {kind} ({folds} folds, {len(y):,} photos)")
        oof[kind], report["cross_validation"][kind] = cross_validate(kind, x, y, folds)
    chosen = kinds[0]
    for kind in kinds[1:]:
        if report["cross_validation"][kind]["pr_auc"] > report["cross_validation"][chosen]["pr_auc"] + WIN_MARGIN:
            chosen = kind
    report["chosen"] = chosen
    how, cx, cy = fit_calibration(oof[chosen], y)
    calibrated = calibrate(oof[chosen], how, cx, cy)
    report["calibration"] = {"method": how, "brier": round(float(brier_score_loss(y, calibrated)), 5),
                             "mean_score": round(float(calibrated.mean()), 4), "base_rate": round(kept / len(y), 4)}
    say(f"testing {chosen} on later years")
    report["time_split"] = time_split(chosen, x, y, years)
    say(f"fitting {chosen} on all {len(y):,} labels")
    started = time.perf_counter()
    final = fit(chosen, x, y)
    report["fit_seconds"] = round(time.perf_counter() - started, 2)
    return export(final, chosen, embedding, how, cx, cy), report


def export(fitted: Fitted, kind: str, embedding, how: str, cx: np.ndarray, cy: np.ndarray) -> KeeperModel:
    """Arrays that reproduce `fitted.raw`: the scaler folds into the first layer."""
    mean, scale = fitted.scaler.mean_, fitted.scaler.scale_
    clf = fitted.classifier
    if isinstance(clf, LogisticRegression):
        layers, biases = [clf.coef_.T.astype(np.float64)], [clf.intercept_.astype(np.float64)]
    else:
        layers, biases = [w.astype(np.float64) for w in clf.coefs_], [b.astype(np.float64) for b in clf.intercepts_]
    first = layers[0] / scale[:, None]
    biases[0] = biases[0] - mean @ first
    layers[0] = first
    return KeeperModel(kind, tuple(embedding), tuple(w.astype(np.float32) for w in layers),
                       tuple(b.astype(np.float32) for b in biases), how, cx, cy)
