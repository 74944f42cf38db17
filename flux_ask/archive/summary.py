"""How the archive stands, as the CLI's `status` and the chat's `/status` both show it."""

from __future__ import annotations

from typing import Any

import apsw

from flux_ask.archive.home import USEFUL_ROC_AUC, Archive
from flux_ask.db import keeper as keeper_store
from flux_ask.db.files import error_files, files_counted_under
from flux_ask.db.runs import indexed_roots
from flux_ask.db.facts import camera_name, fact_counts
from flux_ask.db.photos import places_visited
from flux_ask.db.status import catalog_counts
from flux_ask.errors import CatalogError
from flux_ask.words import counted


def status(archive: Archive, *, errors: bool = False) -> dict[str, Any]:
    damage = archive.damage()
    try:
        return _report(archive, errors) | {"damage": damage}
    except apsw.Error as exc:  # pages too broken to count: the damage, named, is the report
        if damage:
            raise CatalogError("; ".join(damage)) from exc
        raise


def _report(archive: Archive, errors: bool) -> dict[str, Any]:
    settings, conn = archive.settings, archive.conn
    report = catalog_counts(conn)
    report["keeper"] = keeper_status(conn)
    report["folders"] = [{"path": root, "files": n} for root in indexed_roots(conn)
                         if (n := files_counted_under(conn, root))]
    report["problems"] = archive.vector_problems()
    report["paths"] = {"home": str(settings.home), "thumbs": str(settings.thumbs_dir)} | (
        {"catalog": settings.catalog_name} if settings.catalog else
        {"db": str(settings.db_path), "vec": str(settings.vec_path)})
    if errors:
        report["error_files"] = error_files(conn)
    return report


def status_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    """The status report as labelled lines, the way people read it."""
    model = s["model"]
    rows = [
        ("photos", f"{s['photos']:,} ({counted(s['files'], 'file')})"),
        ("embedded", f"{s['embedded']:,}" + (f" with {model['name']} ({model['pretrained']}, {model['dim']}-d)"
                                            if model else "")),
        ("missing", f"{counted(s['missing_photos'], 'photo')}, {counted(s['missing_files'], 'file')}"),
        ("dated by metadata", f"{s['with_exif_date']:,}"),
        ("with location", f"{s['with_location']:,}"),
        ("errors", ", ".join(f"{r} {n}" for r, n in s["errors"].items()) or "none"),
    ]
    rows += [("problem", f"{p}: `flux-ask index FOLDER` embeds those photos again") for p in s.get("problems", ())]
    rows += [("damaged", line) for line in s.get("damage", ())]
    keeper = s["keeper"]
    if keeper["model"]:
        k, cv = keeper["model"], keeper["model"]["cross_validation"]
        rows.append(("keeper model", f"{k['kind']} trained {k['trained_at']} on {k['labels']:,} labels "
                     f"({k['positives']:,} kept), {k['scored']:,} photos scored"))
        rows.append(("keeper cv", f"ROC-AUC {cv['roc_auc']:.3f}, PR-AUC {cv['pr_auc']:.3f}, "
                     + ", ".join(f"precision@{n} {v:.2f}" for n, v in cv["precision_at"].items())
                     + ("" if cv["roc_auc"] >= USEFUL_ROC_AUC else
                        ": no better than chance, so 'best ...' ranks by similarity")))
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
        when = f"since {run['started_at']}" if run["status"] == "running" or not run["ended_at"] \
            else f"at {run['ended_at']}"
        rows.append(("last run", f"#{run['id']} {run['status']} {when} "
                     f"({run['seconds'] or 0:.1f} s, {run['embedded']} embedded{rate})"))
        if run.get("lonely_sidecars"):
            rows.append(("sidecars", f"{run['lonely_sidecars']:,} beside no photo in the last run "
                         "(`flux-ask index --json` lists them)"))
    rows += [("folder", f"{f['path']} ({counted(f['files'], 'file')})") for f in s.get("folders", ())]
    rows += [(key, s["paths"][key]) for key in ("catalog", "db", "vec", "thumbs") if key in s["paths"]]
    return rows


def keeper_status(conn) -> dict[str, Any]:
    out: dict[str, Any] = {"labels": keeper_store.label_counts(conn), "model": None}
    row = keeper_store.latest_keeper_model(conn)
    if row:
        m = row["metrics"]
        chosen = m["cross_validation"][m["chosen"]]
        out["model"] = {
            "id": row["id"], "kind": row["kind"], "trained_at": row["trained_at"], "labels": row["labels"],
            "positives": row["positives"], "path": row["path"],
            "embedding_model": f"{row['model_name']} ({row['model_pretrained']}, {row['model_dim']}-d)",
            "cross_validation": {k: chosen[k] for k in ("roc_auc", "pr_auc", "precision_at")},
            "time_split": m.get("time_split"), "scored": keeper_store.scored_count(conn, row["id"]),
        }
    return out


