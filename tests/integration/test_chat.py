"""The conversation behind the chat, without a terminal: follow-ups, chips, commands,
the basket, recipes and drafts, on a real catalog made by the real ingest."""

import pytest

from flux_ask.archive.home import Archive
from flux_ask.chat import commands
from flux_ask.chat.chips import Chip, chips, date_span
from flux_ask.chat.commands import CommandError, DraftRequest
from flux_ask.chat.conversation import Conversation
from flux_ask.config import load_settings
from flux_ask.errors import FluxAskError
from flux_ask.query.plan import Place, QueryPlan
from tests.photos import ROME, WALNUT


@pytest.fixture
def chat(chat_settings, tiny):
    conversation = Conversation(Archive(chat_settings, encoder=tiny))
    conversation.clear_basket()
    yield conversation
    conversation.close()


def ask(chat, question, **kw):
    turn = chat.ask(question, **kw)
    chat.accept(turn)
    return turn


def test_chips_read_like_the_question():
    plan = QueryPlan(text="umbrellas in fog", date_ranges=(("2021-12-01", "2022-02-28"),),
                     near=Place("40th & Walnut", 39.95, -75.2, 100))
    assert [c.label for c in chips(plan)] == ["umbrellas in fog", "Dec 2021-Feb 2022",
                                              "within 100 m of 40th & Walnut", "best 12"]
    assert date_span("2023-01-01", "2023-12-31") == "2023"
    assert date_span("2019-01-01", "2021-12-31") == "2019-2021"
    assert date_span("2023-03-01", "2023-03-31") == "Mar 2023"
    assert date_span("2023-03-04", "2023-03-04") == "4 Mar 2023"


def test_chips_show_what_a_follow_up_changed():
    before = QueryPlan(text="dogs", date_ranges=(("2022-01-01", "2022-12-31"),), near=Place("Rome", 41.9, 12.5, 5000))
    after = QueryPlan(text="dogs", date_ranges=(("2023-01-01", "2023-12-31"),),
                      exclude_near=Place("Rome", 41.9, 12.5, 5000))
    got = {c.kind: c for c in chips(after, before)}
    assert got["subject"] == Chip("subject", "dogs", "")
    assert got["dates"] == Chip("dates", "2023", "changed")
    assert got["not near"].change == "new" and got["near"].change == "removed"


def test_follow_ups_refine_and_the_chips_say_so(chat):
    first = ask(chat, "red squares")
    assert len(first.answer.results) == 12 and all(c.change == "" for c in first.chips)
    only = ask(chat, "only 2021")
    assert {c.kind: c.change for c in only.chips}["dates"] == "new"
    assert all(r.taken_at.startswith("2021") for r in only.answer.results) and only.answer.results
    assert only.asked == "red squares · only 2021"
    assert only.chips[0] == Chip("refines", "refining “red squares”") and first.chips[0].kind != "refines"
    away = ask(chat, "not in Rome")
    assert {c.kind: c.change for c in away.chips}["not near"] == "new"
    assert all(r.lat is None or abs(r.lat - ROME[0]) > 0.1 for r in away.answer.results)
    moved = ask(chat, "near Walnut instead")
    assert {c.kind: c.label for c in moved.chips}["near"] == "within 150 m of 40th and Walnut"
    assert all(abs(r.lat - WALNUT[0]) < 0.01 for r in moved.answer.results)


def test_an_ambiguous_place_offers_its_other_readings_to_switch_to(chat):
    athens = ask(chat, "red squares in athens")
    assert athens.plan.near.lat > 37  # Greece, the most populous
    offered = [c for c in athens.chips if c.meant]
    assert [(c.label, c.meant) for c in offered] == [("or Athens, Georgia", 1)]
    switched = chat.read_instead(1)
    chat.accept(switched)
    assert switched.plan.near.label == "Athens, Georgia" and switched.plan.text == "red squares"
    got = {c.kind: c for c in switched.chips}
    assert got["near"].change == "changed" and got["refines"].label == "refining “red squares in athens”"
    assert [c.label for c in switched.chips if c.meant] == ["or Athens"]
    assert switched.asked == "red squares in athens · meaning Athens, Georgia"
    with pytest.raises(CommandError, match="/meant 1 to 1"):
        chat.read_instead(2)
    ask(chat, "in Rome")
    with pytest.raises(CommandError, match="no place that may mean another"):
        chat.read_instead(1)


