"""English as the dictionaries write it (the english-words package: web2 and GCIDE), read
only when a question needs it: whether a word is everyday English, or a word at all."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], frozenset[str]]:
    from english_words import get_english_words_set  # deferred: ~0.2 s, for near misses and bare names

    every = get_english_words_set(["web2", "gcide"], lower=False, alpha=True)
    return frozenset(w for w in every if w.islower()), frozenset(w.lower() for w in every)


def everyday(word: str) -> bool:
    """Whether a word is everyday English: the dictionaries keep it in lower case ("nice",
    "split", "turkey"), not only as a name ("Paris")."""
    return word.lower() in _words()[0]


def known(word: str) -> bool:
    """Whether the dictionaries have the word at all, as a name or otherwise ("Augusta"), or
    as the plural or past of one they have ("parties", "walked")."""
    word = word.lower()
    forms = {word}
    if len(word) > 4 and not word.endswith("ss"):  # "christmass" is no plural of "christmas"
        forms |= {word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith(("es", "ed")) else word,
                  word[:-3] + "y" if word.endswith("ies") else word, word[:-3] if word.endswith("ing") else word}
    return bool(forms & _words()[1])
