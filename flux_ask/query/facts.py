"""What the files say, asked for in words: "shot on the Canon", "with the 85mm", "at f/1.4",
"ISO 3200", "long exposure", "square photos", "RAW files", "undated", "rated 4 or more",
"picks", "red label", "tagged family", "golden hour". Each becomes a Fact of the plan, never
words for CLIP, except the times of day a picture also shows (sunset, dawn, night).

Camera and lens names are matched against what the archive holds (`Holdings`); a brand
the archive has never seen is still asked for, and the plan says which cameras it has.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from flux_ask.query import english, vocabulary
from flux_ask.query.plan import Fact, Place
from flux_ask.query.quantities import read_quantity

BRANDS: dict[str, str] = vocabulary.table("cameras.brands")
# Brands that are also what a picture shows ("Mount Fuji", "pixel art", "the galaxy"): a camera
# only after "shot on", "with the" and the like
BRANDS_ONLY_AFTER_A_PREPOSITION = vocabulary.terms("cameras.only_after_a_preposition")
MODEL_WORDS = vocabulary.terms("cameras.model_words")
COLOURS = tuple(vocabulary.entry("marks.colours"))
PICTURE = r"(?:photos?|photographs?|pictures?|pics?|images?|shots?|ones|files?)"
PICTURE_WORDS = ("photo", "photos", "photograph", "photographs", "picture", "pictures", "pic", "pics", "image",
                 "images", "shot", "shots", "ones", "file", "files")
# Words that end a keyword or a title ("tagged family from 2019")
ENDS_A_NAME = vocabulary.terms("marks.ends_a_name") | vocabulary.terms("negation.clause_ends")


# Kinds of which a photo has one value: two joined by "and" can only mean either ("the Canon
# and the Fuji", "at dawn and dusk"); keywords joined by "and" are both
JOINS = ("or", "and", *vocabulary.entry("grouping.versus"))
ONE_VALUE = {"camera", "lens", "focal", "f_number", "iso", "exposure_s", "shape", "format", "rating", "color_label",
             "daytime"}


class Holdings:
    """What the archive holds: the cameras ("FUJIFILM X100V") and lenses its files name, read
    from the catalog only when a question needs them (`load`); and how many photos were taken
    at a place (`near`), the evidence that weighs a name that may or may not be one."""

    def __init__(self, cameras=(), lenses=(), load: Callable[[], tuple[list[str], list[str]]] | None = None,
                 near: Callable[[Place], int] | None = None):
        self._named = (tuple(cameras), tuple(lenses)) if load is None else None
        self._load = load
        self._near = near

    def photos_near(self, place: Place) -> int | None:
        """How many photos were taken at the place; None where the archive cannot say."""
        return self._near(place) if self._near is not None else None

    def _held(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self._named is None:
            cameras, lenses = self._load()
            self._named = (tuple(cameras), tuple(lenses))
        return self._named

    @property
    def cameras(self) -> tuple[str, ...]:
        return self._held()[0]

    @property
    def lenses(self) -> tuple[str, ...]:
        return self._held()[1]

    def cameras_like(self, value: str) -> list[str]:
        """The cameras whose make and model hold every word of `value`, as search matches them."""
        return [c for c in self.cameras if all(_squash(w) in _squash(c) for w in value.split())]


def _phrase(regex: str) -> re.Pattern:
    """A pattern that ends where a word ends: "raws" is no prefix of "rawson"."""
    return re.compile(f"(?:{regex})(?= |$)")


@dataclass
class Found:
    fact: Fact
    words: int  # how many words of the question it took
    keep: str = ""  # words CLIP should still see ("sunset")
    note: str = ""
    versus: bool = False  # "the iphone vs the fuji": either, side by side
    other: tuple[str, str] | None = None  # another fair reading: (what it is, the words that ask for it)


Reader = Callable[[list[str], list[str], int, Holdings | None], Found | None]


def read_fact(words: list[str], originals: list[str], i: int, holdings: Holdings | None) -> Found | None:
    """The fact the question names at word i, if it names one there; facts joined by "or"
    ("shot on the Canon or the Fuji", "rated 4 or 5", "picks or 5 stars") are one: either.
    So are two of a kind a photo has one of, joined by "and" ("the Canon and the Fuji")."""
    first = _one_fact(words, originals, i, holdings) or _before_or(words, originals, i, holdings)
    if first is None:
        return None
    if (span := _between_two(first, words, originals, i, holdings)) is not None:
        return span
    parts, taken, anded, versus = [first], first.words, False, False
    while i + taken + 1 < len(words) and words[i + taken] in JOINS:
        joined_by = words[i + taken]
        versus = versus or joined_by not in ("or", "and")
        second = _after_or(words, originals, i + taken + 1, holdings, lead=words[i], kind=first.fact.name)
        if second is None or not _either(joined_by, first.fact.name, second.fact.name):
            break  # "5 stars and picked": both
        parts.append(second)
        taken += 1 + second.words
        anded = anded or joined_by == "and"
    if len(parts) == 1:
        return first
    facts = tuple(part.fact for part in parts)
    notes = [part.note for part in parts if part.note]
    if anded:
        notes.append(f"'{' '.join(originals[i:i + taken])}' read as either: no photo has both")
    return Found(Fact("either", "any", facts, " or ".join(f.label for f in facts)), taken,
                 keep=" ".join(words[i:i + taken]) if any(part.keep for part in parts) else "", note="; ".join(notes),
                 versus=versus)


LOWER_BOUNDS, UPPER_BOUNDS = (">", ">="), ("<", "<=")
# how a quantity is named, to read a second bound said without its unit: "more than 1 star but less than 4"
QUANTITY_NAMES = {"rating": "rating", "focal": "focal length", "f_number": "f-stop", "iso": "iso",
                  "exposure_s": "shutter speed"}


def _between_two(first: Found, words, originals, i: int, holdings) -> Found | None:
    """Two bounds of one quantity joined by "and" or "but" are a span that both hold: "more than
    1 star but less than 4", "over 50mm and under 200mm"."""
    j = i + first.words
    kind, op = first.fact.name, first.fact.op
    if op not in LOWER_BOUNDS + UPPER_BOUNDS or j + 1 >= len(words) or words[j] not in ("and", "but"):
        return None
    second = _one_fact(words, originals, j + 1, holdings)
    if second is None and kind in QUANTITY_NAMES:
        second = _as_if_after(QUANTITY_NAMES[kind].split(), words, originals, j + 1, holdings)
    if second is None or second.fact.name != kind or second.fact.op not in LOWER_BOUNDS + UPPER_BOUNDS or \
            (op in LOWER_BOUNDS) == (second.fact.op in LOWER_BOUNDS):
        return None
    low, high = (first.fact, second.fact) if op in LOWER_BOUNDS else (second.fact, first.fact)
    # stars and ISO are whole: more than 1 is 2 or more; a measure's strict bound is kept just
    # inside ("over 28mm and 50mm or less" leaves out 28 mm)
    step = 1 if kind in ("rating", "iso") else None
    bottom = low.value + (step or abs(low.value) * 1e-6) if low.op == ">" else low.value
    top = high.value - (step or abs(high.value) * 1e-6) if high.op == "<" else high.value
    if bottom > top:
        return None
    return Found(Fact(kind, "between", (bottom, top), f"{low.label} and {high.label}"), j + 1 + second.words - i)