def test_a_question_read_one_way_offers_the_others_and_asks_them(chat):
    streets = ask(chat, "florence streets")
    assert streets.plan.near is None
    offered = [c for c in streets.chips if c.other]
    assert [(c.label, c.other) for c in offered] == [("or 'florence' as the place Florence", 1)]
    instead = chat.other_reading(1)
    chat.accept(instead)
    assert instead.plan.near.label == "Florence" and instead.plan.text == "streets"
    assert instead.asked == "streets in Florence"
    with pytest.raises(CommandError, match="read only one way"):
        chat.other_reading(1)
    ask(chat, "between christmas and new year 2022")
    with pytest.raises(CommandError, match="/other 1 to 1"):
        chat.other_reading(2)
    assert chat.other_reading(1).plan.date_ranges == (("2022-12-25", "2023-01-01"),)


def test_facts_and_places_of_the_archive(chat):
    assert {"format": "JPEG", "photos": 20} in chat.facts()["formats"]
    assert {c["country"] for c in chat.places()} == {"United States", "Italy"}


def test_more_like_the_third_one_and_like_this(chat):
    first = ask(chat, "blue")
    third = first.photo_ids[2]
    like = ask(chat, "more like the third one")
    assert third not in like.photo_ids[:1] and like.answer.results  # the photo itself is not its own answer
    this = chat.ask("more like this", selected=third)
    assert {c.kind: c.label for c in this.chips}["like"].startswith(f"like photo {third} (")  # which one it meant
    assert third not in this.photo_ids
    more = ask(chat, "show more")  # more of the same photo's likes, not of the third of the newest answer
    assert more.plan.similar_to == like.plan.similar_to and more.photo_ids[:12] == like.photo_ids
    ask(chat, "show more")  # all twenty
    with pytest.raises(FluxAskError, match="no result 30"):
        chat.ask("more like the 30th one")
    with pytest.raises(FluxAskError, match="no photo to be .this one. yet"):
        chat.ask("similar to this one")


def test_show_more_grows_a_top_k_answer_and_pages_every_match(chat, chat_settings, tiny):
    ask(chat, "green")
    more = ask(chat, "show more")
    assert len(more.answer.results) == 20 and {c.kind: c.change for c in more.chips}["count"] == "changed"
    chat = Conversation(Archive(chat_settings, encoder=tiny))  # a first question: "from 2020" has nothing to refine
    every = ask(chat, "photos from 2020")
    assert every.plan.mode == "all" and every.page == 0 and every.answer.total == 4
    again = ask(chat, "show more")
    assert again.page == 1 and again.answer.offset == 500 and not again.answer.results


def test_a_cancelled_turn_never_steers_the_next(chat):
    ask(chat, "red")
    chat.ask("only 2020")  # computed, never shown
    assert chat.ask("only 2022").asked == "red · only 2022"


def test_grouped_answers_keep_time_order(chat):
    turn = ask(chat, "evolution of red over time")
    assert [g.label for g in turn.answer.groups] == ["2019", "2020", "2021", "2022", "2023"]


