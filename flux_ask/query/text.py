"""A question as words: lower case, punctuation trimmed, numbers parted from their units,
typos in the planner's own words corrected, quoted words and known compounds kept as words,
and a holiday named in several words made one ("⟪lunar_new_year⟫")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from flux_ask.query import dates, english, festivals, vocabulary

TAG = re.compile(r"⟪([^⟫ ]+)⟫")
QUOTES_OPEN = "\"“‘'«„"
QUOTES_CLOSE = "\"”’'»“"
MAX_TAG_WORDS = 6
MAX_WORD_CHARS = 100  # longer "words" are no word of any language: kept as they are, never looked up


@dataclass
class Words:
    originals: list[str] = field(default_factory=list)  # as typed, punctuation trimmed
    words: list[str] = field(default_factory=list)  # lower case, normalised, holidays tagged
    kept: list[bool] = field(default_factory=list)  # quoted, or inside a compound: words for CLIP only
    glued: list[bool] = field(default_factory=list)  # written onto the word before: the "mm" of "35mm"
    ends: list[bool] = field(default_factory=list)  # a comma or a stop after it: the end of a clause
    notes: list[str] = field(default_factory=list)  # what was corrected
    typos: list[tuple[str, str]] = field(default_factory=list)  # (as typed, as read) of each word corrected
    polite: bool = False  # "pls", "plz" said: a request ("a dozen umbrellas pls")

    def __len__(self) -> int:
        return len(self.words)

    def spoken(self, i: int) -> str:
        """The word as it goes to CLIP: a holiday's words, and a number said in words, as said."""
        match = TAG.fullmatch(self.words[i])
        if match:
            return match.group(1).replace("_", " ")
        if self.words[i].isdigit() and not self.originals[i].isdigit():
            return self.originals[i].lower()
        return self.words[i]

    def clause_from(self, j: int) -> list[str]:
        """The words from word j to the end of its clause (a comma or a stop after a word), none
        where the word before j ends one ("in brooklyn, hats on": "hats" is another clause's)."""
        end = next((k for k in range(j - 1, len(self.words)) if self.ends[k]), len(self.words) - 1)
        return self.words[j:end + 1]

    def free(self, i: int, j: int) -> bool:
        """Whether words i..j-1 may be read as a phrase: none of them is kept as a word."""
        return not any(self.kept[i:j])

    def cut(self, n: int) -> None:
        del self.originals[n:], self.words[n:], self.kept[n:], self.glued[n:], self.ends[n:]

    def _put(self, original: str, word: str, kept: bool, glued: bool = False, ends: bool = False) -> None:
        self.originals.append(original)
        self.words.append(word)
        self.kept.append(kept)
        self.glued.append(glued)
        self.ends.append(ends)

    def _replace(self, k: int, n: int, originals: list[str], words: list[str]) -> None:
        """Words k..k+n-1 as others: a range split in three, a holiday's words made one."""
        kept = [self.kept[k]] * len(words)
        ends = [False] * (len(words) - 1) + [self.ends[k + n - 1]] if words else []
        glued = [self.glued[k]] + [False] * (len(words) - 1) if words else []
        if not words and k and self.ends[k + n - 1]:
            self.ends[k - 1] = True  # a clause that ended with the words dropped ends before them
        self.originals[k:k + n], self.words[k:k + n], self.kept[k:k + n] = originals, words, kept
        self.glued[k:k + n], self.ends[k:k + n] = glued, ends


def holiday_of(word: str) -> str | None:
    """The name a holiday token stands for ("lunar new year"), or None."""
    match = TAG.fullmatch(word)
    return match.group(1).replace("_", " ") if match else None


def read(text: str) -> Words:
    out = Words()
    quoted = False
    opened = 0  # the first word of the open quote
    normalised, said = _normalised(text)
    for raw in normalised.split():
        if raw[:1] in "~/." and len(raw) > 1 and ("/" in raw or "." in raw[1:]):  # a file path, as typed
            out._put(raw, raw, False)
            continue
        opens = raw[:1] in QUOTES_OPEN and not re.fullmatch(r"['’‘]\d\d\w?", raw.rstrip(".,;:!?)"))  # "'22," a year
        ends = raw[-1:] in ",;:.!?)" and not re.fullmatch(r"\d+\.\d+|[a-z]\.", raw)
        closes = len(raw) > 1 and raw.rstrip(".,;:!?)")[-1:] in QUOTES_CLOSE and not raw.endswith("'s")
        clean = raw.strip(".,;:!?\"'()[]{}“”‘’«»„")
        if re.fullmatch(r"['’‘]\d\d", raw.rstrip(".,;:!?)")):
            clean = "'" + clean  # "april '22": a year written short
        if clean.endswith(("'s", "’s")):
            clean = clean[:-2]
        inside = quoted or opens
        if opens and not quoted:
            opened = len(out.words)
        if clean and not inside and clean.lower() in vocabulary.terms("ask.fillers"):
            out.polite = out.polite or clean.lower() in ("pls", "plz")  # "lol", "pls": chat, not a question
        elif clean:
            glued = UNIT_GLUED.fullmatch(clean)
            if glued and not inside and not _a_model(out, clean):  # "200mm", "3km", "48hrs": the number, its unit
                number, unit = glued.group(1) or glued.group(3), glued.group(2) or glued.group(4)
                out._put(number, number.lower(), False)
                out._put(unit, unit.lower(), False, glued=True, ends=ends)
            elif said.get(clean):  # a number said in words: read as a figure, kept as said
                out._put(said[clean].pop(0), clean, inside, ends=ends)
            else:
                out._put(clean, clean.lower().replace("’", "'"), inside, ends=ends)
        quoted = inside and not closes
    if quoted:  # a quote never closed was an apostrophe ("'cause"): its words are read as any others
        out.kept[opened:] = [False] * (len(out.words) - opened)
    _drop_empty_phrases(out)
    _keep_written_words(out)
    _drop_kind_words(out)
    _split_day_ranges(out)
    corrected = _correct_typos(out)
    _keep_compounds(out)
    _drop_names_of_kin(out)
    _tag_holidays(out)
    _undo_unread(out, corrected)
    out.typos = [(original, meant) for original, meant, note in corrected if note in out.notes]
    return out


