"""Drafting the next issue: FLUX_### (the number after the highest one there) as a
folder of links (or copies) to the originals, a manifest in JSON and CSV, and a
contact sheet.

The folder is built under a temporary name and renamed whole, so a draft is
either all there or not at all; every name written is checked to lie inside the
issues folder, and originals are only ever read.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from flux_ask.curation import CurationError

ISSUE = re.compile(r"FLUX_(\d{3,})")
ORDERS = ("time", "score", "keeper", "hand")
SHEET_COLUMNS = 4
CELL = 256
CAPTION = 22
MANIFEST_COLUMNS = ("position", "photo_id", "file", "path", "sha256", "taken_at", "place", "score", "keeper_score",
                    "question")


@dataclass(frozen=True)
class Pick:
    photo_id: int
    path: str
    sha256: str
    taken_at: str | None
    place: str | None
    score: float | None  # the search's ranking score, when the pick came from a search
    keeper_score: float | None
    question: str | None
    thumbnail: str | None = None


def next_number(issues_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in issues_dir.iterdir() if (m := ISSUE.fullmatch(p.name))] \
        if issues_dir.is_dir() else []
    return max(numbers, default=0) + 1


def ordered(picks: list[Pick], how: str) -> list[Pick]:
    """By capture time (undated last), by score or keeper score (best first), or by hand
    (as given: the order of selecting, or of the answer)."""
    if how == "hand":
        return list(picks)
    if how == "time":
        return sorted(picks, key=lambda p: (p.taken_at is None, p.taken_at or ""))
    if how in ("score", "keeper"):
        key = "score" if how == "score" else "keeper_score"
        if all(getattr(p, key) is None for p in picks):
            raise CurationError(f"these photos have no {key.replace('_', ' ')}: "
                                + ("pick them from a question, or order by time, keeper or hand" if how == "score"
                                   else "run `flux-ask keeper train` first, or order by time, score or hand"))
        return sorted(picks, key=lambda p: -(getattr(p, key) if getattr(p, key) is not None else -1.0))
    raise CurationError(f"order must be one of {', '.join(ORDERS)}, not {how!r}")


def safe_name(position: int, path: str) -> str:
    """NN_name.ext with only letters, digits, '.', '-' and '_' (never a path, never hidden)."""
    stem, ext = os.path.splitext(os.path.basename(path))
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80] or "photo"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:8].lower()
    return f"{position:02d}_{stem}" + (f".{ext}" if ext else "")


def write_draft(issues_dir: Path, picks: list[Pick], *, order: str, source: dict[str, Any], copy: bool = False,
                number: int | None = None) -> dict[str, Any]:
    if not picks:
        raise CurationError("nothing to draft: the question found no photos, or the selection is empty")
    issues_dir = issues_dir.expanduser().resolve()
    issues_dir.mkdir(parents=True, exist_ok=True)
    number = number or next_number(issues_dir)
    name = f"FLUX_{number:03d}"
    final = issues_dir / name
    if final.exists():
        raise CurationError(f"{final} exists already: drafts never overwrite an issue")
    work = Path(tempfile.mkdtemp(dir=issues_dir, prefix=f".tmp-{name}-"))
    try:
        rows = []
        for position, pick in enumerate(picks, start=1):
            target = _inside(work, safe_name(position, pick.path))
            if copy:
                shutil.copy2(pick.path, target)  # reads the original; never writes it
            else:
                os.symlink(pick.path, target)
            rows.append({"position": position, "file": target.name, **asdict(pick)})
        manifest = {"issue": name, "number": number, "created_at": datetime.now(timezone.utc).isoformat(
            timespec="seconds"), "order": order, "source": source, "links": not copy,
            "photos": [{k: r[k] for k in MANIFEST_COLUMNS} for r in rows]}
        _inside(work, "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        with _inside(work, "manifest.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        contact_sheet(picks, f"{name} · {source.get('question') or source.get('kind')}").save(
            _inside(work, "contact_sheet.jpg"), "JPEG", quality=88)
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {"issue": name, "folder": str(final), "photos": len(picks), "order": order, "links": not copy,
            "manifest": [str(final / "manifest.json"), str(final / "manifest.csv")],
            "contact_sheet": str(final / "contact_sheet.jpg")}


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise CurationError(f"refusing to write {name!r} outside {folder}")
    return target


def contact_sheet(picks: list[Pick], title: str) -> Image.Image:
    """Thumbnails in a grid, numbered, with the date under each."""
    rows = -(-len(picks) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (SHEET_COLUMNS * CELL, CAPTION + rows * (CELL + CAPTION)), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((6, 4), title[:120], fill="black")
    for i, pick in enumerate(picks):
        x, y = (i % SHEET_COLUMNS) * CELL, CAPTION + (i // SHEET_COLUMNS) * (CELL + CAPTION)
        try:
            with Image.open(pick.thumbnail or pick.path) as image:
                image.draft("RGB", (CELL, CELL))
                small = image.convert("RGB")
                small.thumbnail((CELL - 8, CELL - 8))
            sheet.paste(small, (x + (CELL - small.width) // 2, y + (CELL - small.height) // 2))
        except OSError:
            draw.rectangle((x + 4, y + 4, x + CELL - 4, y + CELL - 4), outline="grey")
        draw.text((x + 6, y + CELL + 4), f"{i + 1:02d}  {(pick.taken_at or 'undated')[:10]}", fill="black")
    return sheet


def collect(conn, settings, photo_ids: list[int], *, scores: list[float | None] | None = None,
            questions: list[str | None] | None = None) -> list[Pick]:
    """Picks for catalogued photos, in the given order, with their keeper scores; photos
    without a readable file are left out (their originals are gone)."""
    from flux_ask.db import keeper as keeper_store
    from flux_ask.db.models import active_model
    from flux_ask.db.photos import photo_details
    from flux_ask.picture.thumbs import thumb_path

    details = photo_details(conn, photo_ids)
    model = active_model(conn)
    keeper_row = keeper_store.keeper_model_for(conn, model.id) if model else None
    keeper = keeper_store.scores_for(conn, keeper_row["id"], photo_ids) if keeper_row else {}
    out = []
    for i, photo_id in enumerate(photo_ids):
        d = details.get(photo_id)
        if not d or not d["path"]:
            continue
        dated = d["taken_at_source"] != "file_mtime"
        out.append(Pick(photo_id, d["path"], d["sha256"], d["taken_at"] if dated else None,
                        None if d["lat"] is None else f"{d['lat']:.5f}, {d['lon']:.5f}",
                        _rounded(scores[i] if scores else None), _rounded(keeper.get(photo_id)),
                        questions[i] if questions else None,
                        str(thumb_path(settings.thumbs_dir, d["sha256"], settings.thumb_size))))
    return out


def selection_picks(conn, settings) -> list[Pick]:
    """The basket, in the order it was filled."""
    from flux_ask.db import curation

    chosen = curation.selection(conn)
    return collect(conn, settings, [p for p, _ in chosen], questions=[q for _, q in chosen])


def answer_picks(conn, settings, answer, question: str, count: int) -> list[Pick]:
    """The top `count` results of an answer, scored by what ordered them."""
    results = answer.results[:count]
    ranked = [r.rank_score if r.rank_score is not None else r.score for r in results]
    return collect(conn, settings, [r.photo_id for r in results], scores=ranked, questions=[question] * len(results))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