def _one_fact(words: list[str], originals: list[str], i: int, holdings: Holdings | None) -> Found | None:
    for reader in READERS:
        found = reader(words, originals, i, holdings)
        if found is not None:
            return found
    return None


def _before_or(words, originals, i: int, holdings) -> Found | None:
    """A word that is a fact only with the words after the fact joined to it by "or":
    "square or vertical photos" is square photos or vertical photos."""
    if i + 2 >= len(words) or words[i + 1] not in JOINS:
        return None
    second = _one_fact(words, originals, i + 2, holdings)
    if second is None:
        return None
    found = _one_fact([words[i], *words[i + 3:]], [originals[i], *originals[i + 3:]], 0, holdings)
    if found is None and second.fact.name == "camera" and words[i + 1] not in ("or", "and"):
        # "fuji vs leica": beside another camera compared, a maker that is a word too is the camera
        led = _one_fact(["with", words[i], *words[i + 3:]], ["with", originals[i], *originals[i + 3:]], 0, holdings)
        found = led and replace(led, words=led.words - 1)
    if found is None or found.fact.name != second.fact.name or found.words != second.words \
            or not _either(words[i + 1], found.fact.name, second.fact.name):
        return None
    return Found(found.fact, 1, found.keep, found.note)


def _either(joined_by: str, kind: str, other: str) -> bool:
    """Whether two facts joined by "or" or "and" mean either: "or" always; "and" when no
    photo can have both."""
    return joined_by != "and" or kind == other and kind in ONE_VALUE


def _after_or(words, originals, j: int, holdings, *, lead: str, kind: str) -> Found | None:
    """The fact after "or": said whole ("or picked"), or as short as the first allows, its
    preposition or verb left out ("the Canon or the Fuji", "rated 4 or 5", "at dawn or dusk"),
    then of the first's kind."""
    found = _one_fact(words, originals, j, holdings)
    if found is not None:
        return found
    for said in dict.fromkeys(("with", lead)):
        found = _as_if_after([said], words, originals, j, holdings)
        if found is not None and found.fact.name == kind:
            return found
    return None


def _as_if_after(said: list[str], words, originals, j: int, holdings) -> Found | None:
    """The fact at word j read as if `said` came before it ("or the fuji" as "with the fuji",
    "but less than 4" as "rating less than 4"), and the question's own words it takes."""
    found = _one_fact([*said, *words[j:]], [*said, *originals[j:]], 0, holdings)
    if found is None or found.words <= len(said):
        return None
    return Found(found.fact, found.words - len(said), found.keep, found.note)


