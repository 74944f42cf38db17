"""Facts asked for in words, as people type them: what each becomes, and what stays the
picture's words (a "35mm film camera", "Times Square", "a night market", "Mount Fuji")."""

import json
from datetime import date

import pytest

from flux_ask.query import plan
from flux_ask.query.facts import Holdings
from flux_ask.query.plan import QueryPlan

NOW = date(2026, 12, 4)
HELD = Holdings(["FUJIFILM X100V", "Canon EOS R5", "Apple iPhone 12 Pro", "NIKON D750", "SONY ILCE-7M3"],
                ["XF23mmF2 R WR", "RF85mm F1.2 L USM", "Summilux-M 1:1.4/35 ASPH."])

# question -> (the visual text, the facts as (name, op, value))
TABLE = [
    ("shot on the Canon", "", [("camera", "like", "canon")]),
    ("street photos with the Fuji", "street", [("camera", "like", "fujifilm")]),
    ("fuji x100v street", "street", [("camera", "like", "fujifilm x100v")]),
    ("on iPhone", "", [("camera", "like", "iphone")]),
    ("pics from my iphone 12 pro", "", [("camera", "like", "iphone 12 pro")]),
    ("shot on my phone", "", [("camera", "like", "phone")]),
    ("X100V", "", [("camera", "like", "x100v")]),
    ("photos taken with the D750", "", [("camera", "like", "d750")]),
    ("canon photos", "", [("camera", "like", "canon")]),
    ("photos from Canon cameras", "", [("camera", "like", "canon")]),
    ("photos from Nikon", "", [("camera", "like", "nikon")]),
    ("sunsets from the canon", "sunsets", [("camera", "like", "canon")]),
    ("photos from my Fuji", "", [("camera", "like", "fujifilm")]),
    ("fog from my phone", "fog", [("camera", "like", "phone")]),
    ("photos taken with canon cameras", "", [("camera", "like", "canon")]),
    ("Canon camera photos", "", [("camera", "like", "canon")]),
    ("street shots from the sony a7 iii", "street", [("camera", "like", "sony a7 iii")]),
    ("with the 85mm", "", [("focal", "between", (84.5, 85.5))]),
    ("portraits at 35mm", "portraits", [("focal", "between", (34.5, 35.5))]),
    ("85mm portraits", "portraits", [("focal", "between", (84.5, 85.5))]),
    ("wide angle interiors", "interiors", [("focal", "is", "wide")]),
    ("telephoto birds", "birds", [("focal", "is", "telephoto")]),
    ("with the summilux", "", [("lens", "like", "summilux")]),
    ("photos taken at f/1.4", "", [("f_number", "between", (1.34, 1.46))]),
    ("f2.8 landscapes", "landscapes", [("f_number", "between", (2.69, 2.91))]),
    ("wide open portraits", "portraits", [("f_number", "<=", 2.0)]),
    ("fog at ISO 3200", "fog", [("iso", "=", 3200)]),
    ("high iso street", "street", [("iso", ">=", 1600)]),
    ("long exposure waterfalls", "waterfalls", [("exposure_s", ">=", 1.0)]),
    ("photos with flash", "", [("flash", "=", 1)]),
    ("portraits without flash", "portraits", [("flash", "=", 0)]),
    ("square photos", "", [("shape", "is", "square")]),
    ("landscape orientation beaches", "beaches", [("shape", "is", "horizontal")]),
    ("vertical photos of trees", "trees", [("shape", "is", "vertical")]),
    ("tuscany w the 85, vertical, 4+ stars", "tuscany", [("focal", "between", (84.5, 85.5)), ("shape", "is", "vertical"),
                                                     ("rating", ">=", 4)]),  # a shape said alone, another fact after
    ("panoramas of the coast", "the coast", [("shape", "is", "panorama")]),
    ("RAW files", "", [("format", "is", "raw")]),
    ("heic photos", "", [("format", "=", "HEIF")]),
    ("pngs", "", [("format", "=", "PNG")]),
    ("undated photos", "", [("dated", "=", 0)]),
    ("photos without a location", "", [("located", "=", 0)]),
    ("geotagged photos", "", [("located", "=", 1)]),
    ("which ones dont have a location", "", [("located", "=", 0)]),  # a verb's negation of a fact
    ("photos that don't have gps", "", [("located", "=", 0)]),
    ("pics that do not have a date", "", [("dated", "=", 0)]),
    ("rated 5 stars", "", [("rating", "=", 5)]),
    ("5-star photos", "", [("rating", "=", 5)]),
    ("rated 4 or more", "", [("rating", ">=", 4)]),
    ("4+ stars", "", [("rating", ">=", 4)]),
    ("at least three stars", "", [("rating", ">=", 3)]),
    ("my picks from 2019", "", [("pick", "=", 1)]),
    ("rejected photos", "", [("pick", "=", -1)]),
    ("red label", "", [("color_label", "=", "red")]),
    ("photos labelled green", "", [("color_label", "=", "green")]),
    ("tagged family", "", [("keyword", "=", "family")]),
    ("keyword protest", "", [("keyword", "=", "protest")]),
    ("titled Summer Rain", "", [("title", "like", "Summer Rain")]),
    ("golden hour portraits", "golden hour portraits", [("daytime", "is", "golden hour")]),
    ("beach at sunset", "beach at sunset", [("daytime", "is", "sunset")]),
    ("Lisbon at night", "lisbon at night", [("daytime", "is", "night")]),  # no gazetteer here
    ("photos taken in the morning", "in the morning", [("daytime", "is", "morning")]),
    ("fog at dawn", "fog at dawn", [("daytime", "is", "dawn")]),
    ("portraits with the fuji rated 4 or more at golden hour", "portraits at golden hour",
     [("camera", "like", "fujifilm"), ("rating", ">=", 4), ("daytime", "is", "golden hour")]),
    # the picture's words, not facts
    ("35mm film camera on a table", "35mm film camera on a table", []),
    ("times square at night", "times square at night", [("daytime", "is", "night")]),
    ("night market", "night market", []),
    ("mount fuji", "mount fuji", []),
    ("fuji at sunrise", "fuji at sunrise", [("daytime", "is", "sunrise")]),  # the mountain
    ("portrait photos", "portrait", []),
    ("landscape shots", "landscape", []),
    ("a couple of sunsets", "sunsets", []),
    ("freshly picked strawberries", "freshly picked strawberries", []),
    ("a dog named Rex", "a dog named rex", []),
    ("price tag on a shirt", "price tag on a shirt", []),
    ("5 star hotel lobby", "5 star hotel lobby", []),
    ("flash flood", "flash flood", []),
    ("pixel art", "pixel art", []),
    ("stars from the galaxy", "stars from the galaxy", []),  # "from" is no preposition of a camera here
    ("view from the pixel", "view from the pixel", []),
]