def test_the_basket_and_recipes_persist(chat, chat_settings, tiny):
    first = ask(chat, "yellow from 2022")
    chat.mark(first.photo_ids[0], True)
    chat.mark(first.photo_ids[1], True)
    chat.mark(first.photo_ids[0], False)
    chat.accept(chat.basket_turn())  # the basket shown since is no question: the recipe keeps the one asked
    assert chat.save_recipe("yellow 22") == "saved the recipe 'yellow 22': yellow from 2022"
    later = Conversation(Archive(chat_settings, encoder=tiny))  # another session
    assert [p for p, _ in later.basket()] == [first.photo_ids[1]]
    assert later.basket()[0][1] == "yellow from 2022"
    rerun = later.recipe("yellow 22")
    assert rerun.photo_ids == first.photo_ids and rerun.question == "yellow from 2022"
    assert [p.photo_id for p in later.basket_turn().answer.results] == [first.photo_ids[1]]
    later.delete_recipe("yellow 22")
    with pytest.raises(FluxAskError, match="no recipe named"):
        later.recipe("yellow 22")


def test_drafts_from_the_basket_or_the_last_answer(chat, chat_settings):
    with pytest.raises(CommandError, match="ask a question first"):
        chat.draft(DraftRequest(""))
    turn = ask(chat, "purple")
    report = chat.draft(DraftRequest("", count=5))
    assert report["photos"] == 5 and report["order"] == "score"
    chat.mark(turn.photo_ids[3], True)
    chat.mark(turn.photo_ids[1], True)
    report = chat.draft(DraftRequest(""))  # the basket now holds photos: it wins
    folder = chat_settings.issues_dir / report["issue"]
    assert report["photos"] == 2 and report["order"] == "hand" and folder.is_dir()


def test_a_photo_has_all_its_facts_and_a_large_preview(chat, chat_settings):
    turn = ask(chat, "orange")
    record = chat.photo(turn.photo_ids[0])
    assert record["files"][0]["state"] == "ok" and record["taken_at_source"] == "DateTimeOriginal"
    assert f"/{chat_settings.detail_size}/" in record["preview"]
    with pytest.raises(FluxAskError, match="not in the catalog"):
        chat.photo(999_999)


def test_no_archive_is_a_message(tmp_path):
    chat = Conversation(Archive(load_settings(tmp_path / "empty", model="tiny-test", geocoder="off")))
    with pytest.raises(FluxAskError, match="flux-ask index"):
        chat.ask("dogs")


@pytest.mark.parametrize("line, name, args", [
    ("/help", "/help", ()),
    ("/recipe save winter fog", "/recipe save", ("winter", "fog")),
    ("/recipe run 'winter fog'", "/recipe run", ("winter fog",)),
    ("/similar #3", "/similar", ("#3",)),
    ("/issue draft recipe rain 8 by keeper copy", "/issue draft", ("recipe", "rain", "8", "by", "keeper", "copy")),
])
def test_commands_parse(line, name, args):
    assert commands.parse(line) == commands.Command(name, args)


def test_unknown_commands_suggest_the_nearest():
    with pytest.raises(CommandError, match="did you mean /recipes"):
        commands.parse("/recipies")


def test_draft_requests_read_in_any_order():
    assert commands.draft_request(("recipe", "rain", "8", "by", "keeper", "copy")) == \
        DraftRequest("recipe", "rain", 8, "keeper", True)
    assert commands.draft_request(()) == DraftRequest("")
    with pytest.raises(CommandError, match="does not know 'sideways'"):
        commands.draft_request(("sideways",))


def test_completion(tmp_path):
    assert commands.complete("/rec", []) == "/recipe save "
    assert commands.complete("/recipe run wi", ["winter fog", "rain"]) == "/recipe run winter fog"
    assert commands.complete("/sta", []) == "/status"
    assert commands.complete("dogs", []) is None
    (tmp_path / "photos2024").mkdir()
    assert commands.complete(f"/index {tmp_path}/pho", []) == f"/index {tmp_path}/photos2024/"


def test_new_forgets_the_question_before(chat):
    ask(chat, "blue")
    chat.forget()
    fresh = chat.ask("only 2020")
    assert fresh.plan.text == "" and all(c.change == "" for c in fresh.chips)
