"""The keeper tables' reads and writes: keeper matches, labels, keeper models and
scores. Every value is bound."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import apsw

from flux_ask.db.postgres import is_postgres
from flux_ask.db.sql import now_iso, path_in, under_either

KEEPER_FILE_COLUMNS = ("path", "sha256", "status", "photo_id", "method", "confidence", "phash_distance",
                       "cosine", "candidates", "reason")


# -- keeper matches and labels --------------------------------------------------------

def replace_keeper_files(conn: apsw.Connection, root: str, rows: list[dict[str, Any]]) -> None:
    """This folder's matches replace its last ones (a keeper that left it leaves too)."""
    stamp = now_iso()
    with conn:
        for low, high in under_either(root):
            conn.execute("DELETE FROM keeper_files WHERE path >= ? AND path < ?", (low, high))
        conn.executemany(
            f"INSERT INTO keeper_files ({', '.join(KEEPER_FILE_COLUMNS)}, matched_at) "
            f"VALUES ({', '.join('?' * len(KEEPER_FILE_COLUMNS))}, ?) ON CONFLICT(path) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in (*KEEPER_FILE_COLUMNS[1:], "matched_at")),
            [[json.dumps(r[c]) if c == "candidates" and r.get(c) is not None else
              path_in(r[c]) if c == "path" else r.get(c) for c in KEEPER_FILE_COLUMNS] + [stamp] for r in rows],
        )


def rebuild_labels(conn: apsw.Connection) -> dict[str, int]:
    """Labels from every keeper match on record: 1 matched, NULL an ambiguous
    candidate, 0 every other photo catalogued now."""
    stamp = now_iso()
    with conn:
        conn.execute("DELETE FROM keeper_labels")
        conn.execute("INSERT INTO keeper_labels (photo_id, label, labelled_at) SELECT id, 0, ? FROM photos", (stamp,))
        candidates = ("jsonb_array_elements_text(CAST(k.candidates AS jsonb)) AS j(value)" if is_postgres(conn)
                      else "json_each(k.candidates) j")
        conn.execute(
            "UPDATE keeper_labels SET label = NULL WHERE photo_id IN (SELECT CAST(j.value AS INTEGER) "
            f"FROM keeper_files k, {candidates} WHERE k.status = 'ambiguous')"
        )
        conn.execute(
            "UPDATE keeper_labels SET label = 1 WHERE photo_id IN "
            "(SELECT photo_id FROM keeper_files WHERE status = 'matched')"
        )
    return label_counts(conn)


def label_counts(conn: apsw.Connection) -> dict[str, int]:
    kept, never, unknown = conn.execute(
        "SELECT count(*) FILTER (WHERE label = 1), count(*) FILTER (WHERE label = 0), "
        "count(*) FILTER (WHERE label IS NULL) FROM keeper_labels"
    ).fetchone()
    return {"kept": int(kept), "not_kept": int(never), "unknown": int(unknown)}


def labels(conn: apsw.Connection) -> dict[int, int]:
    """photo_id -> 0 or 1, for every photo whose label is known."""
    return dict(conn.execute("SELECT photo_id, label FROM keeper_labels WHERE label IS NOT NULL").fetchall())


# -- keeper models and scores ---------------------------------------------------------

def add_keeper_model(conn: apsw.Connection, model_id: int, kind: str, path: str, labels: int, positives: int,
                     metrics: dict[str, Any]) -> int:
    with conn:
        (keeper_id,) = conn.execute(
            "INSERT INTO keeper_models (model_id, kind, path, labels, positives, metrics, trained_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (model_id, kind, path, labels, positives, json.dumps(metrics), now_iso()),
        ).fetchone()
    return keeper_id


def latest_keeper_model(conn: apsw.Connection) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT k.id, k.model_id, m.name, m.pretrained, m.dim, k.kind, k.path, k.labels, k.positives, k.metrics, "
        "k.trained_at FROM keeper_models k JOIN models m ON m.id = k.model_id ORDER BY k.id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "model_id", "model_name", "model_pretrained", "model_dim", "kind", "path", "labels",
            "positives", "metrics", "trained_at")
    out = dict(zip(keys, row, strict=True))
    out["metrics"] = json.loads(out["metrics"])
    return out


def keeper_model_for(conn: apsw.Connection, model_id: int) -> dict[str, Any] | None:
    """The newest keeper model, if it reads the vectors of embedding model `model_id`."""
    row = latest_keeper_model(conn)
    return row if row and row["model_id"] == model_id else None


def scored_count(conn: apsw.Connection, keeper_model_id: int) -> int:
    sql = "SELECT count(*) FROM keeper_scores WHERE keeper_model_id = ?"
    return conn.execute(sql, (keeper_model_id,)).fetchone()[0]


def store_scores(conn: apsw.Connection, keeper_model_id: int, photo_ids: Iterable[int],
                 scores: Iterable[float]) -> None:
    """In the caller's transaction."""
    conn.executemany(
        "INSERT INTO keeper_scores (photo_id, score, keeper_model_id) VALUES (?, ?, ?) ON CONFLICT(photo_id) "
        "DO UPDATE SET score = excluded.score, keeper_model_id = excluded.keeper_model_id",
        [(int(p), float(s), keeper_model_id) for p, s in zip(photo_ids, scores, strict=True)],
    )


def scores_for(conn: apsw.Connection, keeper_model_id: int, photo_ids: list[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for start in range(0, len(photo_ids), 500):
        ids = photo_ids[start:start + 500]
        out.update(conn.execute(
            f"SELECT photo_id, score FROM keeper_scores WHERE keeper_model_id = ? "
            f"AND photo_id IN ({', '.join('?' * len(ids))})",
            [keeper_model_id, *ids],
        ).fetchall())
    return out
