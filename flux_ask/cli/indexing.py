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
    confirmed,
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

    forget = sub.add_parser("forget", help="take a folder or a file out of the catalog",
                            description="Remove the catalog's rows of every file under PATH, and the photos no "
                            "other file holds (their vectors, thumbnails, keeper labels and scores, basket places). "
                            "PATH may be gone already (a folder moved away). Recipes and every other photo stay; "
                            "the files themselves are never touched.")
    forget.add_argument("input", metavar="PATH", help="a folder or a file, as it was indexed")
    catalog_flags(forget)
    forget.add_argument("--yes", action="store_true", help="do it without asking")
    json_flag(forget, "print what was removed as JSON")
    forget.set_defaults(run=cmd_forget, writes=True)


def _flags(p: argparse.ArgumentParser, *, report: bool) -> None:
    catalog_flags(p)
    model_flags(p)
    if report:
        json_flag(p, "print the run report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_index(args: argparse.Namespace) -> int:
    if args.input.is_file():
        raise FluxAskError(f"not a folder: {args.input} (use `flux-ask add` for single files)")
    if not args.input.is_dir():
        raise FluxAskError(_gone(args))
    return _run_index(args, [args.input], sweep=True)


def _gone(args: argparse.Namespace) -> str:
    """What to say of a folder to index that is not there: moved away, perhaps, with files the
    catalog still holds."""
    from flux_ask.archive.home import Archive
    from flux_ask.cli.common import settings_from
    from flux_ask.db.files import files_counted_under
    from flux_ask.words import counted

    root = str(args.input.expanduser().resolve())
    with Archive(settings_from(args)) as archive:
        held = files_counted_under(archive.conn, root) if archive.exists() else 0
    if held:
        return (f"{root} is not there any more, and the catalog holds {counted(held, 'file')} under it: "
                f"`flux-ask forget {root}` takes them out (or index it where it was moved to)")
    return f"no such folder: {root}"


def cmd_forget(args: argparse.Namespace) -> int:
    from flux_ask.db.forget import forget, forgettable
    from flux_ask.picture.thumbs import remove_thumbnails
    from flux_ask.words import counted

    root = str(Path(args.input).expanduser().resolve())
    with archive_from(args) as archive:
        what = forgettable(archive.conn, root)
        said = {"path": root, "files": len(what.file_ids), "photos": len(what.photos),
                "photos_kept_by_other_files": what.kept, "in_basket": what.in_basket, "keeper_labels": what.labelled}
        if not what.file_ids:
            raise FluxAskError(f"the catalog holds no file under {root} (`flux-ask status` lists its folders)")
        plan = (f"Forget {counted(len(what.file_ids), 'file')} under {root}: {counted(len(what.photos), 'photo')} "
                "leave the catalog with their vectors and thumbnails"
                + (f" ({what.in_basket} in the basket, {counted(what.labelled, 'keeper label')})"
                   if what.in_basket or what.labelled else "")
                + (f"; {counted(what.kept, 'photo')} stay, held by files elsewhere" if what.kept else "")
                + ". The files themselves are not touched.")
        if not args.json:
            print(plan)
        if not confirmed("Go ahead?", args.yes):
            return EXIT_OK
        forget(archive.conn, what)
        remove_thumbnails(archive.settings.thumbs_dir, [sha for _, sha in what.photos])
    if args.json:
        print_json(said)
    else:
        print(f"forgot {counted(len(what.file_ids), 'file')} and {counted(len(what.photos), 'photo')}")
    return EXIT_OK


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
