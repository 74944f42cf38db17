"""Recipes, the selection basket and issue drafts, through the library and the CLI."""

import csv
import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from flux_ask.archive.home import Archive
from flux_ask.config import load_settings
from flux_ask.curation import CurationError, recipes
from flux_ask.curation.issue import (
    CAPTION_LINES,
    CELL_H,
    CELL_W,
    MARGIN,
    SHEET_COLUMNS,
    TEXT_SIZE,
    Pick,
    contact_sheet,
    fitted,
    next_number,
    sheet_font,
    when_and_where,
    wrapped,
    ordered,
    picks_of,
    safe_name,
    write_draft,
)
from flux_ask.db import curation
from flux_ask.ingest.pipeline import Indexer
from flux_ask.query import QueryPlan
from flux_ask.search.answer import results_for
from tests.conftest import subprocess_env
from tests.photos import exif_for, write_photo


@pytest.fixture(scope="module")
def archive(tmp_path_factory, tiny, catalog_backend):
    root = tmp_path_factory.mktemp("archive")
    for i in range(10):
        write_photo(root / f"{2018 + i % 3}" / f"p {i:02d}.jpg", seed=40 + i,
                    exif=exif_for(taken=f"{2018 + i % 3}:0{1 + i % 9}:1{i} 10:00:00"))
    settings = load_settings(tmp_path_factory.mktemp("home"), model="tiny-test")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([root])
    return settings, root


def test_recipes_keep_the_question_and_its_plan(archive):
    settings, _ = archive
    conn = Archive(settings, create=True).conn
    plan = QueryPlan(text="red squares", date_ranges=(("2019-01-01", "2019-12-31"),), limit=5, rank="keeper")
    recipes.save(conn, "reds of 2019", "red squares from 2019", plan, {"limit": 5})
    question, again, params = recipes.load(conn, "reds of 2019")
    assert question == "red squares from 2019" and again == plan and params == {"limit": 5}
    said = recipes.save(conn, "reds of 2019", "red squares", QueryPlan(text="red squares"), {})
    assert said == "replaced the recipe 'reds of 2019': red squares (it was: red squares from 2019)"
    assert [r["question"] for r in curation.recipes(conn)] == ["red squares"]
    for bad in ("", "../etc", ".hidden", "a/b", "x" * 65, "drop;table"):
        with pytest.raises(CurationError, match="cannot name a recipe"):
            recipes.save(conn, bad, "q", plan, {})
    with pytest.raises(CurationError, match="no recipe named 'nope'"):
        recipes.load(conn, "nope")
    assert curation.delete_recipe(conn, "reds of 2019") and not curation.recipes(conn)


def test_the_basket_keeps_its_order_and_outlives_the_connection(archive):
    settings, _ = archive
    conn = Archive(settings, create=True).conn
    curation.unselect(conn)
    assert curation.select(conn, [5, 2, 9, 2, 9999], question="q") == 3  # a repeat and an unknown photo: no
    conn.close()
    conn = Archive(settings, create=True).conn
    assert [p for p, _ in curation.selection(conn)] == [5, 2, 9]
    assert curation.unselect(conn, [2]) == 1 and [p for p, _ in curation.selection(conn)] == [5, 9]
    curation.unselect(conn)


def picks(n, *, dated=True):
    return [Pick(i, f"/x/p{i}.jpg", f"{i:064x}", f"2020-01-{10 - i:02d}T10:00:00" if dated else None, None,
                 score=i / 10, keeper_score=(n - i) / n, question="q") for i in range(n)]


def test_orders():
    p = picks(5)
    assert [x.photo_id for x in ordered(p, "time")] == [4, 3, 2, 1, 0]
    assert [x.photo_id for x in ordered(p, "score")] == [4, 3, 2, 1, 0]
    assert [x.photo_id for x in ordered(p, "keeper")] == [0, 1, 2, 3, 4]
    assert [x.photo_id for x in ordered(p, "hand")] == [0, 1, 2, 3, 4]
    unscored = [Pick(1, "/a.jpg", "0" * 64, None, None, None, None, None)]
    with pytest.raises(CurationError, match="no keeper score"):
        ordered(unscored, "keeper")


def test_names_are_sanitised():
    assert safe_name(3, "/a/b/My Photo (1).JPG") == "03_My_Photo_1.jpg"
    assert safe_name(1, "/a/..hidden") == "01_hidden"
    assert safe_name(12, "/a/../../etc/passwd") == "12_passwd"
    assert "/" not in safe_name(1, "/x/\u00e9t\u00e9/\u00e9l\u00e8ve.jpeg")


