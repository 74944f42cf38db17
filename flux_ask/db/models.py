"""The CLIP models the catalog holds vectors of, each with its own vec0 table, and the active one."""

from __future__ import annotations

import json

import apsw

from flux_ask.db.postgres import one_writer_at_a_time
from flux_ask.db.rows import ModelRow
from flux_ask.db.sql import now_iso
from flux_ask.db.vectors import create_vec_table
from flux_ask.errors import ModelMismatch


def find_model(conn: apsw.Connection, name: str, pretrained: str) -> ModelRow | None:
    row = conn.execute(
        "SELECT id, name, pretrained, dim, vec_table FROM models WHERE name = ? AND pretrained = ?",
        (name, pretrained),
    ).fetchone()
    return ModelRow(*row) if row else None


def register_model(conn: apsw.Connection, name: str, pretrained: str, dim: int) -> ModelRow:
    """The model's row and its own vector table, created on first use (by one indexer
    when several start at once on a shared catalog)."""
    with conn:
        one_writer_at_a_time(conn)
        model = find_model(conn, name, pretrained)
        if model is None:
            (model_id,) = conn.execute(
                "INSERT INTO models (name, pretrained, dim, vec_table, created_at) "
                "VALUES (?, ?, ?, '', ?) RETURNING id",
                (name, pretrained, dim, now_iso()),
            ).fetchone()
            table = f"vec_m{int(model_id)}"
            conn.execute("UPDATE models SET vec_table = ? WHERE id = ?", (table, model_id))
            model = ModelRow(model_id, name, pretrained, dim, table)
        elif model.dim != dim:
            raise ModelMismatch(
                f"{name} ({pretrained}) was recorded with {model.dim}-d vectors but now gives {dim}-d"
            )
        create_vec_table(conn, model)
    return model


def asked_model(conn: apsw.Connection) -> dict | None:
    """The model the first index asked for ({"name", "pretrained", "weights"}), kept from its
    start: a run stopped before its first vector still continues with it."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'asked_model'").fetchone()
    return json.loads(row[0]) if row else None


def ask_model(conn: apsw.Connection, asked: dict) -> None:
    with conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('asked_model', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (json.dumps(asked),))


def active_model(conn: apsw.Connection) -> ModelRow | None:
    row = conn.execute(
        "SELECT m.id, m.name, m.pretrained, m.dim, m.vec_table FROM settings s "
        "JOIN models m ON m.id = CAST(s.value AS INTEGER) WHERE s.key = 'active_model_id'"
    ).fetchone()
    return ModelRow(*row) if row else None


def activate_model(conn: apsw.Connection, model: ModelRow) -> None:
    """Point every photo at its embedding under `model` (NULL where it has none yet).
    Switching back and forth re-embeds nothing and deletes nothing."""
    current = active_model(conn)
    if current is not None and current.id == model.id:
        return
    with conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('active_model_id', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(model.id),),
        )
        conn.execute(
            "UPDATE photos SET (embedding_id, embedded_at) = "
            "(SELECT e.id, e.embedded_at FROM embeddings e WHERE e.photo_id = photos.id AND e.model_id = ?)",
            (model.id,),
        )
