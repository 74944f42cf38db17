"""A newcomer's first hour, replayed: the program's own help and version, then the
questions a new user types in the CLI and follow-ups in the chat's conversation, on a real
catalog made by the real ingest. Nothing said may mislead: counts count what they say,
"all" never answers 0 where the best few exist, advice works when typed, and a follow-up
refines whatever its wording."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flux_ask.archive.home import Archive
from flux_ask.chat.conversation import Conversation
from flux_ask.query.plan import DEFAULT_LIMIT
from tests.conftest import dead_url, subprocess_env


def flux(home, *args):
    return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=subprocess_env(home),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def chat(chat_settings, tiny):
    conversation = Conversation(Archive(chat_settings, encoder=tiny))
    yield conversation
    conversation.close()


def ask(chat, question):
    turn = chat.ask(question)
    chat.accept(turn)
    return turn


def test_the_programs_own_help_and_version(tmp_path):
    helped = flux(tmp_path / "h", "--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage: flux-ask [-h] [--version] COMMAND")
    assert "ask " in helped.stdout and "index " in helped.stdout
    version = flux(tmp_path / "h", "--version")
    assert version.returncode == 0 and version.stdout.startswith("flux-ask ")


def test_counts_that_count_what_they_say(chat_settings):
    home = chat_settings.home
    few = flux(home, "ask", "umbrellas in fog", "--limit", "3")
    assert "the best 3 of 20 photos searched, page 1 of 7" in few.stdout and "20 matches" not in few.stdout
    assert few.stdout.rstrip().endswith("· more: --page 2")
    past = flux(home, "ask", "umbrellas in fog", "--limit", "3", "--page", "9")
    assert "page 9 is past the end: the answer has 7 pages" in past.stdout and "more broadly" not in past.stdout
    empty = flux(home, "ask", "")
    assert empty.returncode != 0 and "an empty question" in empty.stderr and not empty.stdout
    zero = flux(home, "ask", "top 0 dogs")
    assert zero.returncode != 0 and "a count of 0" in zero.stderr
    nonsense = flux(home, "ask", "zxqv blorf")
    assert "no word of 'zxqv blorf' is one the dictionaries know" in nonsense.stdout


def test_all_is_never_fewer_than_the_best_few_and_strong_is_asked_for(chat_settings):
    home = chat_settings.home
    for question in ("show all umbrellas in fog", "find all umbrellas in fog", "everything with umbrellas in fog"):
        answer = json.loads(flux(home, "ask", question, "--json").stdout)
        assert answer["plan"]["mode"] == "all" and len(answer["results"]) >= DEFAULT_LIMIT, question
        assert answer["strong"] == sum(r["score"] >= answer["threshold"] for r in answer["results"])
    said = flux(home, "ask", "show all umbrellas in fog").stdout
    assert "strong match" in said and "0 matches" not in said
    strong = json.loads(flux(home, "ask", "every strong match of umbrellas in fog", "--json").stdout)
    assert strong["plan"]["mode"] == "strong" and len(strong["results"]) == strong["strong"]
    if not strong["results"]:  # the advice it gives works when typed
        advice = flux(home, "ask", "every strong match of umbrellas in fog").stdout
        assert "ask again without 'strong'" in advice
    rome = json.loads(flux(home, "ask", "show me everything from my trip to Rome in 2019", "--json").stdout)
    assert rome["results"], rome["plan"]["notes"]  # photos from Rome in 2019 exist: never 0


def test_follow_ups_refine_whatever_their_wording(chat):
    ask(chat, "umbrellas in fog")
    for follow_up in ("only the ones from Rome", "only the ones in Rome", "just the Rome ones", "those from Rome",
                      "narrow it to Rome", "same but in Rome"):
        turn = chat.ask(follow_up)
        assert turn.plan.text == "umbrellas in fog" and turn.plan.near.label.startswith("Rome"), follow_up
        assert turn.chips[0].kind == "refines", follow_up
    added = chat.ask("just those in black and white")
    assert added.plan.text.startswith("umbrellas in fog, ") and "black and white" in added.plan.text
    assert added.chips[0].kind == "refines"
    swapped = chat.ask("what about dogs")
    assert swapped.plan.text == "dogs" and swapped.chips[0].kind == "refines"
    good = chat.ask("only the good ones")
    assert good.plan.text == "umbrellas in fog" and good.plan.rank == "keeper"
    fresh = chat.ask("now show me cats")
    assert fresh.plan.text == "cats" and fresh.chips[0].kind == "fresh"  # a new question says so


def test_a_count_after_every_match_asks_for_the_best_few(chat):
    every = ask(chat, "show all umbrellas in fog")
    assert every.plan.mode == "all"
    best = ask(chat, "the top 5 instead")
    assert best.plan.mode == "top_k" and best.plan.count == 5 and len(best.answer.results) == 5
    assert best.plan.text == "umbrellas in fog" and best.plan.rank == "similarity"


def test_an_unknown_place_says_what_it_may_have_meant_and_where_places_go(chat_settings):
    home = chat_settings.home
    config = home / "config.toml"
    config.write_text(f'geocoder = "{dead_url()}"\n')  # the online map, unreachable: as offline
    try:
        typo = flux(home, "ask", "dogs in Berln")
        assert typo.returncode == 1 and "did you mean 'Berlin'" in typo.stderr
        assert str(home / "places.toml") in typo.stderr and "Error" not in typo.stderr
        corner = flux(home, "ask", "umbrellas near 49th and Chestnut")  # only a map knows it
        assert corner.returncode == 1 and str(home / "places.toml") in corner.stderr
        assert "could not be reached" in corner.stderr and "Error" not in corner.stderr
    finally:
        config.unlink()


def test_a_grouped_answer_numbers_its_photos_once_across_the_groups(chat_settings, chat):
    lines = flux(chat_settings.home, "ask", "umbrellas by year").stdout.splitlines()
    ranks = [int(line.split()[0]) for line in lines if line[:4].strip().isdigit() and line.startswith(" ")]
    assert len(ranks) > 6 and ranks == list(range(1, len(ranks) + 1))  # not 1, 2, 1, 2 in each year
    grouped = ask(chat, "umbrellas by year")
    third = [r for g in grouped.answer.groups for r in g.members][2]
    like = ask(chat, "more like the third one")
    assert like.plan.similar_to.photo_id == third.photo_id
    said = f"photo {third.photo_id} ({Path(third.path).name}, {third.taken_at[:10]})"  # which photo it meant
    assert f"like {said}" in [c.label for c in like.chips] and f"similar to {said}" in like.plan.notes


def test_keeper_match_passes_over_the_contact_sheets_flux_ask_drew(chat_settings, tmp_path):
    import shutil

    issue = tmp_path / "FLUX_001"
    issue.mkdir()
    found = json.loads(flux(chat_settings.home, "ask", "photos from 2019", "--json").stdout)["results"][0]["path"]
    photo = Path(found)
    shutil.copy(photo, issue / photo.name)
    shutil.copy(photo, issue / "contact_sheet.jpg")  # as `issue draft` writes one beside the picks
    out = flux(chat_settings.home, "keeper", "match", str(tmp_path), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["counts"]["unmatched"] == 0 and json.loads(out.stdout)["counts"]["matched"] == 1


def test_index_says_what_it_waits_for_and_its_clock_moves(tmp_path, settings):
    import time

    from flux_ask.ingest.pipeline import Indexer
    from flux_ask.tui.app import ProgressMeter
    from tests.photos import ROME, exif_for, write_photo

    write_photo(tmp_path / "a" / "rome.jpg", seed=3, exif=exif_for(taken="2021:05:01 10:00:00", lat=ROME[0], lon=ROME[1]))
    stages = []
    with Indexer(Archive(settings, create=True), progress=lambda s, d, t: stages.append(s)) as indexer:
        indexer.index([tmp_path / "a"])
    said = list(dict.fromkeys(stages))
    assert "model" in said and said.index("model") < said.index("index") and "places" in said
    meter = ProgressMeter()
    assert meter("model", 0, 0).startswith("loading the model… 00:00")
    time.sleep(1.1)
    assert meter.again() == "loading the model… 00:01"  # the chat redraws it while nothing else is said


def test_forget_takes_a_folder_out_and_keeps_everything_else(tmp_path, home, catalog_backend):
    import shutil

    from tests.photos import make_archive

    kept = make_archive(tmp_path / "photos" / "kept", 3)
    gone = make_archive(tmp_path / "photos" / "gone", 3, start_seed=30)
    shutil.copy(kept[0], tmp_path / "photos" / "gone" / "copy.jpg")  # a photo held by a file in both
    assert flux(home, "index", str(tmp_path / "photos"), "--model", "tiny-test").returncode == 0
    asked = json.loads(flux(home, "ask", "top 50 photos", "--json").stdout)
    goner = next(r for r in asked["results"] if "/gone/" in r["path"] and "copy" not in r["path"])
    flux(home, "recipe", "save", "everything", "top 50 photos")
    status = json.loads(flux(home, "status", "--json").stdout)
    assert [f["files"] for f in status["folders"]] == [7]

    refused = flux(home, "forget", str(tmp_path / "photos" / "gone"))  # no terminal to ask at
    assert refused.returncode == 1 and "add --yes" in refused.stderr and "nothing was changed" in refused.stderr
    shutil.move(tmp_path / "photos" / "gone", tmp_path / "elsewhere")  # moved away: swept by its old path
    moved = flux(home, "index", str(tmp_path / "photos" / "gone"))
    assert moved.returncode == 1 and "flux-ask forget" in moved.stderr and "add" not in moved.stderr
    out = flux(home, "forget", str(tmp_path / "photos" / "gone"), "--yes", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) | {"path": None} == {"path": None, "files": 4, "photos": 3,
                                                      "photos_kept_by_other_files": 1, "in_basket": 0,
                                                      "keeper_labels": 0}
    status = json.loads(flux(home, "status", "--json").stdout)
    assert status["photos"] == status["embedded"] == 3 and status["files"] == 3
    after = json.loads(flux(home, "ask", "top 50 photos", "--json").stdout)
    assert len(after["results"]) == 3 and goner["photo_id"] not in {r["photo_id"] for r in after["results"]}
    assert not Path(goner["thumbnail"]).exists() and all(Path(r["thumbnail"]).exists() for r in after["results"])
    assert "everything" in flux(home, "recipe", "list").stdout  # recipes stay
    assert all(Path(p).exists() for p in (tmp_path / "elsewhere").iterdir())  # the files are never touched


def test_the_basket_and_recipes_say_what_they_hold_and_ask_before_they_lose_it(chat_settings):
    home = chat_settings.home
    ids = [r["photo_id"] for r in json.loads(flux(home, "ask", "photos from 2019", "--json").stdout)["results"][:2]]
    flux(home, "select", "clear", "--yes")
    assert flux(home, "select", "add", str(ids[0])).returncode == 0
    again = flux(home, "select", "add", *map(str, ids))
    assert f"already in the basket: {ids[0]}" in again.stdout and "1 added; the basket holds 2" in again.stdout
    listed = flux(home, "select", "list").stdout.splitlines()
    assert len(listed) == 2 and all("2019-" in line and "/p" in line and ".jpg" in line for line in listed)
    refused = flux(home, "select", "clear")
    assert refused.returncode == 1 and "add --yes" in refused.stderr
    assert len(json.loads(flux(home, "select", "list", "--json").stdout)["selection"]) == 2  # nothing lost
    assert "holds 0" in flux(home, "select", "clear", "--yes").stdout
    assert flux(home, "recipe", "save", "first hour", "dogs").returncode == 0
    kept = flux(home, "recipe", "save", "first hour", "cats")
    assert kept.returncode == 1 and "add --yes" in kept.stderr
    assert "dogs" in flux(home, "recipe", "list").stdout
    assert "replaced" in flux(home, "recipe", "save", "first hour", "cats", "--yes").stdout
    flux(home, "recipe", "rm", "first hour")