EITHER = [
    ("shot on the Canon or the Fuji", "", [("camera", "canon"), ("camera", "fujifilm")]),
    ("canon or fuji photos", "", [("camera", "canon"), ("camera", "fujifilm")]),
    ("canon or nikon or fuji", "", [("camera", "canon"), ("camera", "nikon"), ("camera", "fujifilm")]),
    ("photos from my iphone or the x100v", "", [("camera", "iphone"), ("camera", "x100v")]),
    ("portraits with the 35mm or the 85mm", "portraits", [("focal", (34.5, 35.5)), ("focal", (84.5, 85.5))]),
    ("rated 4 or 5", "", [("rating", 4), ("rating", 5)]),
    ("5 star or picked", "", [("rating", 5), ("pick", 1)]),
    ("iso 3200 or 6400", "", [("iso", 3200), ("iso", 6400)]),
    ("square or vertical photos", "", [("shape", "square"), ("shape", "vertical")]),
    ("fog at dawn or dusk", "fog at dawn or dusk", [("daytime", "dawn"), ("daytime", "dusk")]),
    # "and" between two of a kind no photo has both of
    ("canon and fuji photos", "", [("camera", "canon"), ("camera", "fujifilm")]),
    ("photos from the canon and the fuji", "", [("camera", "canon"), ("camera", "fujifilm")]),
    ("square and vertical photos", "", [("shape", "square"), ("shape", "vertical")]),
]


