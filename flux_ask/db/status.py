"""The catalog as a whole: its counts, its version, its integrity."""

from __future__ import annotations

from typing import Any

import apsw

from flux_ask.db.models import active_model
from flux_ask.db.postgres import is_postgres
from flux_ask.db.runs import RUN_COUNTERS


def catalog_counts(conn: apsw.Connection) -> dict[str, Any]:
    one = lambda sql, *args: conn.execute(sql, args).fetchone()[0]  # noqa: E731
    model = active_model(conn)
    report: dict[str, Any] = {
        "photos": one("SELECT count(*) FROM photos"),
        "embedded": one("SELECT count(*) FROM photos WHERE embedding_id IS NOT NULL"),
        "missing_photos": one(
            "SELECT count(*) FROM photos p WHERE NOT EXISTS "
            "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"
        ),
        "files": one("SELECT count(*) FROM files WHERE state = 'ok'"),
        "missing_files": one("SELECT count(*) FROM files WHERE state = 'missing'"),
        "with_location": one("SELECT count(*) FROM photos WHERE lat IS NOT NULL"),
        "with_exif_date": one("SELECT count(*) FROM photos WHERE taken_at_source != 'file_mtime'"),
        "errors": dict(
            conn.execute(
                "SELECT error_reason, count(*) FROM files WHERE state = 'error' "
                "GROUP BY error_reason ORDER BY count(*) DESC, error_reason"
            ).fetchall()
        ),
        "model": None,
        "models": [],
        "last_run": None,
    }
    if model:
        report["model"] = {"name": model.name, "pretrained": model.pretrained, "dim": model.dim}
    for m_id, name, pretrained, dim, count in conn.execute(
        "SELECT m.id, m.name, m.pretrained, m.dim, count(e.id) FROM models m "
        "LEFT JOIN embeddings e ON e.model_id = m.id GROUP BY m.id ORDER BY m.id"
    ):
        report["models"].append(
            {"name": name, "pretrained": pretrained, "dim": dim, "vectors": count,
             "active": bool(model and model.id == m_id)}
        )
    run = conn.execute(
        "SELECT id, root, started_at, ended_at, status, seconds, rate, "
        + ", ".join(RUN_COUNTERS)
        + " FROM runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if run:
        keys = ("id", "root", "started_at", "ended_at", "status", "seconds", "rate", *RUN_COUNTERS)
        report["last_run"] = dict(zip(keys, run))
    return report


def damage(conn: apsw.Connection) -> dict[str, str]:
    """The first problem of each database file whose pages do not hold together, by schema
    ("main": the catalog, "vec": its vectors). SQLite's quick_check reads every page, about
    0.25 s for 400 MB; a server checks its own pages."""
    if is_postgres(conn):
        return {}
    found = {}
    for schema in ("main", "vec"):
        try:
            first = conn.execute(f"PRAGMA {schema}.quick_check(1)").fetchone()[0]
        except apsw.Error as exc:  # a header or a root page too broken to walk
            first = str(exc)
        if first != "ok":
            found[schema] = first
    return found


def integrity_ok(conn: apsw.Connection) -> bool:
    if is_postgres(conn):  # a query that runs is what we can see
        return conn.execute("SELECT count(*) FROM photos").fetchone() is not None
    return all(
        conn.execute(f"PRAGMA {schema}.integrity_check").fetchone()[0] == "ok" for schema in ("main", "vec")
    )


def catalog_version(conn: apsw.Connection) -> tuple[str, int]:
    """(the catalog's uuid, a counter that moves whenever a photo, a file or an
    embedding changes: triggers count them)."""
    return conn.execute("SELECT uuid, version FROM catalog_version WHERE id = 1").fetchone()
