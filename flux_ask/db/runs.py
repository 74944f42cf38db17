"""Ingest runs: when each started and ended, how, and what it counted."""

from __future__ import annotations

import apsw

from flux_ask.db.postgres import is_postgres
from flux_ask.db.rows import ModelRow
from flux_ask.db.sql import now_iso, path_in, path_out

RUN_LOCK = 1  # advisory locks (RUN_LOCK, run id): held by the session of each live run
RUN_COUNTERS = ("files_seen", "unchanged", "new_photos", "new_files", "embedded", "missing", "errors",
                "lonely_sidecars")


def start_run(conn: apsw.Connection, root: str, model: ModelRow | None) -> int:
    with conn:
        (run_id,) = conn.execute(
            "INSERT INTO runs (root, model_id, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
            (path_in(root), model.id if model else None, now_iso()),
        ).fetchone()
    if is_postgres(conn):  # other machines can tell this run alive until its connection ends
        conn.execute("SELECT pg_advisory_lock(CAST(? AS integer), CAST(? AS integer))", (RUN_LOCK, run_id))
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
        release_claims(conn, run_id)
    if is_postgres(conn):
        conn.execute("SELECT pg_advisory_unlock(CAST(? AS integer), CAST(? AS integer))", (RUN_LOCK, run_id))


def _alive(run_id_column: str) -> str:
    """SQL: the run is alive, its indexer's session holding its advisory lock (one parameter, RUN_LOCK)."""
    return ("EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = CAST(? AS oid) "
            f"AND l.objid = CAST({run_id_column} AS oid) AND l.objsubid = 2 AND l.granted)")


def close_dead_runs(conn) -> int:
    """On a shared PostgreSQL catalog: runs still 'running' whose indexer is gone (killed,
    its machine off) are marked interrupted, and their claims dropped; another machine's
    live run is left alone."""
    with conn:
        conn.execute(f"UPDATE runs SET status = 'interrupted', repaired_at = ? WHERE status = 'running' "
                     f"AND NOT {_alive('runs.id')}", (now_iso(), RUN_LOCK))
        closed = conn.changes()
        conn.execute("UPDATE runs SET repaired_at = ? WHERE repaired_at IS NULL AND status != 'running'",
                     (now_iso(),))
        conn.execute(f"DELETE FROM claims WHERE NOT {_alive('claims.run_id')}", (RUN_LOCK,))
    return closed


def claim(conn, sha256: str, run_id: int) -> bool:
    """Whether run `run_id` may decode and embed this content: no other live run has claimed
    it. On SQLite, always: it has one writer. A worker's read-only session writes its claims."""
    if not is_postgres(conn):
        return True
    with conn:
        conn.execute("SET TRANSACTION READ WRITE")
        return conn.execute(
            "INSERT INTO claims (sha256, run_id, claimed_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE "
            "SET run_id = excluded.run_id, claimed_at = excluded.claimed_at "
            f"WHERE claims.run_id = excluded.run_id OR NOT {_alive('claims.run_id')} RETURNING run_id",
            (sha256, run_id, now_iso(), RUN_LOCK)).fetchone() is not None


def claimed_elsewhere(conn, sha256s: list[str], run_id: int) -> set[str]:
    """Which of these contents another live run has claimed."""
    if not is_postgres(conn) or not sha256s:
        return set()
    return {sha for (sha,) in conn.execute(
        f"SELECT sha256 FROM claims WHERE sha256 = ANY(?) AND run_id != ? AND {_alive('claims.run_id')}",
        (list(sha256s), run_id, RUN_LOCK))}


def release_claims(conn, run_id: int, sha256s: list[str] | None = None) -> None:
    """The run's claims on these contents (all of them when None), in the caller's transaction:
    the batch that stored them, or the run's end."""
    if not is_postgres(conn):
        return
    if sha256s is None:
        conn.execute("DELETE FROM claims WHERE run_id = ?", (run_id,))
    elif sha256s:
        conn.execute("DELETE FROM claims WHERE run_id = ? AND sha256 = ANY(?)", (run_id, list(sha256s)))


def set_run_model(conn: apsw.Connection, run_id: int, model: ModelRow) -> None:
    with conn:
        conn.execute("UPDATE runs SET model_id = ? WHERE id = ?", (model.id, run_id))


def indexed_roots(conn: apsw.Connection) -> list[str]:
    """Every folder or file an ingest run was given."""
    roots = set()
    for (joined,) in conn.execute("SELECT DISTINCT root FROM runs"):
        roots.update(r for r in (path_out(joined) or "").split(";") if r)
    return sorted(roots)
