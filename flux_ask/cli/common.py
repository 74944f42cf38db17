"""What every command shares: the catalog and model flags, settings from them, the
opened archive, progress bars and JSON output."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import threading
from pathlib import Path
from typing import Any

from flux_ask.config import (
    DEFAULT_MODEL,
    DEFAULT_PRETRAINED,
    DEVICE_NAMES,
    RUNTIMES,
    Settings,
    load_settings,
)
from flux_ask.errors import FluxAskError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def positive(text: str) -> int:
    """An argparse type: a whole number from 1 up (a count, a page, a photo id)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is less than 1")
    if value >= 2**63:
        raise argparse.ArgumentTypeError(f"{text} is too large")
    return value


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, with where to read more; a mistyped choice with the one
    it was probably meant to be."""

    commands: list[str] = []  # the top level's command names

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is None or value in action.choices:
            return
        choices = [str(c) for c in action.choices]
        near = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        guess = f"did you mean {near[0]!r}? " if near else ""
        raise argparse.ArgumentError(action, f"invalid choice: {value!r} ({guess}choose from {', '.join(choices)})")


def catalog_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", type=Path, help="archive home (default: $FLUX_ASK_HOME or the user data dir)")
    p.add_argument("--db", help="metadata database (default: HOME/catalog.db)")
    p.add_argument("--vec", help="vector database (default: HOME/vectors.db)")
    p.add_argument("--catalog", metavar="URL", help="a PostgreSQL catalog, postgresql://USER@HOST/DB, instead of "
                   "the SQLite files (default: $FLUX_ASK_CATALOG, or catalog in config.toml)")


def catalog_weights_flag(p: argparse.ArgumentParser, shown: bool = True) -> None:
    """The checkpoint a catalog embedded from a file needs to encode questions."""
    p.add_argument("--weights", type=Path, metavar="FILE",
                   help="the checkpoint the catalog was embedded with, if it came from a file"
                   if shown else argparse.SUPPRESS)


def model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help=f"open_clip architecture (default: {DEFAULT_MODEL}); "
                   "'tiny-test' is a tiny random model for tests")
    weights = p.add_mutually_exclusive_group()
    weights.add_argument("--pretrained", metavar="TAG",
                         help=f"open_clip pretrained tag (default for {DEFAULT_MODEL}: {DEFAULT_PRETRAINED})")
    weights.add_argument("--weights", type=Path, metavar="FILE", help="a local open_clip checkpoint")
    p.add_argument("--runtime", choices=RUNTIMES,
                   help="image encoder: onnx (float, default), onnx-int8 (about 2x faster on CPU), torch")
    p.add_argument("--device", choices=DEVICE_NAMES,
                   help="where the model runs: auto (default: CoreML on Apple silicon, CUDA with onnxruntime-gpu, "
                   "else the CPU), cpu, coreml, cuda, directml")
    p.add_argument("--batch", type=positive, dest="batch_size", metavar="N", help="images per model batch (default: 64)")
    p.add_argument("--workers", type=positive, metavar="N", help="decode processes (default: cores, at most 4)")


def json_flag(p: argparse.ArgumentParser, what: str = "print as JSON") -> None:
    p.add_argument("--json", action="store_true", help=what)


def steps_of(group: argparse.ArgumentParser, metavar: str = "ACTION"):
    """The sub-commands of a command group; the group alone prints its help."""
    group.set_defaults(run=lambda args: group.print_help() or EXIT_OK)
    return group.add_subparsers(metavar=metavar)


def settings_from(args: argparse.Namespace) -> Settings:
    names = ("db", "vec", "catalog", "model", "pretrained", "weights", "runtime", "device", "batch_size", "workers", "tiles")
    overrides = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    return load_settings(getattr(args, "home", None), **overrides)


def archive_from(args: argparse.Namespace, *, create: bool = False):
    """The archive the flags name, its catalog open (or made, with `create`)."""
    from flux_ask.archive.home import Archive  # deferred: --help needs no numpy or apsw

    archive = Archive(settings_from(args), create=create)
    return archive if create else archive.require()


def confirmed(question: str, yes: bool) -> bool:
    """Whether the user agrees to something that cannot be undone: `--yes`, else asked at the
    terminal (a no is said: "nothing was changed"); with no terminal to ask at, it is refused
    in one line."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise FluxAskError(f"nothing was changed: nobody is at a terminal to answer '{question}' (add --yes)")
    try:
        agreed = input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        agreed = False
    if not agreed:
        print("nothing was changed")
    return agreed


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2))


class ProgressBars:
    """tqdm bars with rate and ETA, one per stage, on stderr."""

    TICK_S = 0.5  # the clock keeps moving while a stage waits (a model loading, names built)

    def __init__(self, enabled: bool, unit: str = "file"):
        self.enabled = enabled
        self.unit = unit
        self.bar = None
        self.stage = None
        self._ticking: threading.Event | None = None

    @classmethod
    def unless(cls, quiet: bool, unit: str = "file") -> ProgressBars:
        return cls(enabled=not quiet and sys.stderr.isatty(), unit=unit)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        from flux_ask.ingest.report import STAGE_LABELS, WAITING_STAGES

        if stage != self.stage:
            self.close()
            label = STAGE_LABELS.get(stage, stage)
            waiting = stage in WAITING_STAGES  # nothing to count: the time it takes
            self.bar = tqdm(total=total or None, desc=label, unit=self.unit, dynamic_ncols=True, smoothing=0.1,
                            bar_format="{desc}… {elapsed}" if waiting else None)
            self.stage = stage
            self._tick(self.bar)
        if total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def _tick(self, bar) -> None:
        """Redraw the bar every TICK_S until it closes: its clock never stands still."""
        stop = self._ticking = threading.Event()

        def tick() -> None:
            while not stop.wait(self.TICK_S):
                bar.refresh()

        threading.Thread(target=tick, daemon=True, name="progress-clock").start()

    def close(self) -> None:
        if self._ticking is not None:
            self._ticking.set()
            self._ticking = None
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.stage = None

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