def _match(pattern: re.Pattern, words: list[str], i: int) -> re.Match | None:
    return pattern.match(" ".join(words[i:i + 8]))


def _taken(match: re.Match) -> int:
    return len(match.group(0).split())


# -- camera and lens ------------------------------------------------------------------

_CAMERA = _phrase(r"(?:(?:shot|taken|photographed|made) )?(?:(?:on|with|using|by) (?:the |my |a |an |our )?|"
                     r"from (?:my|our) )(?P<name>[\w\-+.]+(?: [\w\-+.]+){0,3})")
# "from" names a camera only as surely as a bare word does: "from the Canon", "from Nikon",
# but "from Apple Park" and "from the galaxy" are not
_FROM_CAMERA = _phrase(r"from (?:the )?(?P<name>[\w\-+.]+(?: [\w\-+.]+){0,3})")
_BARE_CAMERA = _phrase(r"(?P<name>[\w\-+.]+(?: [\w\-+.]+){0,3})")
# the words before "with a ..." that name the photos, not what they show: "stuff with a leica"
TAKEN_WITH = {"shot", "taken", "made", "captured", "photographed", "snapped", "filmed", "stuff", "ones", "all",
              "me", "only", "just", "everything", "anything"}
CAMERA_NOUNS = vocabulary.terms("cameras.nouns")  # "with the Fuji camera", "Canon cameras"
_MY_CAMERA = _phrase(r"(?:my|our) (?P<name>[\w\-+.]+)")


_UNIT_WORDS = frozenset(w for key in ("mm", "seconds", "minutes", "stars")
                        for w in vocabulary.terms(f"measure.{key}")) | {"iso", "f", "mp", "megapixels", "x"}


def _mine(words: list[str], j: int) -> bool:
    """ "my fuji shots", "my canon", "my iphone photos": a camera of one's own before what it took."""
    after = words[j + 1] if j + 1 < len(words) else ""
    return j < len(words) and words[j] in BRANDS and (
        not after or after in CAMERA_NOUNS or bool(re.fullmatch(PICTURE, after)) or after in ("and", "or", ","))


def _camera(words, originals, i, holdings) -> Found | None:
    """ "shot on the Canon", "with the Fuji", "on iPhone", "iphone 12 photos", "X100V"."""
    match = _match(_CAMERA, words, i)
    after_preposition = match is not None
    if match is None and words[i] in ("my", "our") and _mine(words, i + 1):
        match, after_preposition = _match(_MY_CAMERA, words, i), True  # "all my fuji shots"
    led = False  # "picks from the gfx": a model after "from the"
    if match is None:
        match = _match(_FROM_CAMERA, words, i)
        led = match is not None and words[i + 1:i + 2] == ["the"]
        match = match or _match(_BARE_CAMERA, words, i)
    if match is None or not after_preposition and words[i - 1:i] in (["a"], ["an"], ["his"], ["her"], ["their"],
                                                                     ["your"]):
        return None  # "a selfie with an iphone", "an old leica", "staring at their iphones": in the picture
    name_words = match.group("name").split()
    for n in range(len(name_words), 0, -1):
        said = " ".join(name_words[:n])
        value = _camera_value(said, holdings, after_preposition, led)
        if value is None:
            continue
        if not after_preposition and not led and said == value.split()[0] + "s":
            return None  # "holding iphones up", "a shelf of leicas": cameras in the picture
        if n < len(name_words) and name_words[n] in CAMERA_NOUNS:
            n += 1
        taken = _taken(match) - (len(name_words) - n)
        if said.split()[-1].replace(".", "", 1).isdigit() and words[i + taken:i + taken + 1] and \
                words[i + taken] in _UNIT_WORDS:
            continue  # "the hasselblad, 4 stars up": the number counts stars, it names no model
        if _an_object(words, i, taken, after_preposition):
            return None  # "an old man with a leica around his neck": the camera is in the picture
        label = " ".join(originals[i + taken - n:i + taken]) if n else said
        note = ""
        maker, meant = said.split()[0], value.split()[0]
        if maker != meant and _misspelt(maker, meant):  # "nikkon z6", "cannon 5d": the maker said right
            label = " ".join([meant, *label.split()[1:]])
            note = f"read '{maker}' as '{meant}'"
        if holdings is not None and holdings.cameras and not holdings.cameras_like(value):
            near = difflib.get_close_matches(said, holdings.cameras, n=3, cutoff=0.3) or list(holdings.cameras[:5])
            note = f"no photo in the archive was taken with a camera called '{label}'; its cameras include " \
                   f"{', '.join(near)}"
        return Found(Fact("camera", "like", value, f"on the {label}" if after_preposition else label),
                     taken, note=note)
    return None


def _on_a_thing(words: list[str], j: int) -> bool:
    """ "red label on a wine bottle": a thing in the picture, where it is."""
    return words[j:j + 1] in (["on"], ["of"], ["in"]) and words[j + 1:j + 2] in (["a"], ["an"], ["the"], ["his"],
                                                                                 ["her"], ["their"])


