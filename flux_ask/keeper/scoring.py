"""The keeper model's life in the catalog: trained from its labels and vectors,
saved beside it, and used to score every photograph."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import numpy as np

from flux_ask.archive.home import Archive
from flux_ask.archive.keeper_model import KeeperError
from flux_ask.db import keeper as store
from flux_ask.periods import period_keys

SCORE_CHUNK = 50_000  # rows scored (and written) at a time


def train_from_catalog(archive: Archive, *, kinds=None, folds=None, progress=None) -> dict[str, Any]:
    from flux_ask.keeper import train  # deferred: scikit-learn takes ~1 s to import

    settings, conn = archive.settings, archive.conn
    model = archive.model()
    matrix = archive.matrix()
    labels = store.labels(conn)
    if not labels:
        raise KeeperError("no keeper labels yet: run `flux-ask keeper match KEEPER_DIR` first")
    rows = np.flatnonzero(np.isin(matrix.photo_ids, np.fromiter(labels, np.int64)))
    y = np.array([labels[int(p)] for p in matrix.photo_ids[rows]], dtype=np.int64)
    days = matrix.days[rows]
    years = np.zeros(len(rows), np.int64)
    dated = np.isfinite(days)
    years[dated] = period_keys(days[dated], "year")
    options = {k: v for k, v in (("kinds", kinds), ("folds", folds)) if v}
    keeper, report = train.train(matrix.vectors.take(rows), y, years, (model.name, model.pretrained, model.dim),
                                 progress=progress, **options)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = settings.home / "keeper" / f"keeper-m{model.id}-{stamp}.npz"
    keeper.save(path)
    keeper_id = store.add_keeper_model(conn, model.id, keeper.kind, str(path), len(y), int(y.sum()), report)
    report |= {"id": keeper_id, "path": str(path), "embedding_model": model.label}
    report["scoring"] = score_catalog(archive)
    return report


def score_catalog(archive: Archive) -> dict[str, Any]:
    """Every searchable photo's keeper_score under the newest keeper model."""
    started = time.perf_counter()
    scorer = archive.required_keeper()
    matrix, conn = archive.matrix(), archive.conn
    with conn:
        for start in range(0, len(matrix), SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            store.store_scores(conn, scorer.id, matrix.photo_ids[part], scorer.score(matrix.vectors.take(part)))
    return {"keeper_model": scorer.id, "scored": len(matrix), "seconds": round(time.perf_counter() - started, 2)}
