"""The configured archive, opened: its catalog, the place names it knows, how it stands.

Shared by the CLI and the chat, so both open, plan and report the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from flux_ask.config import Settings
from flux_ask.query.plan import QueryPlan


def open_existing(settings: Settings):
    """The catalog, migrated, or None when there is none yet."""
    if not settings.db_path.exists():
        return None
    return require_catalog(settings)


def require_catalog(settings: Settings):
    """The catalog, migrated; raises (saying how to make one) when there is none."""
    from flux_ask.db import connect
    from flux_ask.db.migrations import migrate

    conn = connect(settings.db_path, settings.vec_path, create=False)
    migrate(conn)
    return conn


def place_resolver(settings: Settings, conn=None):
    """places.toml, then the offline gazetteer, then (unless `geocoder = "off"`) Nominatim,
    whose answers are kept in the catalog when there is one."""
    from flux_ask.query.places import PlaceBook, chain, gazetteer

    resolvers = [PlaceBook.load(settings.places_path), gazetteer]
    if settings.geocoder != "off":
        from flux_ask.db.geocode_cache import cache_place, cached_place
        from flux_ask.query.geocode import OnlineGeocoder, misses_since

        lookup = store = None
        if conn is not None:
            lookup = lambda key: cached_place(conn, key, misses_since())  # noqa: E731
            store = lambda key, found: cache_place(conn, key, found)  # noqa: E731
        resolvers.append(OnlineGeocoder(settings.geocoder, lookup, store))
    return chain(*resolvers)


def plan_question(settings: Settings, conn, question: str, *, previous: QueryPlan | None = None,
                  limit: int | None = None, rank: str | None = None, places=None) -> QueryPlan:
    from flux_ask.query import plan

    query_plan = plan(question, now=date.today(), places=places or place_resolver(settings, conn),
                      previous=previous, hemisphere=settings.hemisphere, block_m=settings.block_m)
    if limit:
        query_plan = query_plan.with_limit(limit)
    if rank:
        query_plan = replace(query_plan, rank=rank)
    return query_plan


def similar_plan(target: str, limit: int) -> QueryPlan:
    """Photos like a catalogued photo (its id) or an image file (its path)."""
    if target.isdigit():
        similar_to, note = {"photo_id": int(target)}, f"similar to photo {target}"
    else:
        path = Path(target).expanduser().resolve()
        similar_to, note = {"file": str(path)}, f"similar to the file {path}"
    return QueryPlan(similar_to=similar_to, limit=limit, notes=(note,))


def status(settings: Settings, conn, *, errors: bool = False) -> dict[str, Any]:
    from flux_ask.db.files import error_files
    from flux_ask.db.status import catalog_counts

    report = catalog_counts(conn)
    report["keeper"] = keeper_status(conn)
    report["paths"] = {
        "home": str(settings.home), "db": str(settings.db_path),
        "vec": str(settings.vec_path), "thumbs": str(settings.thumbs_dir),
    }
    if errors:
        report["error_files"] = error_files(conn)
    return report


def status_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    """The status report as labelled lines, the way people read it."""
    model = s["model"]
    rows = [
        ("photos", f"{s['photos']:,} ({s['files']:,} files)"),
        ("embedded", f"{s['embedded']:,}" + (f" with {model['name']} ({model['pretrained']}, {model['dim']}-d)"
                                            if model else "")),
        ("missing", f"{s['missing_photos']:,} photos, {s['missing_files']:,} files"),
        ("dated by EXIF", f"{s['with_exif_date']:,}"),
        ("with location", f"{s['with_location']:,}"),
        ("errors", ", ".join(f"{r} {n}" for r, n in s["errors"].items()) or "none"),
    ]
    keeper = s["keeper"]
    if keeper["model"]:
        k, cv = keeper["model"], keeper["model"]["cross_validation"]
        rows.append(("keeper model", f"{k['kind']} trained {k['trained_at']} on {k['labels']:,} labels "
                     f"({k['positives']:,} kept), {k['scored']:,} photos scored"))
        rows.append(("keeper cv", f"ROC-AUC {cv['roc_auc']:.3f}, PR-AUC {cv['pr_auc']:.3f}, "
                     + ", ".join(f"precision@{n} {v:.2f}" for n, v in cv["precision_at"].items())))
    elif keeper["labels"]["kept"]:
        rows.append(("keeper model", "none yet: run `flux-ask keeper train`"))
    if keeper["labels"]["kept"] or keeper["labels"]["unknown"]:
        lab = keeper["labels"]
        rows.append(("keeper labels", f"{lab['kept']:,} kept, {lab['not_kept']:,} not, {lab['unknown']:,} unknown"))
    for m in s["models"]:
        if not m["active"]:
            rows.append(("other model", f"{m['name']} ({m['pretrained']}, {m['dim']}-d): {m['vectors']:,} vectors"))
    run = s["last_run"]
    if run:
        rate = f", {run['rate']:.1f} photos/s" if run["rate"] else ""
        rows.append(("last run", f"#{run['id']} {run['status']} {run['started_at']} "
                     f"({run['seconds'] or 0:.1f} s, {run['embedded']} embedded{rate})"))
    for key in ("db", "vec", "thumbs"):
        rows.append((key, s["paths"][key]))
    return rows


def keeper_status(conn) -> dict[str, Any]:
    from flux_ask.db import keeper as store

    out: dict[str, Any] = {"labels": store.label_counts(conn), "model": None}
    row = store.latest_keeper_model(conn)
    if row:
        m = row["metrics"]
        chosen = m["cross_validation"][m["chosen"]]
        out["model"] = {
            "id": row["id"], "kind": row["kind"], "trained_at": row["trained_at"], "labels": row["labels"],
            "positives": row["positives"], "path": row["path"],
            "embedding_model": f"{row['model_name']} ({row['model_pretrained']}, {row['model_dim']}-d)",
            "cross_validation": {k: chosen[k] for k in ("roc_auc", "pr_auc", "precision_at")},
            "time_split": m.get("time_split"), "scored": store.scored_count(conn, row["id"]),
        }
    return out