def _an_object(words: list[str], i: int, taken: int, after_preposition: bool = True) -> bool:
    """ "with a leica around his neck", "a canon for sale", "nikon billboard", "a guy taking a
    selfie with an iphone": a camera, or its maker's name, in the picture."""
    rest = " ".join(words[i + taken:i + taken + 3])
    said = any(rest == w or rest.startswith(w + " ") for w in vocabulary.terms("cameras.as_object"))
    if not after_preposition:
        return said  # a maker's name before "billboard", "sign", "store"
    if words[i] == "with" and words[i + 1:i + 2] in (["a"], ["an"]) and i and \
            not re.fullmatch(PICTURE, words[i - 1]) and words[i - 1] not in TAKEN_WITH:
        return True  # "with an iphone" after what the picture shows; "photos with an iphone" were taken so
    return said and bool({"a", "an"} & set(words[i:i + 3]) or words[i - 1:i] in (["a"], ["an"]))


def _camera_value(said: str, holdings: Holdings | None, after_preposition: bool, led: bool = False) -> str | None:
    """What a camera's make and model must contain, or None if the words name no camera."""
    first, rest = said.split()[0], said.split()[1:]
    if said in BRANDS and (after_preposition or said not in BRANDS_ONLY_AFTER_A_PREPOSITION):
        return BRANDS[said]
    if first not in BRANDS and _maker_misspelt(first, rest, after_preposition):
        first = near_brand(first) or first
        if not rest and first in BRANDS:
            return BRANDS[first]
    if first in BRANDS and rest and all(w in MODEL_WORDS or MODEL_PART.fullmatch(w) for w in rest):  # "canon 5d mark iv"
        return " ".join([BRANDS[first], *rest])  # "iphone 12 pro", "leica m6", "fuji x100v" (Mount Fuji has no model)
    if holdings is not None and len(_squash(said)) >= 3 and any(c.isdigit() for c in said) and \
            not english.everyday(first):  # "show me 3": "me" is no maker, whichever camera holds "me" and "3"
        if holdings.cameras_like(said):  # a model the archive holds: "x100v", "d750", "eos r5"
            return said
    maker = _model(said)
    if maker and (after_preposition or led or _distinctive(said)):  # "with the x100v", "x100f street", "gr3"
        return f"{maker} {said}"
    return None


def _maker_misspelt(first: str, rest: list[str], after_preposition: bool) -> bool:
    """Whether a word may be a maker misspelt: before a model known ("sonny a7"); or, being no
    English word, before a model's letters and digits ("hasselbald 500cm") or alone after "with
    my" ("with my nixon", as autocorrect writes Nikon)."""
    if rest and _model(" ".join(rest)):
        return True
    if english.ordinary(first):
        return False  # "people on phones 2016"
    if rest:
        return all(MODEL_PART.fullmatch(w) and not YEAR.fullmatch(w) for w in rest)
    return after_preposition and not _model(first)


YEAR = re.compile(r"(?:19|20)\d\d")
MODEL_PART = re.compile(r"[a-z]{0,4}-?[a-z]{0,2}\d+[a-z\d]*|i{1,3}|iv|vi{0,3}|ix|x")  # "5d", "500cm", "iv"


def _model(said: str) -> str | None:
    """The maker of a model said without it ("x100v" is Fujifilm's), from words.toml's patterns."""
    for pattern, maker in vocabulary.table("camera_models").items():
        if re.fullmatch(pattern, said):
            return maker
    return None


def _distinctive(said: str) -> bool:
    """Whether a model's name is a camera's even without "with the": letters and digits, and long."""
    return len(said) >= 3 and bool(re.search(r"[a-z]", said)) and bool(re.search(r"\d", said)) and " " not in said


def _misspelt(said: str, meant: str) -> bool:
    """Whether a maker's name was a letter or two off ("nikkon"), not a short name ("fuji")."""
    from rapidfuzz.distance import OSA

    return OSA.distance(said, meant) <= 2 and not meant.startswith(said)


def near_brand(word: str) -> str | None:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    if len(word) < 4:
        return None
    found = process.extractOne(word, [b for b in BRANDS if " " not in b and len(b) >= 4], scorer=OSA.distance,
                               score_cutoff=1)
    return found[0] if found else None


_FOCAL_CLASS = _phrase(r"(?:(?:with|on|using) (?:the |my |a |an )?)?(?P<kind>ultra[ -]?wide|wide[ -]?angle|"
                          r"wideangle|telephoto|tele)(?: (?:lens|shots?|photos?|pictures?|zoom))?")
_LENS = _phrase(r"(?:with|on|using) (?:the |my |a |an )?(?P<name>[\w\-+.]+)(?: lens)?")
FOCAL_CLASSES = {"wide": "wide angle (35 mm equivalent 28 mm or less)", "ultra wide": "ultra wide (20 mm or less)",
                 "telephoto": "telephoto (70 mm or longer)"}


LENS_FAMILIES: dict[str, str] = vocabulary.table("lenses.families")
_ZOOM = re.compile(r"(?P<short>\d{1,3})-(?P<long>\d{1,3})(?P<mm>mm)?")


