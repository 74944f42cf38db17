"""Recipes and the selection basket: reads and writes, every value bound."""

from __future__ import annotations

import json
from typing import Any

import apsw

from flux_ask.db.sql import now_iso


def save_recipe(conn: apsw.Connection, name: str, question: str, plan: dict[str, Any],
                params: dict[str, Any]) -> str | None:
    """Saved under `name`; the question a recipe of that name held before, if one did."""
    with conn:
        before = conn.execute("SELECT question FROM recipes WHERE name = ?", (name,)).fetchone()
        conn.execute(
            "INSERT INTO recipes (name, question, plan, params, saved_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET question = excluded.question, plan = excluded.plan, "
            "params = excluded.params, saved_at = excluded.saved_at",
            (name, question, json.dumps(plan), json.dumps(params), now_iso()),
        )
    return before[0] if before else None


RECIPE = "SELECT name, question, plan, params, saved_at FROM recipes"


def _recipe(row: tuple) -> dict[str, Any]:
    name, question, plan, params, saved_at = row
    return {"name": name, "question": question, "plan": json.loads(plan), "params": json.loads(params),
            "saved_at": saved_at}


def recipe(conn: apsw.Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(f"{RECIPE} WHERE name = ?", (name,)).fetchone()
    return _recipe(row) if row else None


def recipes(conn: apsw.Connection) -> list[dict[str, Any]]:
    return [_recipe(r) for r in conn.execute(f"{RECIPE} ORDER BY name")]


def delete_recipe(conn: apsw.Connection, name: str) -> bool:
    with conn:
        conn.execute("DELETE FROM recipes WHERE name = ?", (name,))
        return conn.changes() > 0


def missing_photos(conn: apsw.Connection, photo_ids: list[int]) -> list[int]:
    """Those of `photo_ids` that are no catalogued photo."""
    return [p for p in photo_ids if conn.execute("SELECT 1 FROM photos WHERE id = ?", (p,)).fetchone() is None]


def select(conn: apsw.Connection, photo_ids: list[int], question: str | None = None) -> int:
    """Add photos to the basket (at its end); returns how many were new."""
    added = 0
    with conn:
        (last,) = conn.execute("SELECT coalesce(max(position), 0) FROM selection").fetchone()
        for photo_id in photo_ids:
            if conn.execute("SELECT 1 FROM photos WHERE id = ?", (photo_id,)).fetchone() is None:
                continue
            conn.execute(
                "INSERT INTO selection (photo_id, position, question, added_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(photo_id) DO NOTHING", (photo_id, last + 1, question, now_iso()))
            if conn.changes():
                last, added = last + 1, added + 1
    return added


def unselect(conn: apsw.Connection, photo_ids: list[int] | None = None) -> int:
    """Take photos out of the basket (all of them when `photo_ids` is None)."""
    with conn:
        if photo_ids is None:
            conn.execute("DELETE FROM selection")
            return conn.changes()
        removed = 0
        for photo_id in photo_ids:
            conn.execute("DELETE FROM selection WHERE photo_id = ?", (photo_id,))
            removed += conn.changes()
        return removed


def selection(conn: apsw.Connection) -> list[tuple[int, str | None]]:
    """(photo_id, question) in the order they were selected."""
    return conn.execute("SELECT photo_id, question FROM selection ORDER BY position").fetchall()