def _undo_unread(out: Words, corrected: list[tuple[str, str, str]]) -> None:
    """A word corrected to part of a holiday's name that names no holiday with the words beside it
    was no typo of it: "souks" is not "souls" without "all"."""
    for original, meant, note in corrected:
        if meant in _name_parts() and meant in out.words:
            out.words[out.words.index(meant)] = original.lower()
            out.notes.remove(note)


# "twenty-ish pics", "50ish photos": about that many ("at 5ish" is a time)
ABOUT_SO_MANY = re.compile(r"\b(\d+|[a-z]+ty|dozen|hundred)-?ish(?=\s+(?:%s)\b)" % "|".join(
    sorted(vocabulary.terms("picture.nouns"), key=len, reverse=True)), flags=re.I)
MONTH_START = "(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"  # any case, inside patterns that are not
MONTH_WORD = r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?|january|february|march|april|may|june|july|" \
             r"august|september|october|november|december"


def _years_referred_back(text: str) -> str:
    """ "after may 2023 and before the end of that year": "that year" is the last year said."""
    def said_before(match: re.Match) -> str:
        years = re.findall(r"\b(?:19|20)\d\d\b", text[:match.start()])
        return years[-1] if years else match.group(0)
    return re.sub(r"\b(?:that|the same|that same) year\b", said_before, text, flags=re.I)


def _hyphen_between_words(match: re.Match) -> str:
    """A hyphen between words ends a clause, except between two dates' words ("jan - mar")."""
    text = match.string
    before = text[:match.start()].split()[-1].lower()
    after = text[match.end():].split()[0].lower()
    dated = vocabulary.terms("dates.months") | vocabulary.terms("dates.weekdays")
    return match.group(0) if before in dated and after in dated else ", "


