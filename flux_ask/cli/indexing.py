"""`index`, `add` and `watch`: photographs into the catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flux_ask.cli.common import (
    EXIT_OK,
    ProgressBars,
    archive_from,
    catalog_flags,
    json_flag,
    model_flags,
    print_json,
)
from flux_ask.errors import FluxAskError


def register(sub) -> None:
    index = sub.add_parser(
        "index", help="catalog every photograph under a folder",
        description="Hash, read EXIF, thumbnail and embed every photograph under INPUT. "
        "Resumable and incremental: unchanged files are skipped, moved files keep their "
        "photo and vector, vanished files are marked missing.",
    )
    index.add_argument("input", type=Path, metavar="INPUT", help="a folder of photographs")
    _flags(index, report=True)
    index.set_defaults(run=cmd_index, writes=True)

    add = sub.add_parser("add", help="index a few files (no sweep)",
                         description="Index the given files or folders without marking anything missing.")
    add.add_argument("input", type=Path, nargs="+", metavar="FILE")
    _flags(add, report=True)
    add.set_defaults(run=cmd_add, writes=True)

    watch = sub.add_parser("watch", help="index a folder, then index new photos as they arrive",
                           description="Keeps the model loaded, so a new photo is searchable within a second.")
    watch.add_argument("input", type=Path, metavar="INPUT")
    _flags(watch, report=False)
    watch.set_defaults(run=cmd_watch, writes=True)


def _flags(p: argparse.ArgumentParser, *, report: bool) -> None:
    catalog_flags(p)
    model_flags(p)
    if report:
        json_flag(p, "print the run report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_index(args: argparse.Namespace) -> int:
    if not args.input.is_dir():
        raise FluxAskError(f"not a folder: {args.input} (use `flux-ask add` for single files)")
    return _run_index(args, [args.input], sweep=True)


def cmd_add(args: argparse.Namespace) -> int:
    return _run_index(args, list(args.input), sweep=False)


def _run_index(args: argparse.Namespace, inputs: list[Path], sweep: bool) -> int:
    from flux_ask.ingest.pipeline import Indexer
    from flux_ask.ingest.report import summary_lines

    for path in inputs:
        if not path.exists():
            raise FluxAskError(f"no such file or folder: {path}")
    with archive_from(args, create=True) as archive, ProgressBars.unless(args.quiet) as bars, \
            Indexer(archive, progress=bars) as indexer:
        if switch := indexer.model_switch():
            print(f"flux-ask: {switch}", file=sys.stderr)
        report = indexer.index(inputs, sweep=sweep).as_dict()
    if args.json:
        print_json(report)
    else:
        print("\n".join(summary_lines(report)))
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    from flux_ask.ingest.report import summary_lines
    from flux_ask.ingest.watch import watch

    bars = ProgressBars.unless(args.quiet)

    def announce(report) -> None:
        bars.close()
        print("\n".join(summary_lines(report.as_dict())))
        sys.stdout.flush()

    print(f"watching {args.input.resolve()} (Ctrl-C to stop)", file=sys.stderr)
    with archive_from(args, create=True) as archive:
        watch(archive, args.input, on_report=announce, progress=bars,
              say=lambda line: print(f"flux-ask: {line}", file=sys.stderr))
    return EXIT_OK