def _lens(words, originals, i, holdings) -> Found | None:
    """A lens by what its name says: a zoom's range marked as gear ("on the 16-35", "the 70-200",
    "24-70mm"), or a lens line ("the 35 summilux", "50 cron", "a nokton"); the lens's name
    holds every word ("Summilux-M 1:1.4/35 ASPH.", "EF70-200mm f/2.8L")."""
    start = i
    while i < len(words) and words[i] in vocabulary.terms("lenses.zoom_before") and i - start < 2:
        i += 1
    if i >= len(words):
        return None
    zoom = _ZOOM.fullmatch(words[i])
    if zoom:
        short, long = int(zoom.group("short")), int(zoom.group("long"))
        after = words[i + 1] if i + 1 < len(words) else ""
        if not (8 <= short < long <= 1200 and long >= 1.4 * short):
            return None
        if not (i > start or zoom.group("mm") or after in vocabulary.terms("lenses.zoom_after")):
            return None  # "20-30 photos" is a count
        if "range" in (*words[max(0, start - 2):start], after):
            return None  # "portrait range, 85-135mm", "in the 70-200 range": lengths, on any lens
        taken = i + 1 - start + (after in ("mm", "lens", "zoom"))
        name = f"{short}-{long}"
        # "85-135mm" said without "the" or "on": a lens of that range, or any lens set within it
        other = None if i > start or after in ("lens", "zoom") else \
            (f"focal lengths from {short} to {long} mm, on any lens", f"{short} to {long}mm")
        return Found(Fact("lens", "like", name, f"the {name} lens"), taken, other=other)
    length = words[i] if words[i].isdigit() and i + 1 < len(words) else None
    family_word = words[i + 1] if length else words[i]
    family = LENS_FAMILIES.get(family_word) or (
        vocabulary.table("lenses.after_a_length").get(family_word) if length else None)
    if family is None:
        return None
    name = f"{length} {family}" if length else family
    taken = i - start + (2 if length else 1)
    if words[start + taken:start + taken + 1] == ["lens"] and _an_object(words, start, taken + 1, False) \
            or _an_object(words, start, taken, False) or words[start - 1:start] in (["a"], ["an"]):
        return None  # "a summicron lens on a desk": the lens is in the picture
    said = " ".join(originals[i:i + (2 if length else 1)])
    return Found(Fact("lens", "like", name, f"the {said}"), taken)


def _focal(words, originals, i, holdings) -> Found | None:
    """ "wide angle", "telephoto", "with the Summilux" (lengths are quantities: query/quantities.py)."""
    match = _match(_FOCAL_CLASS, words, i)
    if match is not None:
        if said := _bound_said(words, i, _taken(match), ["focal", "length"], "focal"):
            return said  # "tele stuff >=300", "wide angle under 24": the bound said
        kind = match.group("kind").replace("-", " ")
        kind = "ultra wide" if kind.startswith("ultra") else "wide" if kind.startswith("wide") else "telephoto"
        return Found(Fact("focal", "is", kind, FOCAL_CLASSES[kind].split(" (")[0]), _taken(match),
                     note=FOCAL_CLASSES[kind])
    match = _match(_LENS, words, i)
    if match is not None and holdings is not None and len(match.group("name")) > 3:
        name = match.group("name")
        if any(name in lens.lower() for lens in holdings.lenses) and not name.isdigit():
            return Found(Fact("lens", "like", name, f"the {originals[i + _taken(match) - 1]} lens"
                              if match.group(0).endswith(" lens") else f"with the {name}"), _taken(match))
    return None


# -- exposure -------------------------------------------------------------------------

_WIDE_OPEN = _phrase(r"(?:shot )?wide open")
_ISO = _phrase(r"(?P<level>high|low) iso")
_LONG = _phrase(r"long[ -]?exposures?|slow shutter(?: speed)?s?")
_FLASH = _phrase(r"(?P<without>without|no|with no|w/o|with out) (?:a |the |any )?flash|"
                 r"(?:(?:with|using) (?:a |the |my )?)?flash (?:(?:turned |switched |set )?(?P<off>off|disabled)|"
                 r"(?P<on>on|turned on|fired|firing))|"
                 r"(?:with|using) (?:a |the )?flash|flash " + PICTURE)


def _quantity(words, originals, i, holdings) -> Found | None:
    """Focal lengths, apertures, ISO, shutter times and stars, compared or not (query/quantities.py)."""
    read = read_quantity(words, i)
    return Found(read.fact, read.words, note=read.note, other=read.other) if read else None


BOUND_FILLERS = {"stuff", "shots", "shot", "photos", "pics", "pictures", "ones", "frames", "like", "at", "of",
                 "around", "about", "lens", "lenses", "zoom", "only", "images"}