def _normalised(text: str) -> tuple[str, dict[str, list[str]]]:
    """The text, and the words each number said in words was written in (_spoken_numbers)."""
    text = text.replace("⟪", " ").replace("⟫", " ")
    # "１２ weeks ago", "٣ weeks ago": full-width forms folded, every script's digits as ASCII ones
    text = re.sub(r"\d", lambda m: str(unicodedata.decimal(m.group(), 0)), unicodedata.normalize("NFKC", text))
    text = ABOUT_SO_MANY.sub(r"about \1", text)
    text, said = _spoken_numbers(text)
    spelled = vocabulary.table("spelled_out")  # "b&w", "wknd", "w/": written out, before "&" is "and"
    text = " ".join(spelled.get(w.lower().rstrip(",;:.!?"), None) and spelled[w.lower().rstrip(",;:.!?")] +
                    w[len(w.rstrip(",;:.!?")):] or w for w in text.split())
    text = text.replace("&", " and ")
    text = re.sub(r"\b(golden|blue|magic) hrs?\b", r"\1 hour", text, flags=re.I)  # "golden hr"; "24 hr diner" as typed
    text = re.sub(r"\bnon-(?=\w)", "non ", text, flags=re.I)  # "non-iphone shots"
    text = re.sub(r"\b(portrait|landscape|vertical|horizontal|square)-(?=orient|format)", r"\1 ", text,
                  flags=re.I)  # "portrait-orientation photographs"
    text = re.sub(r"(?<=[\w/.])[–—](?=[\w/])", "-", text)  # "f/8–f/11", "6–9am": a dash as typed is a hyphen
    text = re.sub(r"\s[–—]\s", ", ", text)  # "bastille day 2017 – défilé": a dash between words ends a clause
    text = re.sub(r"(?<=[^\W\d]) - (?=[^\W\d])", _hyphen_between_words, text)  # "a calendar - philly"
    text = re.sub(r"\b(\d{1,2})-(\d{1,2}) ?([ap]m)\b", r"\1\3 to \2\3", text, flags=re.I)  # "6-9am"
    text = text.replace("&&", " and ")
    text = re.sub(r"\b(f/?\d+(?:\.\d+)?)-(f/?\d+(?:\.\d+)?)\b", r"\1 - \2", text, flags=re.I)  # "f/16-f/22"
    text = re.sub(r"\b((?:19|20)\d\d)\s*[-–/]\s*(\d\d)\b(?![\d/.-])", r"\1 - \2", text)  # "winter 2017-18"
    # "jan–mar 22": a number after a span of months whose first has no day is the year of both
    text = re.sub(rf"\b({MONTH_WORD}) ?- ?({MONTH_WORD}) (\d\d)\b(?![\d/.:-]| ?,? ?(?:19|20)\d\d)", r"\1 - \2 '\3",
                  text, flags=re.I)
    text = re.sub(r"\b(winters?|summers?|autumn|fall) (\d\d)/(\d\d)\b(?![\d/.-])", lambda m: f"{m[1]} 20{m[2]} - {m[3]}"
                  if int(m[3]) == int(m[2]) + 1 else m[0], text, flags=re.I)  # "winter 18/19": 2018 into 2019
    text = re.sub(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b", r"\1 - \2", text)  # "2019-2021"
    text = re.sub(r"\b(early|mid|late)-((?:19|20)\d\d)\b", r"\1 \2", text, flags=re.I)  # "mid-2018"
    text = re.sub(r"\b(early|mid|late)[\s-]+['’‘](\d\d)\b", lambda m: f"{m.group(1)} "  # "early '17"
                  f"{(19 if int(m.group(2)) > 50 else 20)}{m.group(2)}", text, flags=re.I)
    text = re.sub(r"(\d)\s*[★⭐]+", r"\1 stars ", text)  # "4★": four stars, not four and one
    text = re.sub(r"[★⭐]+", lambda m: f" {len(m.group(0))} stars ", text)  # "★★★★"
    text = re.sub(r"☆+", " ", text)
    text = re.sub(r"(\d)\s?\*(?!\w)", r"\1 stars", text)  # "4*"
    text = text.replace("≥", " >= ").replace("≤", " <= ")
    # "more of 3200", "longer as one second", "under of 2 stars": than, as Spanish and German speakers say it
    number = r"(?= ?(?:\d|f/|iso\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b))"
    text = re.sub(r"\b(more|less|fewer|longer|shorter|bigger|smaller|higher|lower|wider|narrower|faster|slower|"
                  r"greater) (?:as|of)\b" + number, r"\1 than", text, flags=re.I)
    text = re.sub(r"\b(under|over|above|below) of\b" + number, r"\1", text, flags=re.I)
    text = re.sub(r"[♥❤♡💕💖💗💓💙💚💛💜🖤🤍]\ufe0f?", " love ", text)  # "i ♥ ny": said as read
    text = re.sub(r"(\d)\.\.(?=\d)", r"\1 to ", text)  # "2024-05-01..2024-05-15"
    text = re.sub(r"\bper-(?=[a-z])", "per ", text, flags=re.I)  # "a per-lens breakdown"
    text = re.sub(r"\b([a-z]+)-by-\1\b", r"\1 by \1", text, flags=re.I)  # "an hour-by-hour breakdown"
    # "within 5 km of the centre of Reykjavík": the place's centre is where its circle is drawn from
    text = re.sub(r"\b(?:the )?(?:centre|center|heart|middle) of (?=[A-Z])(?!" + MONTH_START + ")", "", text)
    text = _between_days(text)
    text = re.sub(r"\b([0-5])\s*[-–]\s*([0-5])(?=\s*(?:stars?|★))", r"\1 to \2", text, flags=re.I)  # "4-5 stars"
    text = re.sub(r"\b(f/?\d{1,2}),(\d)\b", r"\1.\2", text, flags=re.I)  # "f/1,4", "f2,8": a decimal comma
    text = _days_in_ranges().sub(r"\2 \1 \3 \5 \4", text)  # "from the 15th of march until the 2nd of april"
    text = _years_referred_back(text)
    # "around the middle of October 2021", "from the middle of 2022": mid-October, mid-2022
    text = re.sub(r"\b(?:the )?middle of (?=" + MONTH_START + r"[a-z]*\b|(?:19|20)\d\d\b)", "mid ", text, flags=re.I)
    text = re.sub(r"\b((?:19|20)\d\d) on(?=\s*(?:$|[,.;!?]))", r"\1 onwards", text)  # "from 2015 on"
    decade = rf"(?:early |mid |late )?(?:'?\d0s|(?:19|20)\d0s|{'|'.join(vocabulary.terms('dates.decade_words'))})"
    text = re.sub(rf"\b(the {decade}) and (?={decade}\b)", r"\1 and the ", text, flags=re.I)  # "the 80s and 90s"
    text = re.sub(r"\bw (?=(the|my|a|an|his|her|their|our)\b)", "with ", text, flags=re.I)  # "w the r5"
    numbers = vocabulary.table("numbers")
    text = re.sub(r"\b(a|an|\w+) decades? (?=ago\b|back\b)", lambda m: f"{10 * n} years " if (
        n := 1 if m.group(1).lower() in ("a", "an") else int(m.group(1)) if m.group(1).isdigit()
        else numbers.get(m.group(1).lower(), 0)) else m.group(0), text, flags=re.I)  # "two decades ago"
    comparatives = vocabulary.table("comparatives")  # "more long than": as "longer than"
    text = re.sub(r"\bmore (\w+)(?= than\b)", lambda m: comparatives.get(m.group(1).lower(), m.group(0)), text,
                  flags=re.I)
    # "iso<=400", "<135"; "<3" alone is a heart ("28mm street <3"), "<3 stars" a bound
    text = re.sub(r"\s*(>=|<=|=>|=<|(?<![\w/])>|<(?![a-z_/]|3(?!\d)(?!\s*(?:stars?|★))))\s*", r" \1 ", text,
                  flags=re.I)
    text = _numbers_as_written(text)
    # "any year" asks for no year at all; "any year but 2021" leaves one out
    text = re.sub(r"\b(?:from |in |of )?(?:any|whichever|whatever) years?\b"
                  r"(?![\s,]*(?:but|except|other|apart|besides|not)\b)", " ", text, flags=re.I)
    # "octobers", "my januaries": every one of that month ("marches" and "mays" are other words)
    text = re.sub(r"\b(?:(\w+) )?(january|february|april|june|july|august|september|october|november|december|"
                  r"januarie|summer|winter|autumn)s\b", _every_one, text, flags=re.I)  # ("falls", "springs": water)
    text = _weekdays_written_short(text)
    # "a long weekend in paris" is a trip, of no weekdays ("victoria day long weekend" is the holiday's)
    text = re.sub(r"\b(\w+) long (?:weekend|wknd)s?\b", lambda m: f"{m[1]} trip" if m[1].lower() in A_TRIP_BEFORE
                  else m[0], text, flags=re.I)
    # "rain umbrella -people", "skyline -nyc", 'bikes -"citi bike"': a search engine's minus is "not"
    text = re.sub(r"(?:^|(?<=\s))-((?:[^\W\d]|')[\w'-]*|\"[^\"]+\"|(?:19|20)\d\d\b)(?!\s*\d)",
                  lambda m: f"{', ' if m.start() else ''}not {m[1]},", text)
    text = re.sub(rf"\b({MONTH_WORD})/({MONTH_WORD})\b", r"\1 and \2", text, flags=re.I)  # "march/april 2019"
    text = re.sub(r"\b(?:a )?couple (?:of )?dozen\b", "24", text, flags=re.I)  # "couple dozen doorways"
    text = re.sub(r"\bf ?(\d),(\d)\b", r"f/\1.\2", text, flags=re.I)  # "f 1,8": a decimal comma
    text = re.sub(r"(?<![\w.])((?:1/)?\d+)(o+)\b", lambda m: m[1] + "0" * len(m[2]), text)  # "1/5oo", "iso 64oo"
    text = re.sub(r"(?<=\d)mmm\b", "mm", text, flags=re.I)  # "35mmm"
    text = _era_said(text)
    text = _direction_first().sub(r"\2 \1 than", text)  # "a wider aperture than f4": "aperture wider than f4"
    text = re.sub(r"\b(?:exactly|precisely) (?=\d)", "", text, flags=re.I)  # "rated exactly 5": the number is exact
    text = re.sub(r"\b(summer|winter|spring|autumn|fall) months\b", r"\1", text, flags=re.I)  # "the winter months"
    text = re.sub(r"\b([1-4])(?:st|nd|rd|th)(?= (?:quarter|week|half)\b)",  # "3rd quarter 2023", "2nd half of 2025"
                  lambda m: ("first", "second", "third", "fourth")[int(m.group(1)) - 1], text, flags=re.I)
    text = re.sub(r"\b((?:19|20)\d\d)\s*\+\s*(?=(?:19|20)\d\d\b)", r"\1 and ", text)  # "2022 + 2023": both years
    text = re.sub(r"(\d)\+(?=[\s,;.!?)]|$|[a-z])", r"\1 + ", text, flags=re.I)  # "6400+", "4+ stars"
    text = re.sub(r"([a-z])\+(?=[\s,;.!?)]|$)", r"\1 +", text, flags=re.I)  # "4 stars+", "400mm+,"
    return text, said


COUNTED_BEFORE = {"the", "last", "past", "few", "several", "both", "these", "those", "many", "two", "three", "four",
                  "five", "six", "seven", "eight", "nine", "ten", "some"}


def _every_one(m: re.Match) -> str:
    """ "octobers", "summers": every one of them; "two winters ago", "the last three summers" count them."""
    before, said = m.group(1), m.group(2).replace("januarie", "january")
    if before is not None and (before.lower() in COUNTED_BEFORE or before.isdigit()):
        return m.group(0)
    return f"{before + ' ' if before else ''}every {said}"


def _numbers_as_written(text: str) -> str:
    """Numbers as photographers write them, as plain numbers: "12,800" and "iso 6.4k" (a
    thousand grouped or said as k), "iso3200" (glued to its unit), "1/60th" and "slower than a
    15th" (a part of a second said as an ordinal)."""
    text = re.sub(r"(?<![\d,.])(\d{1,3}),(\d{3})(?![\d,])", r"\1\2", text)  # "12,800"
    # "nyc,2019,2020": a comma typed in haste, without its space
    text = re.sub(r"(?<=[^\W\d]),(?=\w)|(?<=\d),(?=[^\W\d])|(?<=\d{4}),(?=\d{4})", ", ", text)
    text = re.sub(r"\b(iso)(\d{2,6})\b", r"\1 \2", text, flags=re.I)  # "iso3200"
    thousands = r"(\d{1,2}(?:\.\d)?)k\b"  # "1k", "6.4k": by an ISO word only ("4k tv" is a screen)
    text = re.sub(r"\b(iso\W+(?:\w+\W+){0,3}?)" + thousands,
                  lambda m: m.group(1) + f"{float(m.group(2)) * 1000:g}", text, flags=re.I)
    text = re.sub(thousands + r"(?=\s*iso\b)", lambda m: f"{float(m.group(1)) * 1000:g}", text, flags=re.I)
    text = re.sub(r"\b1/(\d{1,4})(?:th|s)\b", r"1/\1", text, flags=re.I)  # "1/60th"
    # "slower than a 15th", "at a 60th": of a second; "at a 15th birthday" is no time
    return re.sub(r"\b(than|at|over|under) an? (\d{1,4})th\b(?!\s+(?:birthday|anniversary|of|century|street|st|"
                  r"avenue|ave|floor|place|reunion))", r"\1 1/\2", text, flags=re.I)


_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
# a year as it is said: "twenty twenty three", "nineteen ninety-five", "twenty oh five", "twenty ten"
SPOKEN_YEAR = re.compile(rf"(?<![\w-])(nineteen|twenty)[\s-]+"
                         rf"(?:(oh)[\s-]+({_UNITS})|({_TEENS})|({_TENS})(?:[\s-]+({_UNITS}))?)\b", re.I)


_NUMBER_WORD = rf"(?:{_UNITS}|{_TEENS}|{_TENS}|hundred|thousand|million|zero|point)"
# not inside a name written with a hyphen: "7-eleven", "eleven-ish"
_NUMBER_RUN = re.compile(rf"(?<![\w-]){_NUMBER_WORD}(?:(?:[\s-]+|(?:(?<=hundred)|(?<=thousand))\s+and\s+)"
                         rf"{_NUMBER_WORD})*\b(?!-)", re.I)  # "and" only inside one: "a hundred and five"


def _spoken_numbers(text: str) -> tuple[str, dict[str, list[str]]]:
    """Numbers said in words, as a phone's dictation writes them, in figures: years first
    ("march twenty twenty three" is March 2023, where a reader of cardinals makes "20 23"),
    then every other number from three up (text2num: "iso over three thousand two hundred",
    "wider than twenty four millimeters"); "one" and "two" stay words ("the one with the dog").
    Returns the text and, for each figure made, the words it was said in, in order: what no
    filter takes goes to CLIP as said ("five guys", not "5 guys")."""
    from text_to_num import alpha2digit  # deferred: only a question that has number words needs it

    words = {w: n for n, w in enumerate(_UNITS.split("|"), 1)} | {w: n for n, w in enumerate(_TEENS.split("|"), 10)} \
        | {w: n for n, w in enumerate(_TENS.split("|"), 2)}
    said: dict[str, list[str]] = {}

    def year(m: re.Match) -> str:
        century = 1900 if m.group(1).lower() == "nineteen" else 2000
        if m.group(2):
            figure = century + words[m.group(3).lower()]
        elif m.group(4):
            figure = century + words[m.group(4).lower()]
        else:
            figure = century + 10 * words[m.group(5).lower()] + (words[m.group(6).lower()] if m.group(6) else 0)
        said.setdefault(str(figure), []).append(m.group(0))
        return str(figure)

    def cardinal(m: re.Match) -> str:
        figures = alpha2digit(m.group(0), "en")
        if figures == m.group(0) or " " in figures:
            return m.group(0)  # no number, or no one number: "seven eleven", "fifty fifty"
        said.setdefault(figures, []).append(m.group(0))
        return figures

    text = SPOKEN_SHUTTER.sub(_shutter_said, text)
    text = _ordinal_days().sub(lambda m: (m.group("month") or "") + alpha2digit(m.group("day") or m.group("before"),
                                                                                "en", threshold=0), text)
    return _NUMBER_RUN.sub(cardinal, SPOKEN_YEAR.sub(year, text)), said


# a shutter speed as dictated: "one two fiftieth" (1/250), "a sixtieth of a second", "one five hundredth"
SPOKEN_SHUTTER = re.compile(rf"(?<![\w-])(?:one|a)[\s-]+(?P<said>(?:(?:{_UNITS}|{_TENS}|hundred|thousand)[\s-]+){{0,3}}"
                            rf"(?:[a-z]+ieth|[a-z]+th|second|third)s?)(?P<second> of a second| of a sec\b)?", re.I)
SHUTTER_DENOMINATORS = {2, 3, 4, 5, 8, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640,
                        800, 1000, 1250, 1600, 2000, 2500, 3200, 4000, 5000, 6400, 8000}
CARDINAL_OF = {"second": "two", "third": "three", "fourth": "four", "fifth": "five", "eighth": "eight",
               "ninth": "nine", "twelfth": "twelve"}


def _shutter_said(m: re.Match) -> str:
    """ "one two fiftieth" as 1/250: the ordinal as a cardinal, its hundreds said as photographers
    say them ("two fifty" is 250); a fraction only of the speeds cameras set, and below an eighth
    only "of a second" ("a fifth of the photos" is no shutter speed)."""
    from text_to_num import alpha2digit

    words = m.group("said").lower().rstrip("s").replace("-", " ").split()
    last = words[-1]
    last = CARDINAL_OF.get(last) or (last[:-4] + "y" if last.endswith("ieth") else last[:-2])
    figures = alpha2digit(" ".join([*words[:-1], last]), "en", threshold=0).split()
    if not all(f.isdigit() for f in figures) or len(figures) > 2:
        return m.group(0)
    n = int(figures[0]) * 100 + int(figures[1]) if len(figures) == 2 and int(figures[0]) < 10 else int(figures[-1])
    if n not in SHUTTER_DENOMINATORS or n < 8 and not m.group("second") or len(figures) == 2 and int(figures[1]) >= 100:
        return m.group(0)
    return f"1/{n}" + (" s" if m.group("second") else "")


@lru_cache(maxsize=1)
def _direction_first() -> re.Pattern:
    """A quantity's direction said before its name: "a wider aperture than", "a faster shutter speed than"."""
    kinds = [vocabulary.entry(f"quantity.{q}") for q in ("focal", "f_number", "iso", "exposure_s", "rating")]
    names = sorted({n for k in kinds for n in k["name"]} - {"speed"}, key=len, reverse=True)
    directions = sorted({d for k in kinds for d in k["more"] + k["less"] if " " not in d}, key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(map(re.escape, directions))}) ({'|'.join(map(re.escape, names))}) than(?= (?:f/?|1/)?\d)", re.I)


