"""`chat` (the default command): the terminal chat over the archive."""

from __future__ import annotations

import argparse
import sys

from flux_ask.cli.common import (
    EXIT_OK,
    catalog_flags,
    catalog_weights_flag,
    settings_from,
)
from flux_ask.config import TILE_SETTINGS
from flux_ask.errors import FluxAskError


def register(sub) -> None:
    chat = sub.add_parser(
        "chat", help="the chat: ask, look, follow up, mark, save recipes, draft issues (the default command)",
        description="A terminal chat over the archive, with the pictures inline. Type a question; follow it up "
        "(\"only 2023\", \"not in Rome\", \"more like the third one\", \"show more\"); Tab moves to the results "
        "(arrows or hjkl, Enter opens, space marks); /help lists the commands.",
    )
    catalog_flags(chat)
    catalog_weights_flag(chat)
    chat.add_argument("--images", choices=("auto", "halfcell", "unicode"), default="auto",
                      help="how pictures are drawn: auto picks Kitty graphics or Sixel when the terminal has them, "
                      "else colour half-blocks (default: auto)")
    chat.add_argument("--tiles", choices=TILE_SETTINGS,
                      help="the size of the pictures in an answer (default: auto, the largest that puts four in a "
                      "row; or `tiles` in config.toml)")
    chat.set_defaults(run=cmd_chat)


def cmd_chat(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FluxAskError("the chat needs a terminal; from scripts use `flux-ask ask QUESTION --json`")
    import flux_ask.tui  # noqa: F401  (before Textual starts: it asks the terminal what it can draw)
    from flux_ask.archive.home import Archive
    from flux_ask.chat.conversation import Conversation
    from flux_ask.tui.app import FluxAskApp

    with Archive(settings_from(args)) as archive:
        FluxAskApp(Conversation(archive), images=args.images).run()
    return EXIT_OK
