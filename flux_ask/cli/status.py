"""`status`: what the catalog holds."""

from __future__ import annotations

import argparse
from typing import Any

from flux_ask.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    archive_from,
    catalog_flags,
    json_flag,
    print_json,
)


def register(sub) -> None:
    status = sub.add_parser("status", help="what the catalog holds",
                            description="Photos, embeddings, missing files, errors by reason, "
                            "the model, the database paths and the last run.")
    catalog_flags(status)
    json_flag(status)
    status.add_argument("--errors", action="store_true", help="list every file that could not be catalogued")
    status.set_defaults(run=cmd_status)

    places = sub.add_parser("places", help="where the archive has been",
                            description="Countries, their regions and localities, each with its number of photos "
                            "and its first and last dates, most photographed first.")
    catalog_flags(places)
    json_flag(places)
    places.set_defaults(run=cmd_places)

    facts = sub.add_parser("facts", help="the cameras, lenses, formats, ratings and keywords the archive holds",
                           description="What the files say, with photo counts: what 'shot on the Canon', "
                           "'with the 85mm', 'rated 4 or more' or 'tagged family' can match.")
    catalog_flags(facts)
    json_flag(facts)
    facts.set_defaults(run=cmd_facts)


def cmd_status(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import status

    with archive_from(args) as archive:
        report = status(archive, errors=args.errors)
    if args.json:
        print_json(report)
    else:
        print_status(report)
    return EXIT_ERROR if report["damage"] else EXIT_OK


def print_status(s: dict[str, Any]) -> None:
    from flux_ask.archive.summary import status_rows

    rows = status_rows(s)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for e in s.get("error_files", []):
        print(f"{e['reason']:<20} {e['path']}  ({e['detail']})")


def cmd_places(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import place_rows, places

    with archive_from(args) as archive:
        countries = places(archive)
    if args.json:
        print_json(countries)
        return EXIT_OK
    if not countries:
        print("no photo has a place yet: photos need a GPS position, and `flux-ask index` names them")
    print_counted(place_rows(countries))
    return EXIT_OK


def cmd_facts(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import fact_rows, facts

    with archive_from(args) as archive:
        found = facts(archive)
    if args.json:
        print_json(found)
        return EXIT_OK
    rows = fact_rows(found)
    if not rows:
        print("no photo's files name a camera, a lens or a mark yet: `flux-ask index` reads them")
    print_counted(rows)
    return EXIT_OK


def print_counted(rows) -> None:
    """Indented names with their photo counts in a column, and a note after each."""
    width = max((2 * depth + len(name) for depth, name, _, _ in rows), default=0)
    for depth, name, photos, note in rows:
        noun = "photo " if photos == 1 else "photos"
        print(f"{'  ' * depth}{name:<{width - 2 * depth}}  {photos:>7,} {noun}  {note}".rstrip())