def test_a_draft_is_numbered_after_the_highest_issue_and_holds_everything(archive, tmp_path):
    settings, root = archive
    issues = tmp_path / "issues"
    (issues / "FLUX_007").mkdir(parents=True)
    (issues / "FLUX_041").mkdir()
    (issues / "FLUX_notes").mkdir()
    assert next_number(issues) == 42
    chosen = picks_of(results_for(Archive(settings), [3, 1, 2]), scores=[0.3, 0.1, 0.2], questions=["red"] * 3)
    originals = {p.path: os.stat(p.path).st_mtime_ns for p in chosen}
    report = write_draft(issues, ordered(chosen, "time"), order="time", source={"kind": "question", "question": "red"})
    folder = issues / "FLUX_042"
    assert report["issue"] == "FLUX_042" and folder.is_dir()
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(["contact_sheet.jpg", "manifest.csv", "manifest.json"]
                           + [f for f in files if f[:2].isdigit()]) and len(files) == 6
    linked = [folder / f for f in files if f[:2].isdigit()]
    assert all(p.is_symlink() and os.readlink(p) in originals for p in linked)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [p["taken_at"] for p in manifest["photos"]] == sorted(p["taken_at"] for p in manifest["photos"])
    assert {"photo_id", "path", "sha256", "taken_at", "place", "question"} <= set(manifest["photos"][0])
    rows = list(csv.DictReader((folder / "manifest.csv").open()))
    assert [int(r["photo_id"]) for r in rows] == [p["photo_id"] for p in manifest["photos"]]
    with Image.open(folder / "contact_sheet.jpg") as sheet:
        assert sheet.width == MARGIN + SHEET_COLUMNS * (CELL_W + MARGIN) and sheet.height > CELL_H
    assert {p: os.stat(p).st_mtime_ns for p in originals} == originals  # originals untouched
    assert not [p for p in issues.iterdir() if p.name.startswith(".tmp")]
    copied = write_draft(issues, chosen, order="hand", source={"kind": "selection"}, copy=True)
    assert copied["issue"] == "FLUX_043"
    assert not any(p.is_symlink() for p in (issues / "FLUX_043").iterdir())
    with pytest.raises(CurationError, match="nothing to draft"):
        write_draft(issues, [], order="time", source={"kind": "selection"})


