"""Slash commands: their table (for /help and completion) and their parsing."""

from __future__ import annotations

import difflib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from flux_ask.curation.issue import ORDERS
from flux_ask.errors import FluxAskError

# name -> (arguments, what it does); the order /help shows
COMMANDS: dict[str, tuple[str, str]] = {
    "/help": ("", "this list, and the keys"),
    "/new": ("", "start afresh: the next question refines nothing before it"),
    "/meant": ("N", "read the last answer's place name as the Nth other place it may mean (its 'or' chips)"),
    "/other": ("N", "ask the last question the Nth other way it may be read (its chips that say 'as ...')"),
    "/similar": ("[#N | PHOTO_ID | FILE]", "photos like the highlighted one, result N, a photo id or an image file"),
    "/recipe save": ("NAME", "save the last question as a recipe"),
    "/recipe run": ("NAME", "ask a saved recipe again, on the archive as it is now"),
    "/recipe rm": ("NAME", "delete a recipe"),
    "/recipes": ("", "the saved recipes"),
    "/select": ("[clear]", "show the basket (space marks a photo), or empty it"),
    "/issue draft": ("[selection | answer | recipe NAME] [N] [time|score|keeper|hand] [copy]",
                     "draft FLUX_### from the basket (default when it holds any) or the last answer's top N"),
    "/index": ("PATH", "add a folder or file to the archive, in the background"),
    "/status": ("", "what the archive holds"),
    "/places": ("", "where the archive has been: countries, regions, localities"),
    "/facts": ("", "the cameras, lenses, formats, ratings and keywords the archive holds"),
    "/quit": ("", "leave"),
}


class CommandError(FluxAskError):
    pass


@dataclass(frozen=True)
class Command:
    name: str  # a key of COMMANDS
    args: tuple[str, ...]


def parse(text: str) -> Command:
    try:
        words = shlex.split(text.strip())
    except ValueError as exc:
        raise CommandError(f"cannot read that command: {exc}") from None
    if not words:
        raise CommandError("an empty command: /help lists them")
    for taken in (2, 1):
        name = " ".join(words[:taken])
        if name in COMMANDS:
            return Command(name, tuple(words[taken:]))
    close = difflib.get_close_matches(" ".join(words[:2]), COMMANDS, n=1) or \
        difflib.get_close_matches(words[0], COMMANDS, n=1)
    hint = f": did you mean {close[0]}?" if close else ""
    raise CommandError(f"no command {words[0]!r}{hint} (/help lists them)")


@dataclass(frozen=True)
class DraftRequest:
    source: str  # "selection", "answer", "recipe" or "" (the basket when it holds any, else the answer)
    recipe: str | None = None
    count: int = 12
    order: str | None = None  # None: by hand for the basket, by score for an answer
    copy: bool = False


def draft_request(args: tuple[str, ...]) -> DraftRequest:
    """`/issue draft recipe rain 12 keeper copy`: words in any order."""
    source, recipe, count, order, copy = "", None, 12, None, False
    words = list(args)
    while words:
        word = words.pop(0)
        if word in ("selection", "basket", "answer"):
            source = "answer" if word == "answer" else "selection"
        elif word == "recipe":
            if not words:
                raise CommandError("/issue draft recipe NAME: which recipe?")
            source, recipe = "recipe", words.pop(0)
        elif word.isdigit():
            count = int(word)
        elif word in ORDERS:
            order = word
        elif word == "by":  # "by time"
            continue
        elif word == "copy":
            copy = True
        else:
            raise CommandError(f"/issue draft does not know {word!r}: "
                               f"{COMMANDS['/issue draft'][0]}")
    if count < 1:
        raise CommandError("an issue needs at least one photo")
    return DraftRequest(source, recipe, count, order, copy)


def complete(text: str, recipes: list[str]) -> str | None:
    """The first way to finish a line being typed (what the prompt suggests); None when nothing fits."""
    found = candidates(text, recipes)
    return found[0] if found else None


def candidates(text: str, recipes: list[str]) -> list[str]:
    """Every way to finish a command being typed, as whole lines, in the order Tab goes
    through them: "/rec" is "/recipe save ", "/recipe run ", "/recipe rm " and "/recipes"."""
    if not text.startswith("/"):
        return []
    for prefix in ("/recipe run ", "/recipe rm "):
        if text.startswith(prefix):
            typed = text[len(prefix):]
            return [prefix + name for name in recipes if name.startswith(typed) and name != typed]
    if text.startswith("/index "):
        return _paths(text)
    return [name + (" " if COMMANDS[name][0] else "") for name in COMMANDS if name.startswith(text) and name != text]


def _paths(text: str) -> list[str]:
    typed = text[len("/index "):]
    folder, stem = os.path.split(os.path.expanduser(typed))
    try:
        names = sorted(e.name for e in os.scandir(folder or ".") if e.name.startswith(stem)
                       and not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []
    head = typed[:len(typed) - len(stem)]
    return [] if names == [stem] else ["/index " + head + name + "/" for name in names]


def index_target(args: tuple[str, ...]) -> Path:
    if not args:
        raise CommandError("/index PATH: which folder or file?")
    path = Path(" ".join(args)).expanduser().resolve()
    if not path.exists():
        raise CommandError(f"no such file or folder: {path}")
    return path
