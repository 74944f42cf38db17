"""Saved query recipes: a name, the question, the plan it was understood as, and its
parameters. Running one searches the archive as it is now, so new photos appear."""

from __future__ import annotations

import re
from typing import Any

import apsw

from flux_ask.curation import CurationError
from flux_ask.db import curation as store
from flux_ask.query.plan import QueryPlan

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 _.-]{0,63}")


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME.fullmatch(name):
        raise CurationError(f"{name!r} cannot name a recipe: use 1-64 letters, digits, spaces, '.', '-' or '_', "
                            "starting with a letter, digit or '_'")
    return name


def save(conn: apsw.Connection, name: str, question: str, plan: QueryPlan, params: dict[str, Any]) -> str:
    """'saved the recipe NAME: QUESTION', or 'replaced ...' with the question it held before."""
    name = check_name(name)
    before = store.save_recipe(conn, name, question, plan.as_dict(), params)
    if before is None:
        return f"saved the recipe {name!r}: {question}"
    return f"replaced the recipe {name!r}: {question} (it was: {before})"


def load(conn: apsw.Connection, name: str) -> tuple[str, QueryPlan, dict[str, Any]]:
    found = store.recipe(conn, name.strip())
    if found is None:
        known = ", ".join(r["name"] for r in store.recipes(conn)) or "none yet"
        raise CurationError(f"no recipe named {name!r} (saved: {known})")
    return found["question"], QueryPlan.from_dict(found["plan"]), found["params"]