def test_a_draft_is_readable_by_the_users_group_as_the_umask_allows(archive, tmp_path):
    settings, _ = archive
    chosen = picks_of(results_for(Archive(settings), [1, 2]))
    before = os.umask(0o002)
    try:
        report = write_draft(tmp_path / "issues", chosen, order="hand", source={"kind": "selection"}, copy=True)
    finally:
        os.umask(before)
    folder = Path(report["folder"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o775
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir() if not p.name[:2].isdigit()} == {0o664}


def test_the_contact_sheet_says_what_each_picture_is_in_a_real_font(tmp_path):
    """Numbered captions with file name, date and place under pictures fitted whole: a
    panorama is letterboxed, not cropped, and the text is TrueType, not a bitmap face."""
    wide, tall = tmp_path / "aurora_panorama.jpg", tmp_path / "portrait.jpg"
    Image.new("RGB", (900, 300), (200, 30, 30)).save(wide)
    Image.new("RGB", (300, 450), (30, 30, 200)).save(tall)
    picks = [Pick(1, str(wide), "a" * 64, "2019-06-03T10:00:00", "Lund, Skåne, Sweden", None, None, None),
             Pick(2, str(tall), "b" * 64, None, None, None, None, None)]
    sheet = contact_sheet(picks, "FLUX_007 — red squares", "2 photos, by hand")
    line = TEXT_SIZE + 5
    top = sheet.height - (CELL_H + 6 + (1 + CAPTION_LINES) * line + MARGIN)  # the one row's cells
    cell = sheet.crop((MARGIN, top, MARGIN + CELL_W, top + CELL_H))
    assert all(cell.getpixel((x, CELL_H // 2))[0] > 150 for x in range(2, CELL_W - 2))  # the panorama's width whole
    assert min(cell.getpixel((CELL_W // 2, 5))) > 240  # white above it: letterboxed
    assert sheet_font(TEXT_SIZE).getname()[0] == "DejaVu Sans"  # a TrueType face that has å and —
    from fontTools.ttLib import TTFont

    letters = TTFont(sheet_font(TEXT_SIZE).path).getBestCmap()
    assert all(ord(c) in letters for c in "åøÅŁłΑθ—·…")  # Skåne, Łódź, Αθήνα, the header's dash
    caption = sheet.crop((MARGIN, top + CELL_H + 6, MARGIN + CELL_W, top + CELL_H + 6 + 2 * line)).convert("L")
    assert caption.getextrema()[0] < 100  # words under the picture
    assert when_and_where(picks[0]) == "2019-06-03 · Lund, Skåne, Sweden"
    assert when_and_where(replace(picks[1], file_time="2018-02-01T09:00:00")) == "undated (file 2018-02-01)"
    assert fitted("IMG_20190603_aurora_over_the_fjord_panorama_stitched_final.jpg", ImageFont.load_default(13),
                  150).endswith("final.jpg")
    font = sheet_font(TEXT_SIZE)
    place = "2019-06-03 · Sankt Gallenkirch, Vorarlberg, Austria"  # wrapped between words, not cut in the middle
    said = wrapped(place, font, CELL_W, CAPTION_LINES)
    assert len(said) == 2 and " ".join(said) == place and all(font.getlength(s) <= CELL_W for s in said)


def test_the_cli_saves_runs_and_drafts(archive, tmp_path):
    settings, _ = archive

    def flux(*args):
        out = subprocess.run([sys.executable, "-m", "flux_ask", *args], capture_output=True, text=True,
                             env=subprocess_env(settings.home), timeout=300)
        return out.returncode, out.stdout, out.stderr

    code, out, err = flux("recipe", "save", "squares", "red squares from 2019", "--limit", "3")
    assert code == 0, err
    assert "taken" in out
    code, out, _ = flux("recipe", "list", "--json")
    assert [r["name"] for r in json.loads(out)] == ["squares"]
    code, out, _ = flux("recipe", "run", "squares", "--json")
    answer = json.loads(out)
    assert len(answer["results"]) == 3 and all(r["taken_at"].startswith("2019") for r in answer["results"])
    issues = tmp_path / "issues"
    code, out, err = flux("issue", "draft", "--from-recipe", "squares", "--count", "2", "--issues-dir", str(issues),
                          "--order", "score", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["issue"] == "FLUX_001" and report["photos"] == 2
    manifest = json.loads((issues / "FLUX_001" / "manifest.json").read_text())
    assert manifest["source"] == {"kind": "recipe", "recipe": "squares", "question": "red squares from 2019"}
    assert [p["question"] for p in manifest["photos"]] == ["red squares from 2019"] * 2
    flux("select", "clear")
    code, out, _ = flux("select", "add", "4", "2", "7")
    assert code == 0 and "the basket holds 3" in out
    code, out, err = flux("issue", "draft", "--from-selection", "--order", "hand", "--issues-dir", str(issues))
    assert code == 0, err
    assert "FLUX_002" in out
    manifest = json.loads((issues / "FLUX_002" / "manifest.json").read_text())
    assert [p["photo_id"] for p in manifest["photos"]] == [4, 2, 7]
    code, _, err = flux("issue", "draft", "--from-selection", "--order", "keeper", "--issues-dir", str(issues))
    assert code == 1 and "keeper train" in err
    code, _, err = flux("recipe", "run", "nope")
    assert code == 1 and "no recipe named 'nope'" in err


def test_a_copied_draft_keeps_the_umask_names_any_bytes_and_clears_what_kills_left(tmp_path):
    import os
    import time

    old = os.umask(0o077)
    try:
        odd = os.fsdecode(b"caf\xe9.jpg")  # a Latin-1 name: no UTF-8
        source = tmp_path / "photos"
        source.mkdir()
        Image.new("RGB", (60, 40), (10, 200, 10)).save(source / odd, "JPEG")
        os.chmod(source / odd, 0o644)
        issues = tmp_path / "issues"
        issues.mkdir()
        left = issues / ".tmp-abandoned"
        left.mkdir()
        (left / "01_x.jpg").write_bytes(b"half")
        os.utime(left, (time.time() - 3600, time.time() - 3600))  # a killed draft's, an hour ago
        pick = Pick(1, str(source / odd), "c" * 64, "2020-01-01T10:00:00", None, None, None, None)
        report = write_draft(issues, [pick], order="hand", source={"kind": "selection"}, copy=True)
        folder = Path(report["folder"])
        copied = next(p for p in folder.iterdir() if p.name.startswith("01_"))
        assert oct(copied.stat().st_mode & 0o777) == "0o600"  # the umask's mode, not the original's 644
        assert copied.stat().st_mtime_ns == (source / odd).stat().st_mtime_ns
        assert os.fsencode(str(source / odd)) in (folder / "manifest.csv").read_bytes()  # the name byte for byte
        assert not left.exists()
    finally:
        os.umask(old)
