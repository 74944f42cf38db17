"""English as the dictionaries write it (the english-words package: web2 and GCIDE): whether a
word is everyday English, or a word at all. The lists are worked out once per install into
sorted arrays that a new process maps in and searches in microseconds (reading the package's
lists takes half a second)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from flux_ask.atomic import atomic_folder

INDEX_VERSION = "1"


@lru_cache(maxsize=1)
def _arrays() -> tuple[np.ndarray, np.ndarray]:
    """(everyday words: the ones the dictionaries keep in lower case; every word, lowered), sorted."""
    from flux_ask.config import package_stamp, static_cache_dir

    folder = static_cache_dir() / f"english-{INDEX_VERSION}-{package_stamp('english_words')}"
    try:
        return (np.load(folder / "everyday.npy", mmap_mode="r"), np.load(folder / "known.npy", mmap_mode="r"))
    except (OSError, ValueError):
        pass
    from english_words import get_english_words_set  # deferred: read once per install

    every = get_english_words_set(["web2", "gcide"], lower=False, alpha=True)
    everyday = np.array(sorted(w.encode() for w in every if w.islower() and w.isascii()))
    known = np.array(sorted({w.lower().encode() for w in every if w.isascii()}))
    try:
        with atomic_folder(folder) as tmp:
            np.save(Path(tmp) / "everyday.npy", everyday)
            np.save(Path(tmp) / "known.npy", known)
    except OSError:
        pass  # a read-only cache: worked out again in the next process
    return everyday, known


def _has(words: np.ndarray, word: str) -> bool:
    key = word.encode("ascii", "ignore")
    if not key or len(key) > words.dtype.itemsize:
        return False
    at = int(np.searchsorted(words, key))
    return at < len(words) and bytes(words[at]) == key


def everyday(word: str) -> bool:
    """Whether a word is everyday English: the dictionaries keep it in lower case ("nice",
    "split", "turkey"), not only as a name ("Paris")."""
    return word.isascii() and _has(_arrays()[0], word.lower())


ES_PLURALS = ("s", "x", "z", "ch", "sh", "o")  # "boxes", "churches", "tomatoes"; "lewes" is no plural of "lew"


def ordinary(word: str) -> bool:
    """Whether a word is everyday English or a plural or past of one ("cars", "farmers", "walked")."""
    word = word.lower()
    if everyday(word):
        return True
    stems = [word[:-1]] if word.endswith("s") and not word.endswith("ss") else []
    stems += [word[:-2]] if word.endswith("ed") or word.endswith("es") and word[:-2].endswith(ES_PLURALS) else []
    stems += [word[:-3] + "y"] if word.endswith("ies") else []
    stems += [word[:-3], word[:-3] + "e"] if word.endswith("ing") else []
    return any(len(stem) > 2 and everyday(stem) for stem in stems)


def known(word: str) -> bool:
    """Whether the dictionaries have the word at all, as a name or otherwise ("Augusta"), or
    as the plural or past of an everyday word ("parties", "walked")."""
    word = word.lower()
    if not word.isascii():
        return False
    if listed(word):
        return True
    if len(word) > 3 and not word.endswith("ss") and ordinary(word):  # "christmass" is no plural
        return True
    return _compound(word)


def _compound(word: str) -> bool:
    """Two everyday words written as one, as newer words are ("rooftops", "streetlights"), which
    the old dictionaries lack. Parts of four letters or more: "wends"+"day" is no word."""
    return any(everyday(word[:at]) and ordinary(word[at:]) for at in range(4, len(word) - 3))


def listed(word: str) -> bool:
    """Whether the dictionaries have the word as written, not only a word it may be a form of."""
    word = word.lower()
    return word.isascii() and _has(_arrays()[1], word)