# named times of everyone's life, as the dates they were ("pre covid", "the year covid hit"):
# words.toml's [eras], each a pattern and the days it stands for
ERAS = [(re.compile(rf"\b{phrase}\b", re.I), days) for phrase, days in vocabulary.table("eras").items()]


def _era_said(text: str) -> str:
    for pattern, days in ERAS:
        text = pattern.sub(days, text)
    return text


A_TRIP_BEFORE = {"a", "the", "our", "my", "that", "one", "of", "on", "for"}  # "a long weekend": a trip, no holiday's
_ANY_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|" + "|".join(dates.WEEKDAY_SHORT) + r")\.?"
_WEEKDAY_RUN = re.compile(rf"\b{_ANY_WEEKDAY}(?:(?:\s*[-–/&,]\s*|\s+(?:and|or|to|through|thru|till|until)\s+)"
                          rf"{_ANY_WEEKDAY})+(?![\w])", re.I)
# "sat", "sun", "mon", "wed" are words too: weekdays only beside another, or after "on"
_SHORT_ALONE = re.compile(r"\b(tues?|weds|thu|thurs?|fri)\b\.?|\b(on|every|each|last|this|next) (mon|wed|sat|sun)\b\.?",
                          re.I)


def _weekdays_written_short(text: str) -> str:
    """ "fri and sat", "mon-fri", "on sat": weekdays written short, in full; "sat" and "sun" are
    words too, so those only beside another weekday or after "on"."""
    def full(word: str) -> str:
        return dates.WEEKDAY_SHORT.get(word.lower().rstrip("."), word)
    text = _WEEKDAY_RUN.sub(lambda m: re.sub(r"\s*[-–]\s*", " - ", re.sub(r"[a-z]+\.?", lambda w: full(w[0]), m[0],
                                                                         flags=re.I)), text)  # "mon-fri": a range
    return _SHORT_ALONE.sub(lambda m: full(m[1]) if m[1] else f"{m[2]} {full(m[3])}", text)