def _bound_said(words, i: int, taken: int, name: list[str], quantity: str) -> Found | None:
    """A class of a quantity ("tele", "high iso") and then, in a few words, its bound in
    numbers ("tele stuff >=300", "high iso like 6400 and above"): the bound said is the fact."""
    k = i + taken
    while k < len(words) and k - i - taken < 3 and words[k] in BOUND_FILLERS:
        k += 1
    said = read_quantity([*name, *words[k:]], 0) if k < len(words) else None
    if said is None or said.fact.name != quantity or said.words <= len(name) or said.fact.op in ("=", "between"):
        return None
    return Found(said.fact, k - i + said.words - len(name), note=said.note)


def _exposure(words, originals, i, holdings) -> Found | None:
    match = _match(_WIDE_OPEN, words, i)
    after = words[i + _taken(match)] if match is not None and i + _taken(match) < len(words) else ""
    if match is not None and after == "at":  # "wide open at f/1.4": the aperture said
        said = read_quantity(words, i + _taken(match))
        if said is not None and said.fact.name == "f_number":
            return Found(said.fact, _taken(match) + said.words, note=said.note)
    if match is not None and after not in vocabulary.terms("places.wide_open_things"):  # "wide open fields"
        return Found(Fact("f_number", "<=", 2.0, "wide open"), _taken(match),
                     note="wide open: f/2 or wider (the files do not say how wide each lens opens)")
    match = _match(_ISO, words, i)
    if match is not None:
        if said := _bound_said(words, i, _taken(match), ["iso"], "iso"):
            return said  # "high iso stuff like 6400 and above": the bound said
        high = match.group("level") == "high"
        return Found(Fact("iso", ">=" if high else "<=", 1600 if high else 200,
                          "ISO 1600 or more" if high else "ISO 200 or less"), _taken(match))
    match = _match(_LONG, words, i)
    if match is not None:
        return Found(Fact("exposure_s", ">=", 1.0, "exposures of 1 s or longer"), _taken(match))
    match = _match(_FLASH, words, i)
    if match is not None:
        if match.group("on") and not match.group(0).startswith(("with", "using")) and \
                words[i + _taken(match):i + _taken(match) + 1] not in ([], *([w] for w in PICTURE_WORDS)):
            return None  # "flash on the wall" is no flash that fired
        fired = not (match.group("without") or match.group("off"))
        return Found(Fact("flash", "=", int(fired), "with flash" if fired else "without flash"), _taken(match))
    return None


# -- shape and kind -------------------------------------------------------------------

_SHAPE = _phrase(r"(?:(?:in|with) )?(?P<shape>vertical|horizontal|portrait|landscape)(?:ly)? "
                    rf"(?:orientation|format|oriented|{PICTURE})|(?P<plural>verticals|horizontals)|"
                    rf"(?P<square>square) (?:format|crops?|{PICTURE})|(?:in )?square format|"
                    r"(?P<pano>panoramas?|panoramic(?: photos?| shots?| pictures?| images?)?|panos)")
_FORMAT = _phrase(r"(?:(?:in|as|shot in) )?(?P<raw>raw) (?:files?|photos?|images?|shots?|only)|(?:in|shot in) raw\b|"
                     r"(?P<name>raws|heics?|heifs?|pngs?|dngs?|jpe?gs?|tiffs?|webps?|avifs?)"
                     rf"(?: {PICTURE})?")
PHOTO_KINDS = vocabulary.terms("picture.kinds")
BEFORE_A_SHAPE = {"all", "my", "the", "some", "only", "me", "just", "of", "in", "as", "any", "show", "find", "more",
                  "few", "best", "and", "or"}
FORMATS = {"heic": "HEIF", "heif": "HEIF", "png": "PNG", "dng": "DNG", "jpeg": "JPEG", "jpg": "JPEG", "tiff": "TIFF",
           "webp": "WEBP", "avif": "AVIF"}


