"""The photos whose files say what a question asks for (query/plan.py's Fact), and what the
archive's files name: cameras, lenses, formats, ratings, keywords, with counts.

Every value reaches SQL bound; only the fixed fragments below are written into it.
"""

from __future__ import annotations

from typing import Any

import apsw
import numpy as np

from flux_ask.daytimes import SUN_TIMES, clock_hours

RAW_FORMATS = ("DNG", "CR2", "CR3", "CRW", "NEF", "NRW", "ARW", "SRF", "SR2", "ORF", "RW2", "RAF", "PEF", "SRW",
               "3FR", "ERF", "KDC", "MRW", "X3F", "IIQ", "RWL", "MEF", "MOS")
PHONE_MAKERS = ("apple", "google", "samsung", "huawei", "xiaomi", "oneplus", "motorola", "nokia", "oppo", "vivo",
                "honor", "lg electronics", "htc")
DATED = "p.taken_at_source != 'file_mtime'"
HOUR = "CAST(substr(p.taken_at, 12, 2) AS INTEGER)"


def photos_with_facts(conn: apsw.Connection, facts) -> np.ndarray:
    """The ids of the photos every fact holds for, sorted."""
    clauses, params = [], []
    for fact in facts:
        clause, values = _clause(fact)
        clauses.append(f"({clause})")
        params += values
    sql = "SELECT p.id FROM photos p WHERE " + " AND ".join(clauses) + " ORDER BY p.id"
    return np.array([row[0] for row in conn.execute(sql, params)], dtype=np.int64)


def _every_word(column: str, value: str) -> tuple[str, list[Any]]:
    """Each word of `value` somewhere in `column` (an SQL expression of ours, never the user's)."""
    words = value.split()
    return " AND ".join([f"{column} LIKE ?"] * len(words)), [f"%{w}%" for w in words]


def _clause(fact) -> tuple[str, list[Any]]:
    name, op, value = fact.name, fact.op, fact.value
    if name == "either":
        parts = [_clause(part) for part in value]
        return " OR ".join(f"({clause})" for clause, _ in parts), [v for _, values in parts for v in values]
    if name == "not":  # a photo whose files do not say is not one that has it: kept
        parts = [_clause(part) for part in value]
        inner = " OR ".join(f"({clause})" for clause, _ in parts)
        return f"NOT COALESCE(({inner}), FALSE)", [v for _, values in parts for v in values]
    if name == "camera":
        if value == "phone":
            makers = ", ".join("?" * len(PHONE_MAKERS))
            return (f"lower(p.camera_make) IN ({makers}) OR p.camera_model LIKE '%iphone%' "
                    "OR p.camera_model LIKE '%pixel%'", list(PHONE_MAKERS))
        # every word somewhere in make and model: "canon r5" is the "Canon" "Canon EOS R5"
        return _every_word("replace(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, ''), '-', '')",
                           value.replace("-", ""))
    if name == "lens":  # every word somewhere in the name, "70.0-200.0 mm" as "70-200mm"
        return _every_word("replace(replace(coalesce(p.lens, ''), '.0', ''), ' mm', 'mm')", value)
    if name == "focal":
        if op == "is":
            return {"wide": "p.focal_35mm <= 28", "ultra wide": "p.focal_35mm <= 20",
                    "telephoto": "p.focal_35mm >= 70"}[value], []
        if op != "between":  # the length as marked on the lens, or its 35 mm equivalent
            return f"p.focal_mm {_op(op)} ? OR p.focal_35mm {_op(op)} ?", [value, value]
        low, high = value
        return "p.focal_mm BETWEEN ? AND ? OR p.focal_35mm BETWEEN ? AND ?", [low, high, low, high]
    if name in ("f_number", "iso", "exposure_s", "rating"):
        column = f"p.{name}"
        if name == "rating" and (op == "<=" and value <= 0 or op == "=" and value == 0):
            return "p.rating IS NULL OR p.rating = 0", []  # unrated
        if op == "between":
            return f"{column} BETWEEN ? AND ?", list(value)
        return f"{column} {_op(op)} ?", [value]
    if name == "flash":
        return "p.flash = ?", [int(value)]
    if name == "pick":
        return ("p.pick = 1", []) if value == 1 else ("p.pick = -1 OR p.rating = -1", [])
    if name == "color_label":
        return "p.color_label = ?", [value]
    if name == "keyword":
        return ("EXISTS (SELECT 1 FROM photo_keywords k WHERE k.photo_id = p.id AND (lower(k.keyword) = lower(?) "
                "OR k.keyword LIKE ? OR k.keyword LIKE ?))", [value, f"%/{value}", f"%/{value}/%"])
    if name == "title":
        return "p.title LIKE ?", [f"%{value}%"]
    if name == "format":
        if value == "raw":
            return f"p.format IN ({', '.join('?' * len(RAW_FORMATS))})", list(RAW_FORMATS)
        return "p.format = ?", [value]
    if name == "shape":
        return {"vertical": "p.height > p.width * 1.02", "horizontal": "p.width > p.height * 1.02",
                "square": "p.width BETWEEN p.height * 0.98 AND p.height * 1.02",
                "panorama": "p.width >= 2 * p.height OR p.height >= 2 * p.width"}[value], []
    if name == "located":
        return ("p.lat IS NOT NULL", []) if value else ("p.lat IS NULL", [])
    if name == "dated":
        return (DATED, []) if value else ("NOT " + DATED, [])
    if name == "daytime":
        return _daytime(value), []
    if name == "hour":  # by the clock of the photo's local time; "after 10pm" may run past midnight
        first, last = (int(v) for v in value)
        return (f"{DATED} AND {HOUR} BETWEEN ? AND ?" if first <= last else
                f"{DATED} AND ({HOUR} >= ? OR {HOUR} <= ?)"), [first, last]
    raise ValueError(f"no such fact: {name}")