_ORDINALS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
             "fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth")


@lru_cache(maxsize=1)
def _ordinal_days() -> re.Pattern:
    """A day of the month said as an ordinal word beside its month: "the third of march",
    "june twenty-first" (which the cardinals' threshold leaves as words)."""
    months = vocabulary.pattern("dates.months")
    day = rf"(?:(?:twenty|thirty)[\s-])?(?:{_ORDINALS})"
    return re.compile(rf"(?<![\w-])(?P<before>{day})(?= of (?:the )?(?:{months})\b)|"
                      rf"(?P<month>\b(?:{months}) (?:the )?)(?P<day>{day})\b", re.I)


DAY = r"(?:the )?\d{1,2}(?:st|nd|rd|th)?"


@lru_cache(maxsize=1)
def _days_between() -> tuple[re.Pattern, re.Pattern]:
    months = vocabulary.pattern("dates.months")
    return (re.compile(rf"\bbetween ({DAY}) (?:and|-) ({DAY} (?:of )?(?:{months})\b)", re.I),
            re.compile(rf"\bbetween ((?:{months}) {DAY}) (?:and|-) ({DAY})\b", re.I))


@lru_cache(maxsize=1)
def _days_in_ranges() -> re.Pattern:
    """A range of two days said "the 15th of march until the 2nd of april", each as "march 15th":
    said so, it is longer than the longest phrase the planner tries."""
    months = vocabulary.pattern("dates.months")
    day = rf"(?:the )?(\d{{1,2}}(?:st|nd|rd|th)?) of (?:the )?({months})"
    return re.compile(rf"\b{day} (to|until|till|til|through|thru|and|-|–) {day}\b", re.I)


