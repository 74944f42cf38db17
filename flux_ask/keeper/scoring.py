"""The keeper model's life in the catalog: trained from its labels and vectors,
saved beside it, and used to score every photograph."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import apsw
import numpy as np

from flux_ask.archive.keeper_model import KeeperError, KeeperModel
from flux_ask.archive.matrix import VectorMatrix
from flux_ask.config import Settings
from flux_ask.db import keeper as store
from flux_ask.db import models as model_store
from flux_ask.db.rows import ModelRow
from flux_ask.periods import period_keys

SCORE_CHUNK = 50_000  # rows scored (and written) at a time


def current(conn: apsw.Connection, model: ModelRow) -> tuple[int, KeeperModel] | None:
    """(id, model) of the newest keeper model if it reads `model`'s vectors, else None."""
    row = store.keeper_model_for(conn, model.id)
    return None if row is None else (row["id"], KeeperModel.load(row["path"]))


def required(conn: apsw.Connection, model: ModelRow) -> tuple[int, KeeperModel]:
    """The keeper model for `model`'s vectors, or a clear error saying what to do."""
    row = store.latest_keeper_model(conn)
    if row is None:
        raise KeeperError("there is no keeper model: run `flux-ask keeper match KEEPER_DIR`, "
                          "then `flux-ask keeper train`")
    keeper = KeeperModel.load(row["path"])
    keeper.check(model.name, model.pretrained, model.dim)
    return row["id"], keeper


def active_model(conn: apsw.Connection) -> ModelRow:
    model = model_store.active_model(conn)
    if model is None:
        raise KeeperError("the archive is empty: run `flux-ask index FOLDER` first")
    return model


def train_from_catalog(settings: Settings, conn: apsw.Connection, *, kinds=None, folds=None,
                       progress=None) -> dict[str, Any]:
    from flux_ask.keeper import train

    model = model_store.active_model(conn)
    matrix = VectorMatrix.load(conn, model, settings.cache_dir)
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
    keeper, report = train.train(matrix.vectors[rows], y, years, (model.name, model.pretrained, model.dim),
                                 progress=progress, **options)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = settings.home / "keeper" / f"keeper-m{model.id}-{stamp}.npz"
    keeper.save(path)
    keeper_id = store.add_keeper_model(conn, model.id, keeper.kind, str(path), len(y), int(y.sum()), report)
    report |= {"id": keeper_id, "path": str(path), "embedding_model": model.label}
    report["scoring"] = score_catalog(settings, conn, matrix)
    return report


def score_catalog(settings: Settings, conn: apsw.Connection, matrix: VectorMatrix | None = None) -> dict[str, Any]:
    """Every searchable photo's keeper_score under the newest keeper model."""
    started = time.perf_counter()
    model = model_store.active_model(conn)
    keeper_id, keeper = required(conn, model)
    matrix = matrix or VectorMatrix.load(conn, model, settings.cache_dir)
    with conn:
        for start in range(0, len(matrix), SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            store.store_scores(conn, keeper_id, matrix.photo_ids[part], keeper.score(matrix.vectors[part]))
    return {"keeper_model": keeper_id, "scored": len(matrix), "seconds": round(time.perf_counter() - started, 2)}
