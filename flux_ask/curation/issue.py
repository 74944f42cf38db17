"""Drafting the next issue: FLUX_### (the number after the highest one there) as a
folder of links (or copies) to the originals, a manifest in JSON and CSV, and a
contact sheet.

The folder is built under a temporary name and renamed whole, so a draft is
either all there or not at all; every name written is checked to lie inside the
issues folder, and originals are only ever read.
"""

from __future__ import annotations

import csv
import errno
import importlib.util
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

from flux_ask.archive.home import Archive
from flux_ask.atomic import atomic_folder
from flux_ask.curation import CurationError, recipes
from flux_ask.db.curation import selection
from flux_ask.db.runs import indexed_roots
from flux_ask.picture.scan import CONTACT_SHEET
from flux_ask.query.plan import QueryPlan
from flux_ask.search.answer import Answer, Result, results_for, rounded
from flux_ask.search.engine import Searcher
from flux_ask.words import counted

ISSUE = re.compile(r"FLUX_(\d{3,})")
ORDERS = ("time", "score", "keeper", "hand")
ORDER_WORDS = {"time": "time taken", "score": "score", "keeper": "keeper score", "hand": "hand"}
SHEET_COLUMNS = 4
CELL_W, CELL_H = 300, 200  # a picture's room: 3:2, as most cameras frame, so a landscape fills it
MARGIN = 16
TITLE_SIZE, TEXT_SIZE = 22, 13
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
    file_time: str | None = None  # undated: the file's time, printed as such


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
    _clear_abandoned_drafts(issues_dir)
    number = number or next_number(issues_dir)
    name = f"FLUX_{number:03d}"
    final = issues_dir / name
    if final.exists():
        raise CurationError(f"{final} exists already: drafts never overwrite an issue")
    with atomic_folder(final) as work:
        rows = []
        for position, pick in enumerate(picks, start=1):
            target = _inside(work, safe_name(position, pick.path))
            if copy:  # reads the original, never writes it; the copy's mode is the umask's, its times the original's
                with open(pick.path, "rb") as original, open(target, "xb") as copied:
                    shutil.copyfileobj(original, copied)
                made = os.stat(pick.path)
                os.utime(target, ns=(made.st_atime_ns, made.st_mtime_ns))
            else:
                os.symlink(pick.path, target)
            rows.append({"position": position, "file": target.name, **asdict(pick)})
        manifest = {"issue": name, "number": number, "created_at": datetime.now(timezone.utc).isoformat(
            timespec="seconds"), "order": order, "source": source, "links": not copy,
            "photos": [{k: r[k] for k in MANIFEST_COLUMNS} for r in rows]}
        _inside(work, "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # a name that is not UTF-8 goes out byte for byte, as the file system has it
        with _inside(work, "manifest.csv").open("w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        contact_sheet(picks, f"{name} — {source_in_words(source)}",
                      f"{counted(len(picks), 'photo')}, by {ORDER_WORDS.get(order, order)}, drafted "
                      f"{datetime.now().strftime('%Y-%m-%d %H:%M')}").save(
            _inside(work, CONTACT_SHEET), "JPEG", quality=88)
    return {"issue": name, "folder": str(final), "photos": len(picks), "order": order, "links": not copy,
            "manifest": [str(final / "manifest.json"), str(final / "manifest.csv")],
            "contact_sheet": str(final / CONTACT_SHEET)}


ABANDONED_S = 600  # a draft's temporary folder untouched this long was left by a killed run


def _clear_abandoned_drafts(issues_dir: Path) -> None:
    """The hidden .tmp- folders of drafts a kill stopped (a draft at work adds a file every few
    seconds, which keeps its folder's time recent)."""
    now = time.time()
    for leftover in issues_dir.glob(".tmp-*"):
        try:
            if leftover.is_dir() and now - leftover.stat().st_mtime > ABANDONED_S:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise CurationError(f"refusing to write {name!r} outside {folder}")
    return target


def sheet_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans, which writes Skåne, Łódź and Αθήνα: the copy matplotlib ships (found, not
    imported). Pillow's own face (Latin letters only) where it is missing."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        face = Path(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf",
                    "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
        if face.is_file():
            return ImageFont.truetype(str(face), size)
    return ImageFont.load_default(size)


def contact_sheet(picks: list[Pick], title: str, subtitle: str = "") -> Image.Image:
    """The pictures in a grid, each fitted whole into its cell, and under each its number,
    file name, date and place, in a TrueType face that prints cleanly."""
    title_font, font = sheet_font(TITLE_SIZE, bold=True), sheet_font(TEXT_SIZE)
    line = TEXT_SIZE + 5
    header = MARGIN + TITLE_SIZE + 6 + (line if subtitle else 0) + MARGIN
    step_x, step_y = CELL_W + MARGIN, CELL_H + 6 + (1 + CAPTION_LINES) * line + MARGIN
    rows = -(-len(picks) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (MARGIN + SHEET_COLUMNS * step_x, header + rows * step_y), "white")
    draw = ImageDraw.Draw(sheet)
    width = sheet.width - 2 * MARGIN
    draw.text((MARGIN, MARGIN), fitted(title, title_font, width), font=title_font, fill="black")
    if subtitle:
        draw.text((MARGIN, MARGIN + TITLE_SIZE + 6), fitted(subtitle, font, width), font=font, fill="#555555")
    for i, pick in enumerate(picks):
        x, y = MARGIN + (i % SHEET_COLUMNS) * step_x, header + (i // SHEET_COLUMNS) * step_y
        try:
            with Image.open(pick.thumbnail or pick.path) as image:
                image.draft("RGB", (CELL_W, CELL_H))
                small = ImageOps.exif_transpose(image).convert("RGB")
                small.thumbnail((CELL_W, CELL_H))
            sheet.paste(small, (x + (CELL_W - small.width) // 2, y + (CELL_H - small.height) // 2))
        except OSError:
            draw.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), outline="#999999")
            draw.text((x + 8, y + 8), "no picture", font=font, fill="#999999")
        below = y + CELL_H + 6
        number = f"{i + 1:02d}  "
        draw.text((x, below), number, font=font, fill="black")
        indent = draw.textlength(number, font=font)
        draw.text((x + indent, below), fitted(os.path.basename(pick.path), font, CELL_W - indent), font=font,
                  fill="black")
        for k, said in enumerate(wrapped(when_and_where(pick), font, CELL_W, CAPTION_LINES), start=1):
            draw.text((x, below + k * line), said, font=font, fill="#555555")
    return sheet


CAPTION_LINES = 2  # a photo's date and place, wrapped at words over this many lines


def wrapped(text: str, font: ImageFont.FreeTypeFont, width: float, lines: int) -> list[str]:
    """The text in lines that fit, broken between words; what does not fit in `lines` ends the last."""
    out: list[str] = []
    words = text.split(" ")
    while words and len(out) < lines - 1:
        k = len(words)
        while k > 1 and font.getlength(" ".join(words[:k])) > width:
            k -= 1
        out.append(" ".join(words[:k]))
        words = words[k:]
    if words:
        out.append(fitted(" ".join(words), font, width))
    return [fitted(said, font, width) for said in out]


def when_and_where(pick: Pick) -> str:
    """ "2019-06-03 · Lund, Skåne, Sweden"; an undated photo's file date, said to be the file's."""
    when = pick.taken_at[:10] if pick.taken_at else (
        f"undated (file {pick.file_time[:10]})" if pick.file_time else "undated")
    return " · ".join(filter(None, (when, _named(pick.place))))


def fitted(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The text whole if it fits, else its start and end around an ellipsis (a file name's
    number and extension are at its ends)."""
    if font.getlength(text) <= width:
        return text
    keep = len(text)
    while keep > 2 and font.getlength(f"{text[:keep - keep // 2]}…{text[len(text) - keep // 2:]}") > width:
        keep -= 1
    return f"{text[:keep - keep // 2]}…{text[len(text) - keep // 2:]}"


def source_in_words(source: dict[str, Any]) -> str:
    """ "red squares from 2019"; "the recipe 'squares': red squares from 2019"; "the selection"."""
    if source.get("kind") == "recipe":
        return f"the recipe {source.get('recipe')!r}: {source.get('question')}"
    return source.get("question") or f"the {source.get('kind', 'selection')}"


def _named(place: str | None) -> str:
    """The place in words ("Lund, Skåne, Sweden"); nothing of bare coordinates."""
    try:
        float((place or "").split(",")[0])
    except ValueError:
        return place or ""
    return ""


def check_issues_dir(archive: Archive, issues_dir: Path) -> None:
    """A folder to write issues in, and not inside the archive: its links and contact sheet
    would be catalogued on the next index as photos of their own."""
    folder = issues_dir.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise CurationError(f"the issues folder {folder} is a file, not a folder: name another with --issues-dir "
                            "or `issues = ...` in config.toml")
    for root in indexed_roots(archive.conn):
        if Path(root).is_dir() and folder.is_relative_to(root):
            raise CurationError(f"the issues folder {folder} is inside the indexed folder {root}: its links would be "
                                "catalogued on the next index; name one outside it with --issues-dir or "
                                "`issues = ...` in config.toml")


def picks_of(results: list[Result], *, scores: list[float | None] | None = None,
             questions: list[str | None] | None = None) -> list[Pick]:
    """Picks for results, in their order; photos without a readable file are left out
    (their originals are gone)."""
    return [Pick(r.photo_id, r.path, r.sha256, r.taken_at, r.place, rounded(scores[i] if scores else None),
                 r.keeper_score, questions[i] if questions else None, r.thumbnail, r.file_time)
            for i, r in enumerate(results) if r.path]


def selection_picks(archive: Archive) -> list[Pick]:
    """The basket, in the order it was filled."""
    chosen = selection(archive.conn)
    return picks_of(results_for(archive, [p for p, _ in chosen]), questions=[q for _, q in chosen])


def answer_picks(answer: Answer, question: str, count: int) -> list[Pick]:
    """The top `count` results of an answer, scored by what ordered them."""
    results = answer.results[:count]
    ranked = [r.rank_score if r.rank_score is not None else r.score for r in results]
    return picks_of(list(results), scores=ranked, questions=[question] * len(results))


def default_order(source: str) -> str:
    """How a draft is ordered when nobody said, the same in the CLI and the chat: the basket as
    it was filled, the chat's answer on screen as it was shown, a question's or a recipe's
    photos in time order."""
    return {"selection": "hand", "answer": "score"}.get(source, "time")


def draft_issue(archive: Archive, source: str, *, count: int, order: str, issues_dir: Path, copy: bool = False,
                recipe: str | None = None, question: str | None = None, plan: QueryPlan | None = None) -> dict[str, Any]:
    """Write the next FLUX_### from the basket (`source` "selection"), a saved recipe
    ("recipe") or a question and its plan ("question"): the one way the CLI and the chat draft."""
    if count < 1:
        raise CurationError("an issue needs at least one photo")
    if order not in ORDERS:
        raise CurationError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    check_issues_dir(archive, issues_dir)
    if source == "selection":
        picks = selection_picks(archive)
        if not picks:
            raise CurationError("the basket is empty: mark photos with space first")
        where: dict[str, Any] = {"kind": "selection"}
    else:
        if source == "recipe":
            question, plan, _ = recipes.load(archive.conn, recipe or "")
            where = {"kind": "recipe", "recipe": recipe, "question": question}
        elif plan is not None and question is not None:
            where = {"kind": "question", "question": question}
        else:
            raise CurationError("ask a question first, or mark photos with space")
        answer = Searcher(archive).run(plan.with_limit(count), page_size=count)
        picks = answer_picks(answer, question, count)
    try:
        return write_draft(issues_dir, ordered(picks[:count], order), order=order, source=where, copy=copy)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # the disk's to say: one line at the edge
        raise CurationError(f"cannot write an issue in {issues_dir} ({exc.strerror}): name another folder with "
                            "--issues-dir or `issues = ...` in config.toml") from None