def _between_days(text: str) -> str:
    """ "between 14 and 21 august", "between august 14 and 21": the month said once, for both days."""
    day_first, month_first = _days_between()
    text = day_first.sub(r"\1 to \2", text)
    return month_first.sub(r"\1 to \2", text)


def _a_model(out: Words, word: str) -> bool:
    """Whether a number with letters after a camera's maker is its model ("canon 5d", "nikon
    1x", "hasselblad 500cm"), not a span or a count ("last 30d")."""
    if not out.words or not re.fullmatch(r"\d+(?:[dhxk]|c[mw]?|el)", word, re.I):
        return False
    maker = out.words[-1]
    return maker in CAMERA_MAKERS or len(maker) >= 4 and _nearest(maker, tuple(sorted(CAMERA_MAKERS))) is not None


CAMERA_MAKERS = frozenset(vocabulary.table("cameras.brands"))


# a number and its unit, written as one word: "200mm", "3km", "48hrs", "5yrs", "1/500s"; not "the 30s" (a decade)
UNIT_GLUED = re.compile(r"(\d+(?:\.\d+)?|1/\d+)(mm|mils?|cm|km|kms|m|mi|ft|hrs?|hours?|mins?|yrs?|wks?|mos?|days?|"
                        r"d|h|y|x|k|"
                        r"pm|am|mn|nm)|(1/\d+|\d+\.\d+|\d*[1-9])(s|secs?)", re.I)


SAYING = {"says", "saying", "spelling", "spells", "reads", "reading"}


def _keep_written_words(out: Words) -> None:
    """ "a neon sign that says golden hour", "a poster reading paris 1968": the words written in
    the picture, to the end of the clause, are words for CLIP, as if quoted."""
    for k, word in enumerate(out.words):
        if word in SAYING and (word != "reading" and word != "reads" or k and out.words[k - 1] in ("that", "which")
                               or k > 1 and out.words[k - 1] in ("sign", "signs", "poster", "banner", "graffiti")):
            for j in range(k + 1, len(out.words)):
                out.kept[j] = True
                if out.ends[j]:
                    break
            return


def _drop_kind_words(out: Words) -> None:
    """ "the month of march", "the year 2016": a date said with what kind of date it is."""
    k = 0
    while k < len(out.words):
        w = out.words
        said = 3 if w[k:k + 3] == ["the", "month", "of"] or w[k:k + 3] == ["the", "year", "of"] else \
            2 if w[k:k + 2] in (["month", "of"], ["the", "year"], ["year", "of"]) else 0
        after = w[k + said] if said and k + said < len(w) else ""
        if said and (after in vocabulary.terms("dates.months") and "month" in w[k:k + said] or
                     re.fullmatch(r"(19|20)\d\d", after) and "year" in w[k:k + said]) and out.free(k, k + said):
            out._replace(k, said, [], [])
        else:
            k += 1


def _drop_empty_phrases(out: Words) -> None:
    """ "in the archive", "of all time": words that say nothing of the pictures."""
    for phrase in sorted((p.split() for p in vocabulary.terms("ask.empty_phrases")), key=len, reverse=True):
        k = 0
        while k + len(phrase) <= len(out.words):
            if out.words[k:k + len(phrase)] == phrase and out.free(k, k + len(phrase)):
                out._replace(k, len(phrase), [], [])
            else:
                k += 1


