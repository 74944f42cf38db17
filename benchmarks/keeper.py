"""Keeper model at archive scale: training, cross-validation and scoring times.

    python benchmarks/keeper.py [--photos 400000] [--dim 768] [--folds 5] [--no-catalog]

Labels come from a known taste over the synthetic archive of benchmarks/synthetic.py:
a preferred "look" (a direction), favourite topics, and sessions that went well
(whole shoots are kept or not, which is what leaks across a stratified split),
tuned to 1 keeper in 27. In one run it measures:
  (a) a textbook baseline: cross_val_predict for the metrics, then
      CalibratedClassifierCV(isotonic, 5 folds) for the final calibrated model;
  (b) flux-ask's keeper.train: the same folds serve the metrics, the choice of
      model and the calibration, then one final fit (logistic and MLP compared,
      the time split included);
  (c) scoring every photo: flux-ask's folded numpy arrays against the baseline's
      predict_proba, and score_catalog into a real catalog (SQLite + sqlite-vec).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import make_archive, write_catalog  # noqa: E402

from flux_ask.archive.home import Archive  # noqa: E402
from flux_ask.keeper import train as training  # noqa: E402

KEEP_RATE = 1 / 27


def taste(archive, seed: int = 5) -> np.ndarray:
    """0/1 labels drawn from a known function of the embedding and the session."""
    rng = np.random.default_rng(seed)
    x = archive.vectors
    look = rng.standard_normal(x.shape[1]).astype(np.float32) * archive.spectrum
    along = x @ (look / np.linalg.norm(look))
    favourite = np.isin(archive.topic_of_scene[archive.scene_of], rng.choice(len(archive.topics), 30, replace=False))
    session = rng.standard_normal(len(archive.scenes))[archive.scene_of]
    logit = 2.0 * (along - along.mean()) / along.std() + 1.5 * favourite + 1.0 * session
    lo, hi = -20.0, 5.0
    for _ in range(50):  # the offset that gives the wanted share of keepers
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.mean(1 / (1 + np.exp(-(logit + mid)))) < KEEP_RATE else (lo, mid)
    return (rng.random(len(x)) < 1 / (1 + np.exp(-(logit + lo)))).astype(np.int64)


def years_of(archive) -> np.ndarray:
    return np.array([int(t[:4]) if t else 0 for t in archive.taken_at], dtype=np.int64)


def textbook(x: np.ndarray, y: np.ndarray, folds: int):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def pipeline():
        return make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=500))

    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    started = time.perf_counter()
    oof = cross_val_predict(pipeline(), x, y, cv=cv, method="decision_function")
    metrics = training.ranking_metrics(y, oof)
    model = CalibratedClassifierCV(pipeline(), method="isotonic", cv=cv).fit(x, y)
    return model, metrics, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-catalog", action="store_true", help="skip writing scores into a real catalog")
    args = parser.parse_args()

    t0 = time.perf_counter()
    archive = make_archive(args.photos, args.dim)
    x, y, years = archive.vectors, taste(archive), years_of(archive)
    print(f"archive: {len(y):,} x {args.dim}, {y.sum():,} keepers ({y.mean():.2%}), "
          f"made in {time.perf_counter() - t0:.1f} s")

    baseline, base_metrics, base_seconds = textbook(x, y, args.folds)
    print(f"(a) textbook (cross_val_predict + CalibratedClassifierCV, {2 * args.folds} fits): {base_seconds:.1f} s; "
          f"ROC-AUC {base_metrics['roc_auc']:.3f}, PR-AUC {base_metrics['pr_auc']:.3f}")

    started = time.perf_counter()
    model, report = training.train(x, y, years, ("synthetic", "benchmark", args.dim), folds=args.folds,
                                   progress=lambda m: print(f"    … {m}", flush=True))
    total = time.perf_counter() - started
    print(f"(b) flux-ask keeper.train, all in: {total:.1f} s (chose {report['chosen']})")
    for kind, cv in report["cross_validation"].items():
        print(f"    {kind:<9} {args.folds}-fold CV {cv['seconds']:.1f} s: ROC-AUC {cv['roc_auc']:.3f}, "
              f"PR-AUC {cv['pr_auc']:.3f}, " + ", ".join(f"p@{k} {v:.2f}" for k, v in cv["precision_at"].items()))
    split = report["time_split"]
    print(f"    time split ({split['train_years']} -> {split['test_years']}) {split['seconds']:.1f} s: "
          f"ROC-AUC {split['roc_auc']:.3f}, PR-AUC {split['pr_auc']:.3f}  (leakage across sessions: "
          f"{report['cross_validation'][report['chosen']]['pr_auc'] - split['pr_auc']:+.3f} PR-AUC)")
    print(f"    final fit {report['fit_seconds']:.1f} s; calibration {report['calibration']}")
    logistic_only = report["cross_validation"]["logistic"]["seconds"] + report["fit_seconds"]
    print(f"    logistic CV + calibration + final fit: {logistic_only:.1f} s "
          f"({base_seconds / logistic_only:.1f}x faster than (a) for the same model)")

    started = time.perf_counter()
    ours = model.score(x)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = baseline.predict_proba(x)[:, 1]
    theirs_seconds = time.perf_counter() - started
    print(f"(c) scoring {len(y):,}: flux-ask arrays {ours_seconds:.2f} s, sklearn predict_proba "
          f"{theirs_seconds:.2f} s ({theirs_seconds / ours_seconds:.1f}x); rank agreement with (a) "
          f"(Spearman) {np.corrcoef(np.argsort(np.argsort(ours)), np.argsort(np.argsort(theirs)))[0, 1]:.3f}")
    if not args.no_catalog:
        score_in_catalog(archive, model)


def score_in_catalog(archive, model) -> None:
    from flux_ask.archive.matrix import VectorMatrix
    from flux_ask.config import load_settings
    from flux_ask.db import keeper as store
    from flux_ask.db.models import active_model
    from flux_ask.keeper.scoring import score_catalog

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(Path(home), model="synthetic", pretrained="benchmark")
        started = time.perf_counter()
        write_catalog(settings, ("synthetic", "benchmark", archive.vectors.shape[1]), archive)
        conn = Archive(settings, create=True).conn
        active = active_model(conn)
        VectorMatrix.load(conn, active, settings.cache_dir)  # built once, as any search would
        print(f"    catalog of {len(archive.vectors):,} written and its matrix cached in "
              f"{time.perf_counter() - started:.1f} s")
        path = settings.home / "keeper" / "bench.npz"
        model = type(model)(model.kind, ("synthetic", "benchmark", active.dim), model.weights, model.biases,
                            model.calibration, model.calibration_x, model.calibration_y)
        model.save(path)
        store.add_keeper_model(conn, active.id, model.kind, str(path), 0, 0, {})
        report = score_catalog(Archive(settings))
        print(f"    score_catalog (matrix from cache, score, write {report['scored']:,} rows): "
              f"{report['seconds']:.1f} s")


if __name__ == "__main__":
    main()