def _shape(words, originals, i, holdings) -> Found | None:
    shape = words[i] if words[i] in ("vertical", "horizontal", "square") else None
    # "Rittenhouse Square in the snow", "the town square": a place; a shape after the asking words
    before = words[i - 1] if i else ""
    named = shape == "square" and (before == "the" or before.isalpha() and before not in BEFORE_A_SHAPE and not
                                   re.fullmatch(PICTURE, before) and before not in vocabulary.terms("measure.stars"))
    if shape and not named and words[i + 1:i + 2] and words[i + 1] in PHOTO_KINDS:
        return Found(Fact("shape", "is", shape, shape), 1)  # "vertical portraits": portraits stay for CLIP
    alone = i + 1 == len(words) or words[i + 1] not in JOINS and (
        words[i + 1] in ENDS_A_NAME or words[i + 1] in ("for", "please", "pls") or
        read_fact(words, originals, i + 1, holdings) is not None)  # "that aren't vertical for once"
    if shape and not named and alone and words[i - 1:i] not in (["or"], ["and"]):
        return Found(Fact("shape", "is", shape, shape), 1)  # "..., horizontal", "vertical, 4+ stars": said alone
    match = _match(_SHAPE, words, i)
    if match is not None and "square" in match.group(0) and i and words[i - 1] not in BEFORE_A_SHAPE:
        match = None  # "Times Square photos", "the town square at night": a place
    if match is not None:
        said = match.group("shape") or match.group("plural") or ""
        if match.group("pano"):
            shape, label = "panorama", "panoramas (2:1 or wider)"
        elif match.group("square") or "square" in match.group(0):
            shape, label = "square", "square"
        elif said.startswith(("vertical", "portrait")):
            shape, label = "vertical", "vertical"
        else:
            shape, label = "horizontal", "horizontal"
        if said in ("portrait", "landscape") and not re.search(r"orientation|format|oriented", match.group(0)):
            return None  # "portrait photos" are portraits, "landscape shots" landscapes: what they show
        return Found(Fact("shape", "is", shape, label), _taken(match))
    match = _match(_FORMAT, words, i)
    if match is not None:
        name = (match.group("name") or "raw").rstrip("s")
        if name in ("raw", "raws"):
            return Found(Fact("format", "is", "raw", "RAW"), _taken(match))
        name = "jpeg" if name.startswith("jp") else name
        return Found(Fact("format", "=", FORMATS.get(name, name.upper()), name.upper()), _taken(match))
    if words[i] == "raw" and words[i - 1:i] in (["not"], ["no"], ["except"], ["excluding"]) and \
            words[i + 1:i + 2] in ([], ["only"], ["and"], ["or"]):
        return Found(Fact("format", "is", "raw", "RAW"), 1)  # "..., not raw": the file's kind, said last
    return None


# -- what the catalog knows -----------------------------------------------------------

# "that don't have a location", "lacking gps": without it
_LACK = r"(?:(?:that|which) )?(?:(?:do|does|did)(?: not|n'?t)|dont|doesnt|didnt) (?:have|has|show)|lacking|lack"
_LOCATED = _phrase(rf"(?P<without>without|with no|no|w/o|missing|{_LACK}) (?:a |any )?(?:gps|locations?|positions?|"
                      r"coordinates|geotags?)(?: data| info(?:rmation)?)?|(?P<not>not|un)[ -]?geotagged|"
                      r"(?:with|having) (?:a |any )?(?:gps|locations?|positions?|coordinates|geotags?)(?: data)?|"
                      r"geotagged")
_DATED = _phrase(rf"(?P<without>undated|without (?:a |any )?dates?|with no dates?|no dates?|missing dates?|"
                    rf"(?:{_LACK}) (?:a |any )?dates?|"
                    r"(?:with )?unknown dates?)|(?:with (?:a )?dates?|dated)(?= |$)")


def _state(words, originals, i, holdings) -> Found | None:
    match = _match(_LOCATED, words, i)
    if match is not None:
        has = not (match.group("without") or match.group("not"))
        return Found(Fact("located", "=", int(has), "with a position" if has else "without a position"),
                     _taken(match))
    match = _match(_DATED, words, i)
    if match is not None and (match.group(0) != "dated" or i + 1 >= len(words) or not words[i + 1].isdigit()
                              and words[i + 1] not in ("to", "from", "in", "between", "before", "after", "around")):
        has = not match.group("without")
        return Found(Fact("dated", "=", int(has), "dated" if has else "undated (only the file's time)"),
                     _taken(match))
    return None


# -- the photographer's marks ---------------------------------------------------------

_RATED = _phrase(r"(?P<starred>starred|rated)(?= |$)|(?P<unrated>unrated|not rated|no stars|zero stars|"
                 r"(?:with )?no rating|without (?:a )?rating|unstarred)")
_PICKS = _phrase(rf"(?:my |the )?(?P<pick>picks|flagged|picked {PICTURE}|picked(?= (?:yet|already|before|by|in|from|"
                 rf"since|on|at|last|this|and|or|but|with|raw|jpegs?|jpg|heic|files|ones)(?: |$))|picked$)|"
                    rf"(?P<reject>rejected|rejects)(?: {PICTURE})?")
_LABEL = _phrase(rf"(?:with (?:a |the )?)?(?P<c1>{'|'.join(COLOURS)})(?: colou?r)?[ -]label(?:s|led|ed)?|"
                    rf"(?:labell?ed|marked) (?P<c2>{'|'.join(COLOURS)})")
_KEYWORD = _phrase(r"(?:tagged|tagged with|tagged as|with the (?:tag|keyword)|with (?:tag|keyword)|keywords?) "
                      r"(?P<rest>.+)")
_TITLE = _phrase(r"(?:titled|entitled|with the title) (?P<rest>.+)")