def _op(op: str) -> str:
    return {"=": "=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}[op]


def _daytime(name: str) -> str:
    """By the sun where the photo has a position and a time, else by the clock (all numbers
    are the project's own, written in; nothing of the user's)."""
    clock = " OR ".join(f"{HOUR} BETWEEN {a} AND {b}" if a <= b else f"{HOUR} >= {a} OR {HOUR} <= {b}"
                        for a, b in clock_hours(name))
    if name not in SUN_TIMES:
        return f"{DATED} AND ({clock})"
    low, high, half, _ = SUN_TIMES[name]
    side = {"morning": " AND p.sun_azimuth < 0", "evening": " AND p.sun_azimuth >= 0", None: ""}[half]
    return (f"(p.sun_altitude IS NOT NULL AND p.sun_altitude BETWEEN {float(low)} AND {float(high)}{side}) "
            f"OR (p.sun_altitude IS NULL AND {DATED} AND ({clock}))")


# -- what the archive holds -----------------------------------------------------------

def camera_name(make: str | None, model: str | None) -> str:
    """ "Canon EOS 6D", not "Canon Canon EOS 6D"; "NIKON D750" from "NIKON CORPORATION" and "NIKON D750"."""
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(w for w in (make, model) if w) or "?"


def holdings(conn: apsw.Connection) -> tuple[list[str], list[str]]:
    """(cameras as "make model", lenses), the most used first."""
    cameras = [" ".join(w for w in (make, model) if w) for make, model, _ in conn.execute(
        "SELECT camera_make, camera_model, count(*) FROM photos WHERE camera_model IS NOT NULL "
        "GROUP BY 1, 2 ORDER BY 3 DESC")]
    lenses = [lens for lens, _ in conn.execute(
        "SELECT lens, count(*) FROM photos WHERE lens IS NOT NULL GROUP BY 1 ORDER BY 2 DESC")]
    return cameras, lenses


def fact_counts(conn: apsw.Connection) -> dict[str, list[dict[str, Any]]]:
    """What the archive's files say, with photo counts: what "with the Fuji" can match."""
    def rows(sql: str, *keys: str) -> list[dict[str, Any]]:
        return [dict(zip((*keys, "photos"), row, strict=True)) for row in conn.execute(sql)]

    return {
        "cameras": rows("SELECT camera_make, camera_model, count(*) FROM photos WHERE camera_model IS NOT NULL "
                        "OR camera_make IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC", "make", "model"),
        "lenses": rows("SELECT lens, count(*) FROM photos WHERE lens IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
                       "lens"),
        "formats": rows("SELECT format, count(*) FROM photos GROUP BY 1 ORDER BY 2 DESC", "format"),
        "ratings": rows("SELECT rating, count(*) FROM photos WHERE rating IS NOT NULL GROUP BY 1 ORDER BY 1 DESC",
                        "rating"),
        "picks": rows("SELECT CASE pick WHEN 1 THEN 'picked' ELSE 'rejected' END, count(*) FROM photos "
                      "WHERE pick IS NOT NULL GROUP BY 1 ORDER BY 1", "pick"),
        "labels": rows("SELECT color_label, count(*) FROM photos WHERE color_label IS NOT NULL GROUP BY 1 "
                       "ORDER BY 2 DESC", "label"),
        "keywords": rows("SELECT min(keyword), count(*) FROM photo_keywords GROUP BY lower(keyword) ORDER BY 2 DESC, 1 "
                         "LIMIT 200", "keyword"),
    }
