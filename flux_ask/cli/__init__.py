"""Composition root: the `flux-ask` command. Each command's module keeps its flags beside
its handler; this one composes the parser and is the edge where errors become one line.

The only package (with tui/) that prints or chooses an exit code. Heavy imports (numpy,
apsw, torch, Textual) wait inside the handlers, so `flux-ask --help` starts at once.
"""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys

from flux_ask import __version__
from flux_ask.cli import asking, catalog, chat, curation, indexing, keeper, models, status
from flux_ask.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Parser
from flux_ask.errors import FluxAskError, in_words
from flux_ask.words import visible

COMMANDS = (indexing, status, chat, asking, keeper, curation, catalog, models)  # in the order `--help` lists them


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help", "--version"):
        pass  # the program's own help and version, never a command's
    elif not argv or argv[0].startswith("-"):
        argv = ["chat", *argv]  # no command: the chat, with its options ("flux-ask --images halfcell")
    elif argv[0] == "help":
        argv = [*argv[1:2], "--help"]  # `flux-ask help ask` is `flux-ask ask --help`
    elif argv[0] not in parser.commands:
        if near := mistyped(argv[0], parser.commands):
            words = " ".join(a for a in argv if not a.startswith("-"))
            print(f"flux-ask: there is no command {argv[0]!r}: did you mean {near!r}? "
                  f"(to search for the words: flux-ask ask {words!r})", file=sys.stderr)
            return EXIT_USAGE
        argv = ["ask", *argv]  # a bare question asks it: flux-ask "umbrellas in fog"
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 goes out byte for byte
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_OK
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends a run as Ctrl-C does: cleanly
    if args.run is chat.cmd_chat:
        return _run(args)  # the chat draws the terminal itself, and shows file text escaped
    streams = sys.stdout, sys.stderr
    # names and fields from files are shown, never obeyed by the terminal (JSON escapes them itself)
    sys.stdout, sys.stderr = Visible(sys.stdout), Visible(sys.stderr)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = streams


def _run(args: argparse.Namespace) -> int:
    """A command, with whatever escapes it as one line."""
    try:
        return args.run(args)
    except FluxAskError as exc:
        print(f"flux-ask: {_secret_kept(str(exc), args)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `flux-ask ... | head` closed the pipe: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        kept = "; committed batches are kept, rerun to continue" if getattr(args, "writes", False) else ""
        print(f"flux-ask: interrupted{kept}", file=sys.stderr)
        return 130
    except Exception as exc:  # the edge: what escaped the library is still one line, never a traceback
        if os.environ.get("FLUX_ASK_DEBUG"):
            raise
        print(f"flux-ask: {_secret_kept(in_words(exc, getattr(args, 'home', None)), args)}", file=sys.stderr)
        return EXIT_ERROR


def mistyped(word: str, commands: list[str]) -> str | None:
    """The command a single word was meant to be ('aks', 'stauts', 'recipes'), or None where
    it reads as a question ('dogs', 'mask', 'faces': words a dictionary has)."""
    if " " in word:
        return None
    near = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.65)
    if not near:
        return None
    singular = word.lower().removesuffix("s")
    if singular in commands:
        return singular
    from flux_ask.query.places import is_everyday_word  # deferred: a dictionary, read only for a near miss

    plural = len(singular) > 3 and is_everyday_word(singular)  # 'stairs', not 'aks'
    return None if is_everyday_word(word) or plural else near[0]


def _secret_kept(said: str, args: argparse.Namespace) -> str:
    """An error's words with the catalog's password blotted out, whatever wrote them: the
    URLs given by flag, by environment or in config.toml."""
    from flux_ask.config import without_password, without_secret

    for url in filter(None, (getattr(args, "catalog", None), getattr(args, "to", None),
                             os.environ.get("FLUX_ASK_CATALOG"))):
        said = without_secret(said, str(url))
    return without_password(said)


class Visible:
    """A text stream whose control characters are written as \\xNN (words.visible)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(visible(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="flux-ask",
        description="Search a photographer's archive by what the pictures show.",
        epilog="The archive home is $FLUX_ASK_HOME, else your data directory; "
        "settings come from config.toml there, then from flags.",
    )
    parser.add_argument("--version", action="version", version=f"flux-ask {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    parser.commands = list(sub.choices)
    return parser