def _marks(words, originals, i, holdings) -> Found | None:
    """ "rated", "unrated", "picks", "rejects", "red label", "tagged family", "titled ..."; a
    number of stars is a quantity (query/quantities.py)."""
    match = _match(_RATED, words, i)
    if match is not None:
        if match.group("starred"):
            return Found(Fact("rating", ">=", 1, "rated"), 1)
        return Found(Fact("rating", "=", 0, "unrated"), _taken(match))
    if words[i] in ("pick", "flag") and words[i - 1:i] in (["didnt"], ["didn't"], ["not"], ["never"]):
        return Found(Fact("pick", "=", 1, "picks"), 1)  # "the ones i didn't pick": the negation's to take
    match = _match(_PICKS, words, i)
    if match is not None:
        picked = bool(match.group("pick"))
        return Found(Fact("pick", "=", 1 if picked else -1, "picks" if picked else "rejects"), _taken(match))
    match = _match(_LABEL, words, i)
    if match is not None and not (words[i] == match.group("c1") and _on_a_thing(words, i + _taken(match))):
        colour = match.group("c1") or match.group("c2")
        return Found(Fact("color_label", "=", colour, f"{colour} label"), _taken(match))
    for pattern, name in ((_KEYWORD, "keyword"), (_TITLE, "title")):
        match = _match(pattern, words, i)
        if match is not None:
            start = i + _taken(match) - len(match.group("rest").split())
            said, n = _name_at(originals, start, one_word=name == "keyword")
            if said and said.lower() not in ENDS_A_NAME:
                return Found(Fact(name, "=" if name == "keyword" else "like", said,
                                  f"tagged {said}" if name == "keyword" else f"titled “{said}”"),
                             start - i + n)
    return None


def _name_at(originals: list[str], start: int, *, one_word: bool) -> tuple[str, int]:
    """A keyword or title as written: quoted words, else a word (a title: up to the next
    word that ends a name)."""
    if start >= len(originals):
        return "", 0
    first = originals[start]
    if first[:1] in "\"'“‘":
        for end in range(start, len(originals)):
            if originals[end][-1:] in "\"'”’" and (end > start or len(first) > 1):
                return " ".join(originals[start:end + 1]).strip("\"'“”‘’"), end - start + 1
    taken = 1
    if not one_word:
        while start + taken < len(originals) and originals[start + taken].lower() not in ENDS_A_NAME:
            taken += 1
    return " ".join(originals[start:start + taken]).strip(".,;:!?"), taken


# -- time of day ----------------------------------------------------------------------

# words -> the time of day they name
DAYTIMES: dict[str, str] = vocabulary.table("daytimes.words")
THINGS_TOO = vocabulary.terms("daytimes.things_too")  # a time only after "at", "during", "around"
TIME_PREPOSITIONS = tuple(f"{w} " for w in vocabulary.entry("daytimes.prepositions"))
NAME_OF = vocabulary.terms("daytimes.name_of")
_DAYTIME = _phrase("(?:(?:taken|shot|photographed) )?(?P<when>(?:at |during |in |around |by )?(?:the )?"
                   "(?P<said>" + "|".join(
    sorted((re.escape(w) for w in DAYTIMES), key=len, reverse=True)) + r"))(?= |$)")
# "night shots", "sunrise photos", "golden hour pics": photos of a time of day are taken then
_TIMED_PICTURES = _phrase("(?P<said>" + "|".join(sorted((re.escape(w) for w in DAYTIMES), key=len, reverse=True)) +
                          rf") {PICTURE}")


def _daytime(words, originals, i, holdings) -> Found | None:
    """ "at night", "night street", "in the morning", "at sunset", "golden hour", "dusk". The
    words stay for CLIP too: morning light, a night bus and golden hour are what a picture looks
    like (a night sky or a night market is a compound, words only)."""
    timed = _match(_TIMED_PICTURES, words, i)
    if timed:
        said = timed.group("said")
        name = DAYTIMES[said]
        return Found(Fact("daytime", "is", name, name), len(said.split()), keep=said)
    match = _match(_DAYTIME, words, i)
    if match is None:
        return None
    said, whole = match.group("said"), match.group("when")
    after = words[i + _taken(match):i + _taken(match) + 1]
    if after and after[0] in NAME_OF:
        return None  # "the sunrise diner", "sunset blvd": a name
    if said in THINGS_TOO and not whole.startswith(TIME_PREPOSITIONS):
        return None  # "sunsets", "light in sunset": what the picture shows; "at sunset" is a time
    if said == "night" and after in (["before"], ["after"]):
        return None  # "the night before christmas": a day, read as one
    name = DAYTIMES[said]
    keep = name if said.split()[0] in ("after", "before", "late") else whole  # "after dark": a night
    return Found(Fact("daytime", "is", name, name), _taken(match), keep=keep)


def daytime_fact(name: str):
    """The phrase of a time of day named by another phrase ("this morning", "last night")."""
    from flux_ask.query.phrases import FactPhrase

    return FactPhrase(Fact("daytime", "is", name, name))


def _after_a_day(words: list[str], i: int) -> bool:
    """ "friday night", "sunday mornings", "saturday evening": a time of a day named before it."""
    before = words[i - 1] if i else ""
    return before.rstrip("s") in vocabulary.terms("dates.weekdays") or before in ("weekend", "weekday", "weekends")


READERS: tuple[Reader, ...] = (_state, _lens, _quantity, _marks, _exposure, _shape, _focal, _daytime, _camera)


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_]", "", text.lower())