def _split_day_ranges(out: Words) -> None:
    """ "dec 24-26", "3-10 march", "jan-mar": a range of days or months, as three words."""
    months = vocabulary.terms("dates.months")
    k = 0
    while k < len(out.words):
        first, dash, last = out.words[k].partition("-")
        if not dash or out.kept[k]:
            k += 1
            continue
        near = {out.words[j] for j in (k - 1, k + 1) if 0 <= j < len(out.words)}
        days = _day(first) and _day(last) and near & months
        if days or first in months and last in months:
            a, _, b = out.originals[k].partition("-")
            out._replace(k, 1, [a, "-", b], [first, "-", last])
            k += 3
        else:
            k += 1


def _day(word: str) -> bool:
    number = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", word)
    return bool(number) and 1 <= int(number.group(1)) <= 31


# -- typos ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _targets() -> tuple[str, ...]:
    """The words a typo may be corrected to: the planner's own."""
    words = set(_common_targets()) | {f"{d}s" for d in vocabulary.terms("dates.weekdays")}
    for name in festivals.festivals():  # six letters at least: "wien" is no typo of "wiesn"
        words.update(w for w in name.split() if len(w) >= 6)
    # makers by their names, not by the misspellings words.toml knows them by ("cannon" is no word to correct to)
    words.update(w for w, meant in vocabulary.table("cameras.brands").items()
                 if " " not in w and len(w) >= 5 and (w == meant or not _a_letter_or_two(w, meant)))
    return tuple(sorted(w for w in words if len(w) >= 4 and w.isalpha()))


def _a_letter_or_two(a: str, b: str) -> bool:
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b) <= 2


UNIT_TYPOS = {"mn": "mm", "nm": "mm", "mmm": "mm", "kn": "km", "kms": "km"}


@lru_cache(maxsize=1)
def _name_parts() -> frozenset[str]:
    """The words of holidays' names that are not the planner's words of their own."""
    return frozenset(_targets()) - _common_targets() - vocabulary.terms("cameras.brands")


@lru_cache(maxsize=1)
def _common_targets() -> frozenset[str]:
    """The planner's own words that are no part of a name: dates and the typo list's."""
    return frozenset(vocabulary.terms("typos.targets") | vocabulary.terms("dates.months") |
                     vocabulary.terms("dates.weekdays") | vocabulary.terms("dates.seasons") |
                     vocabulary.terms("units.span"))  # "last mnoth", "chinese new yaer"


def _correct_typos(out: Words) -> list[tuple[str, str, str]]:
    """Misspellings of the planner's own words ("febuary", "yesteday", "thanksgving") read as
    meant, and said in the notes. A word the dictionary knows, or a name, is never changed."""
    targets = _targets()
    known = set(targets) | set(vocabulary.table("cameras.brands"))  # "nikkon": the camera reader's to say
    corrected: list[tuple[str, str, str]] = []
    for k, word in enumerate(out.words):
        if out.kept[k]:
            continue
        if word in UNIT_TYPOS and k and out.words[k - 1].replace(".", "", 1).isdigit():
            out.words[k] = UNIT_TYPOS[word]  # "400mn"
            continue
        meant = _in_context(out.words, k)
        if meant is not None:  # "5 starts", "photos form 2019": a word, but not there
            out.notes.append(f"read '{out.originals[k]}' as '{meant}'")
            out.words[k] = meant
            continue
        if len(word) < 3 or len(word) > MAX_WORD_CHARS or not word.isalpha() or not word.isascii() or word in known:
            continue
        named = k and out.originals[k][:1].isupper() and not out.originals[k].isupper()
        if len(word) < 4 or not VOWELS.search(word[1:]):
            meant = _unvowelled().get(word)  # "lst", "nxt wknd", "smmr": the vowels left out
        else:
            meant = None if english.listed(word) else _nearest(word, targets)
        # a form of a word ("chrismas" of the rare "chrisma") gives way only to a long word of ours
        if meant is None or english.listed(word) or english.known(word) and len(meant) < 7:
            continue
        if named and meant not in _written_with_a_capital():
            continue  # a name, inside the question; "Januray", "Chirstmas" are written with a capital too
        if k and out.words[k - 1] in PLACE_BEFORE and meant in _name_parts():
            continue  # "in wien": a place's name after a preposition of place, not a festival's
        out.words[k] = meant
        out.notes.append(f"read '{out.originals[k]}' as '{meant}'")
        corrected.append((out.originals[k], meant, out.notes[-1]))
    return corrected


@lru_cache(maxsize=1)
def _written_with_a_capital() -> frozenset[str]:
    """Words of ours that English writes with a capital: months, weekdays, holidays' names."""
    return frozenset(vocabulary.terms("dates.months")) | frozenset(vocabulary.terms("dates.weekdays")) \
        | frozenset(w for name in (*festivals.festivals(), *festivals.names()) for w in name.split())


PLACE_BEFORE = ("in", "at", "near", "from", "around", "to")
AFTER_A_NUMBER = ("stars", "star")
BEFORE_A_NUMBER = ("iso",)
BEFORE_A_DATE = ("from", "since", "until", "before", "after", "during")
A_DATE = re.compile(r"(19|20)\d\d|'\d\d")


def _in_context(words: list[str], k: int) -> str | None:
    """A word a letter from one its neighbours call for: a unit after a number ("5 starts"), a
    preposition before a date ("form 2019"), even where a dictionary keeps the word as typed."""
    word = words[k]
    if k and (words[k - 1].endswith("er") or words[k - 1] in ("more", "less", "fewer")):
        return "than" if word == "then" else None  # "wider then 24mm"
    if k and words[k - 1].isdigit():
        wanted = AFTER_A_NUMBER
    elif k + 1 < len(words) and (A_DATE.fullmatch(words[k + 1]) or words[k + 1] in vocabulary.terms("dates.months")):
        wanted = BEFORE_A_DATE + BEFORE_A_NUMBER * words[k + 1].isdigit()
        if re.fullmatch(r"(?:19|20)\d\d|'\d\d", words[k + 1]):
            wanted += tuple(vocabulary.terms("dates.months"))  # "agust 2018": a month before its year
    elif k + 1 < len(words) and words[k + 1].isdigit() and len(words[k + 1]) >= 2:
        wanted = BEFORE_A_NUMBER  # "isso 1600": "iso" a letter off before a number
    elif words[k + 1:k + 2] == ["of"] and words[k + 2:k + 3] and words[k + 2] in vocabulary.terms("dates.months"):
        wanted = tuple(vocabulary.table("ordinals"))  # "the forth of july": a day of the month
    else:
        return None
    if word in wanted or len(word) < 4 or not word.isalpha():
        return None
    from rapidfuzz.distance import OSA  # deferred: only beside a number or a date

    near = [w for w in wanted if w[0] == word[0] and OSA.distance(word, w) == 1]
    return near[0] if len(near) == 1 else None