def places(archive: Archive) -> list[dict[str, Any]]:
    """Where the archive has been: each country with its photo count and first and last
    dates, its regions within it, and their localities, most photographed first."""
    countries: dict[str, dict[str, Any]] = {}
    for code, country, region, locality, photos, first, last in places_visited(archive.require().conn):
        c = countries.setdefault(code, {"country": country, "code": code, "photos": 0, "first": first,
                                        "last": last, "regions": {}})
        r = c["regions"].setdefault(region or "", {"region": region, "photos": 0, "first": first, "last": last,
                                                    "localities": []})
        for entry in (c, r):
            entry["photos"] += photos
            entry["first"], entry["last"] = _earliest(entry["first"], first), _latest(entry["last"], last)
        r["localities"].append({"locality": locality, "photos": photos, "first": first, "last": last})
    out = sorted(countries.values(), key=lambda c: (-c["photos"], c["country"]))
    for c in out:
        c["regions"] = sorted(c["regions"].values(), key=lambda r: (-r["photos"], r["region"] or ""))
        for r in c["regions"]:
            r["localities"].sort(key=lambda loc: (-loc["photos"], loc["locality"] or ""))
    return out


def facts(archive: Archive) -> dict[str, list[dict[str, Any]]]:
    """What the archive's files say, with photo counts: cameras, lenses, formats, ratings,
    picks, colour labels and keywords (what "with the Fuji" or "tagged family" can match)."""
    return fact_counts(archive.require().conn)


FACT_TITLES = {"cameras": "cameras", "lenses": "lenses", "formats": "formats", "ratings": "ratings",
               "picks": "picks and rejects", "labels": "colour labels", "keywords": "keywords"}


# (depth, name, photos, a note): the lines `places` and `facts` print, and the chat's /places and /facts
CountedRow = tuple[int, str, int, str]


def fact_rows(found: dict[str, list[dict[str, Any]]], most: int | None = None) -> list[CountedRow]:
    """The lines `facts` and `/facts` print: each kind, then its values (the `most` used of
    them, and a line for the rest)."""
    rows = []
    for kind, entries in found.items():
        if kind == "cameras":  # "Canon" and "CANON" beside the same "Canon EOS R5": one camera
            entries = _by_camera(entries)
        if entries:
            rows.append((0, FACT_TITLES[kind], sum(e["photos"] for e in entries), ""))
            rows += [(1, _fact_name(kind, e), e["photos"], "") for e in entries[:most]]
            if most is not None and len(entries) > most:
                rest = entries[most:]
                rows.append((1, f"… {len(rest)} more (`flux-ask facts` lists them)", sum(e["photos"] for e in rest),
                             ""))
    return rows


def _by_camera(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for e in entries:
        name = camera_name(e["make"], e["model"])
        merged.setdefault(name.casefold(), {"make": None, "model": name, "photos": 0})["photos"] += e["photos"]
    return sorted(merged.values(), key=lambda e: -e["photos"])


def _fact_name(kind: str, entry: dict[str, Any]) -> str:
    if kind == "cameras":
        return camera_name(entry["make"], entry["model"])
    if kind == "ratings":
        stars = entry["rating"]
        return "rejected" if stars == -1 else "no stars" if stars == 0 else f"{stars} star{'s' if stars > 1 else ''}"
    return str(next(v for k, v in entry.items() if k != "photos"))


def place_rows(countries: list[dict[str, Any]]) -> list[CountedRow]:
    """The lines `places` and `/places` print, each noting "first to last"."""
    rows = []
    for c in countries:
        rows.append((0, c["country"], c["photos"], _span(c)))
        for r in c["regions"]:
            if r["region"]:
                rows.append((1, r["region"], r["photos"], _span(r)))
            for loc in r["localities"]:
                if loc["locality"]:
                    rows.append((2, loc["locality"], loc["photos"], _span(loc)))
    return rows


def _span(entry: dict[str, Any]) -> str:
    first, last = (entry["first"] or "")[:10], (entry["last"] or "")[:10]
    return "undated" if not first else first if first == last else f"{first} to {last}"


def _earliest(a: str | None, b: str | None) -> str | None:
    return min(x for x in (a, b) if x) if a or b else None


def _latest(a: str | None, b: str | None) -> str | None:
    return max(x for x in (a, b) if x) if a or b else None
