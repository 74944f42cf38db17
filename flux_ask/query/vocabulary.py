"""The planner's words (words.toml), read once: the grammar's terminals and the readers'
lists come from here, so that a new word is one line of data."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return tomllib.loads(resources.files("flux_ask.query").joinpath("words.toml").read_text(encoding="utf-8"))


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
def table(path: str) -> dict[str, Any]:
    return {key.replace("_", " "): value for key, value in entry(path).items()}


def alternation(words) -> str:
    """A regex that matches any of the words whole, the longest first (so "or more" beats "or")."""
    return "|".join(re.escape(w).replace(r"\ ", " ") for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def pattern(path: str) -> str:
    """The alternation of a list or a table's keys, for the grammar's {{path}} placeholders."""
    return alternation(terms(path))