def _nearest(word: str, targets: tuple[str, ...]) -> str | None:
    """The planner's word a letter or two from `word`, with the same first letter."""
    from rapidfuzz import process  # deferred: 9 ms to import, for words no dictionary keeps
    from rapidfuzz.distance import OSA

    found = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=1 if len(word) <= 6 else 2)
    return found[0] if found and found[0][0] == word[0] and not _inflected(word, found[0]) else None


VOWELS = re.compile("[aeiouy]")


@lru_cache(maxsize=1)
def _unvowelled() -> dict[str, str]:
    """The planner's words with their vowels left out (but the first letter), where only one
    word is written so: "lst" is last, "smmr" summer."""
    found: dict[str, set[str]] = {}
    common = _common_targets()  # not names' parts
    for word in _targets():
        short = word[0] + VOWELS.sub("", word[1:])
        # three letters say too little unless one vowel was dropped: "lst", "nxt"
        if word in common and (len(short) >= 4 or len(word) == 4) and short != word:
            found.setdefault(short, set()).add(word)
    return {short: next(iter(words)) for short, words in found.items() if len(words) == 1}


def _inflected(word: str, target: str) -> bool:
    """ "verticals", "mornings": the same word, not a misspelling of it."""
    return any(word == target + end and not target.endswith(end[-1]) or target == word + end
               for end in ("s", "es", "ed", "d", "ly"))


# -- words that are only words: compounds ------------------------------------------------

@lru_cache(maxsize=1)
def _compounds() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Compounds by their first word, the longest first."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in vocabulary.terms("compounds.phrases"):
        words = tuple(w.removesuffix("'s") for w in phrase.lower().replace("’", "'").split())
        out.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in out.items()}


def _keep_compounds(out: Words) -> None:
    """Compounds ("new york strip", "f1 cars": the last word singular or plural) and a class by its
    year ("class of 2020 banners") stay words."""
    compounds = _compounds()
    for k, word in enumerate(out.words):
        if out.words[k:k + 2] == ["class", "of"] and k + 2 < len(out.words) and A_DATE.fullmatch(out.words[k + 2]):
            out.kept[k:k + 3] = [True] * 3
            continue
        for words in compounds.get(word, ()):
            said = out.words[k:k + len(words)]
            if len(said) == len(words) and tuple(said[:-1]) == words[:-1] and \
                    said[-1] in (words[-1], f"{words[-1]}s", f"{words[-1]}es") and \
                    not any(out.ends[k:k + len(words) - 1]):  # "autumn, leaves on cars": two clauses
                for j in range(k, k + len(words)):
                    out.kept[j] = True
                break


KIN = vocabulary.terms("picture.kin")
NOT_A_NAME = {"the", "a", "an", "and", "or", "in", "at", "on", "from", "of", "with", "last", "this", "next", "every",
              "was", "is", "when", "who", "s"}


def _drop_names_of_kin(out: Words) -> None:
    """The word after "aunt", "grandma", "my niece" is a name ("aunt june's porch", "grandma may's
    90th", "my niece brooklyn"): never a month or a place, and nothing CLIP can see."""
    k = 0
    while k + 1 < len(out.words):
        after = out.words[k + 1]
        if out.words[k] in KIN and not out.ends[k] and not out.kept[k + 1] and after.isalpha() and \
                after not in NOT_A_NAME and (after in vocabulary.terms("dates.months") or
                                             after in vocabulary.terms("dates.seasons") or not english.everyday(after)):
            out.notes.append(f"read '{out.originals[k + 1]}' as a name: no date or place, and no word of the picture")
            out._replace(k + 1, 1, [], [])
        k += 1


# -- holidays named in several words ---------------------------------------------------

def _tag_holidays(out: Words) -> None:
    """Holiday names of one to six words, the longest first, as one word each: "⟪lunar_new_year⟫"."""
    k = 0
    while k < len(out.words):
        for n in range(min(MAX_TAG_WORDS, len(out.words) - k), 0, -1):
            if not out.free(k, k + n):
                continue
            said = " ".join(out.words[k:k + n])
            # "all the halloweens", "christmases": every one of them, as the name without a year says
            said = next((s for s in (said, said[:-1], said[:-2]) if s != said and said.endswith("s") or s == said
                         if _holiday_name(s, n)), None)
            if said:
                out._replace(k, n, [" ".join(out.originals[k:k + n])], [f"⟪{'_'.join(said.split())}⟫"])
                break
        k += 1


def _holiday_name(said: str, n: int) -> bool:
    if len(said) > 60 or not re.search(r"[a-z]", said):
        return False
    key = festivals.key_of(said)
    if key in festivals.festivals() or key in vocabulary.table("holiday_aliases"):
        return True
    if key not in _index_keys():
        return False
    # one word the dictionary keeps ("assumption", "carnival") is a holiday only where words.toml says so
    return n > 1 or len(key) >= 5 and not english.everyday(key)


@lru_cache(maxsize=1)
def _index_keys() -> frozenset[str]:
    return frozenset(festivals.names())
