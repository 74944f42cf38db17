"""The planner's words (words.toml), read once: the grammar's terminals and the readers'
lists come from here, so that a new word is one line of data."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from flux_ask.atomic import kept_pickled


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """words.toml, read from the install's cache as parsed the first time (18 ms to parse)."""
    from flux_ask.config import file_stamp, static_cache_dir

    path = source("words.toml")
    return kept_pickled(static_cache_dir() / f"words-{file_stamp(path)}.pickle",
                        lambda: tomllib.loads(path.read_text(encoding="utf-8")))


def source(name: str) -> Path:
    """A data file of the planner's, beside its code."""
    return Path(str(resources.files("flux_ask.query").joinpath(name)))


def entry(path: str) -> Any:
    """The value at a dotted path: entry("dates.months")."""
    value: Any = data()
    for key in path.split("."):
        value = value[key]
    return value


@lru_cache(maxsize=None)
def terms(path: str) -> frozenset[str]:
    """A list of words (or a table's keys) as a set; "_" in a key is a space ("sri_lankan")."""
    value = entry(path)
    return frozenset(str(w).replace("_", " ") if isinstance(value, dict) else str(w) for w in value)


@lru_cache(maxsize=None)
def phrases(path: str) -> tuple[tuple[str, ...], ...]:
    """A list of words as phrases of words, the longest first: the first that matches is the longest."""
    return tuple(sorted((tuple(w.split()) for w in terms(path)), key=len, reverse=True))


@lru_cache(maxsize=None)
def table(path: str) -> dict[str, Any]:
    return {key.replace("_", " "): value for key, value in entry(path).items()}


def alternation(words) -> str:
    """A regex that matches any of the words whole, the longest first (so "or more" beats "or")."""
    return "|".join(re.escape(w).replace(r"\ ", " ") for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def pattern(path: str) -> str:
    """The alternation of a list or a table's keys, for the grammar's {{path}} placeholders."""
    return alternation(terms(path))
