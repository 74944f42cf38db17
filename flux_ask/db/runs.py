"""Ingest runs: when each started and ended, how, and what it counted."""

from __future__ import annotations

import apsw

from flux_ask.db.rows import ModelRow
from flux_ask.db.sql import now_iso, path_in, path_out

RUN_COUNTERS = ("files_seen", "unchanged", "new_photos", "new_files", "embedded", "missing", "errors",
                "lonely_sidecars")


def start_run(conn: apsw.Connection, root: str, model: ModelRow | None) -> int:
    with conn:
        (run_id,) = conn.execute(
            "INSERT INTO runs (root, model_id, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
            (path_in(root), model.id if model else None, now_iso()),
        ).fetchone()
    return run_id


def finish_run(
    conn: apsw.Connection, run_id: int, counts: dict[str, int], seconds: float, status: str = "done"
) -> None:
    embedded = counts.get("embedded", 0)
    with conn:
        conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, seconds = ?, rate = ?, "
            + ", ".join(f"{name} = ?" for name in RUN_COUNTERS)
            + " WHERE id = ?",
            (now_iso(), status, seconds, embedded / seconds if seconds > 0 else None,
             *(counts.get(name, 0) for name in RUN_COUNTERS), run_id),
        )


def set_run_model(conn: apsw.Connection, run_id: int, model: ModelRow) -> None:
    with conn:
        conn.execute("UPDATE runs SET model_id = ? WHERE id = ?", (model.id, run_id))


def indexed_roots(conn: apsw.Connection) -> list[str]:
    """Every folder or file an ingest run was given."""
    roots = set()
    for (joined,) in conn.execute("SELECT DISTINCT root FROM runs"):
        roots.update(r for r in (path_out(joined) or "").split(";") if r)
    return sorted(roots)