@pytest.mark.parametrize("question, text, parts", EITHER, ids=[q for q, _, _ in EITHER])
def test_facts_joined_by_or_are_either(question, text, parts):
    p = plan(question, now=NOW, holdings=HELD)
    assert p.text == text
    (either,) = p.facts
    assert either.name == "either" and [(f.name, f.value) for f in either.value] == parts
    assert QueryPlan.from_dict(json.loads(p.to_json())).facts == p.facts  # a recipe keeps it
    assert any("read as either: no photo has both" in n for n in p.notes) == (" and " in question)


@pytest.mark.parametrize("question, facts", [
    ("5 stars and picked", [("rating", "=", 5), ("pick", "=", 1)]),
    ("shot on the canon and rated 5", [("camera", "like", "canon"), ("rating", "=", 5)]),
])
def test_facts_of_two_kinds_joined_by_and_both_hold(question, facts):
    p = plan(question, now=NOW, holdings=HELD)
    assert [(f.name, f.op, f.value) for f in p.facts] == facts


@pytest.mark.parametrize("question, text, facts", [
    ("rated 4 or more", "", [("rating", ">=", 4)]),  # one fact, not two
    ("portraits or landscapes", "portraits or landscapes", []),
    ("town square or park", "town square or park", []),
    ("square or vertical", "square or vertical", []),  # no picture noun: the words may be shapes seen
    ("vertical lines", "vertical lines", []),
])
def test_or_between_words_is_no_fact(question, text, facts):
    p = plan(question, now=NOW, holdings=HELD)
    assert p.text == text and [(f.name, f.op, f.value) for f in p.facts] == facts


@pytest.mark.parametrize("question, text, facts", TABLE, ids=[q for q, _, _ in TABLE])
def test_facts_in_words(question, text, facts):
    p = plan(question, now=NOW, holdings=HELD)
    assert p.text == text
    assert [(f.name, f.op, f.value) for f in p.facts] == facts


def test_a_camera_the_archive_never_held_is_said_with_the_ones_it_did():
    p = plan("shot on the Leica M6", now=NOW, holdings=HELD)
    assert [(f.name, f.value) for f in p.facts] == [("camera", "leica m6")]
    assert any("no photo in the archive was taken with a camera called 'Leica M6'" in n for n in p.notes)


def test_times_of_day_say_how_they_are_read():
    p = plan("fog at dawn", now=NOW)
    assert any("by the sun at each photo's place and time" in n and "4:00-6:59" in n for n in p.notes)


def test_a_follow_up_adds_a_fact_and_a_fact_named_again_replaces_its_kind():
    first = plan("street with the fuji", now=NOW, holdings=HELD)
    more = plan("only 5 stars", now=NOW, previous=first, holdings=HELD)
    assert [(f.name, f.value) for f in more.facts] == [("camera", "fujifilm"), ("rating", 5)]
    fewer = plan("only 4 stars or more", now=NOW, previous=more, holdings=HELD)
    assert [(f.name, f.op, f.value) for f in fewer.facts] == [("camera", "like", "fujifilm"), ("rating", ">=", 4)]


def test_facts_survive_a_saved_recipe():
    import json

    p = plan("fuji portraits rated 4 or more at golden hour with the 85mm", now=NOW, holdings=HELD)
    assert QueryPlan.from_dict(json.loads(p.to_json())) == p


def test_a_question_that_begins_with_a_fact_about_photos_stands_alone():
    before = plan("dogs in the snow", now=NOW)
    assert plan("square photos shot on the Canon", now=NOW, previous=before).text == ""
    assert plan("only 5 stars", now=NOW, previous=before).text == "dogs in the snow"  # a follow-up
