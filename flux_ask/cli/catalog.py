"""`catalog copy`: the catalog moved to PostgreSQL, or back to SQLite, without embedding anything."""

from __future__ import annotations

import argparse

from flux_ask.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    ProgressBars,
    archive_from,
    catalog_flags,
    json_flag,
    print_json,
    steps_of,
)
from flux_ask.config import without_password
from flux_ask.words import counted


def register(sub) -> None:
    catalog = sub.add_parser("catalog", help="copy the catalog to PostgreSQL or back to SQLite",
                             description="The catalog (photos, files, runs, errors, every model's vectors, "
                             "recipes, the basket, keeper labels, models and scores, the geocoder's answers) "
                             "copied whole into another; nothing is embedded again.")
    steps = steps_of(catalog, "STEP")
    copy = steps.add_parser(
        "copy", help="copy the catalog into an empty one: a postgresql:// URL or a folder",
        description="Copies the catalog the flags name (the archive home's SQLite files by default, or "
        "--catalog URL) into TO: a postgresql:// URL, or a folder that gets catalog.db and vectors.db. "
        "Stopped, it resumes where it was when run again. Then point flux-ask at the copy: "
        "catalog = \"URL\" in config.toml, or --catalog URL.")
    copy.add_argument("--to", required=True, metavar="URL_OR_FOLDER", help="where the copy goes")
    catalog_flags(copy)
    json_flag(copy, "print the rows copied per table as JSON")
    copy.add_argument("--quiet", action="store_true", help="no progress bar")
    copy.set_defaults(run=cmd_catalog_copy)


def cmd_catalog_copy(args: argparse.Namespace) -> int:
    from flux_ask.db.connect import open_elsewhere
    from flux_ask.db.copy import copy_catalog, same_catalog

    with archive_from(args) as archive:
        target = open_elsewhere(args.to)
        try:
            with ProgressBars.unless(args.quiet or args.json, unit="row") as bars:
                copied = copy_catalog(archive.conn, target, bars)
            differ = same_catalog(archive.conn, target)
        finally:
            target.close()
    where = without_password(args.to)
    if args.json:
        print_json({"to": where, "copied": copied, "differ": differ})
    else:
        said = [counted(n, "vector") if table.startswith("vec_") else
                counted(n, table.replace("_", " ").removesuffix("s")) if table.endswith("s") else
                f"{counted(n, 'row')} of {table}" for table, n in copied.items() if n]
        print(f"copied {archive.settings.catalog_name} to {where}: " + (", ".join(said) or "nothing new"))
        for table, (a, b) in differ.items():
            print(f"{table}: {a:,} rows here, {b:,} there")
    return EXIT_ERROR if differ else EXIT_OK
