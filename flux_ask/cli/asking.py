"""`ask` and `similar`: questions to the archive, answered as a table or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from flux_ask.cli.common import (
    EXIT_OK,
    catalog_flags,
    catalog_weights_flag,
    json_flag,
    positive,
    print_json,
    settings_from,
)


def register(sub) -> None:
    ask = sub.add_parser(
        "ask", help="search the archive with a question in plain English",
        description='Examples: "show all umbrellas in fog", "silhouettes from winter 2022", '
        '"find all photographs made within one block of 40th and Walnut", "visual echoes of Rome".',
    )
    ask.add_argument("query", metavar="QUERY")
    catalog_flags(ask)
    catalog_weights_flag(ask)
    ask.add_argument("--limit", type=positive, metavar="N", help="how many results (a page, in 'all' mode)")
    ask.add_argument("--page", type=positive, default=1, metavar="K", help="which page of results (default: 1)")
    ask.add_argument("--rank", choices=("similarity", "keeper"),
                     help="order by similarity (default), or blend it with the keeper score (as 'best ...' does)")
    ask.add_argument("--plan", action="store_true", help="print the query plan as JSON and stop")
    json_flag(ask, 'print {"plan": ..., "results": [...]}')
    ask.set_defaults(run=cmd_ask)

    similar = sub.add_parser("similar", help="photos that look like a catalogued photo or an image file")
    similar.add_argument("target", metavar="PHOTO_ID|FILE")
    catalog_flags(similar)
    catalog_weights_flag(similar)
    similar.add_argument("--limit", type=positive, metavar="N", help="how many results (default: 12)")
    json_flag(similar)
    similar.set_defaults(run=cmd_similar, page=1)


def cmd_ask(args: argparse.Namespace) -> int:
    from flux_ask.archive.home import Archive

    with Archive(settings_from(args)) as archive:
        if not args.plan:
            archive.require()  # no catalog: say so before planning (which may ask the geocoder)
        query_plan = archive.plan(args.query, limit=args.limit, rank=args.rank)
        if args.rank == "keeper" and archive.exists():
            archive.required_keeper()  # no keeper model (or one for other vectors): say so now
        if args.plan:
            print(query_plan.to_json(indent=2))
            return EXIT_OK
        return answer(args, archive, query_plan)


def cmd_similar(args: argparse.Namespace) -> int:
    from flux_ask.archive.home import Archive
    from flux_ask.query.plan import DEFAULT_LIMIT
    from flux_ask.query.planner import similar_plan

    with Archive(settings_from(args)) as archive:
        archive.require()
        return answer(args, archive, similar_plan(args.target, limit=args.limit or DEFAULT_LIMIT))


def answer(args: argparse.Namespace, archive, query_plan) -> int:
    """Run a plan and print its answer: shared by `ask`, `similar` and `recipe run`."""
    from flux_ask.search.engine import Searcher

    result = Searcher(archive).run(query_plan, page=args.page - 1, page_size=args.limit,
                                   keeper_asked=getattr(args, "rank", None) == "keeper")
    if args.json:
        print_json(result.as_dict())
    else:
        print_answer(result.as_dict(), args.page)
        if not result.results and result.groups is None:
            print(f"· {result.why_empty()}")
    return EXIT_OK


def print_answer(a: dict[str, Any], page: int) -> None:
    for note in a["plan"]["notes"]:
        print(f"· {note}")
    lacking = {"no_date": "without an EXIF date", "no_location": "without a GPS position"}
    for key, n in a["left_out"].items():
        if n:
            print(f"· {n:,} photos {lacking[key]} could not be considered")

    ranking = a.get("ranking")
    if ranking and "weight" in ranking:
        print(f"· blend: {ranking['formula']}; weight {ranking['weight']}, "
              f"over the best {ranking['pool']} by similarity")
    elif ranking:
        print(f"· ordered by {ranking.get('formula') or ranking.get('note')}")
    keeper = any(r["keeper_score"] is not None for r in a["results"])

    def table(results: list[dict[str, Any]], first: int) -> None:
        for i, r in enumerate(results, start=first):
            score = f"{r['score']:.3f}" if r["score"] is not None else "     "
            if keeper:
                score += "  " + (f"{r['keeper_score']:.2f}" if r["keeper_score"] is not None else "    ")
            when = (r["taken_at"] or "undated")[:10]
            print(f"{i:>4}  {score}  {when:<10}  {r['photo_id']:>7}  {r['path']}")

    if keeper:
        print("rank  score  keeper")

    if a.get("groups") is not None:
        if not a["groups"]:
            print("nothing recurs enough to show: try fewer years, or a broader concept"
                  if a["plan"]["group_by"] == "motif" else "no dated photo matches")
        for g in a["groups"]:
            if "years" in g:
                print(f"\n{g['label']}  (coherence x spread: {g['score']:.3f})")
            else:
                print(f"\n{g['label']}  (mean of best: {g['score']:.3f}, share above threshold: "
                      f"{g['share_above_threshold']:.1%})")
            table(g["members"], 1)
        return
    paging = f", page {page}" if a["total"] > len(a["results"]) else ""
    print(f"{a['total']:,} matches{paging} ({a['seconds'] * 1000:.0f} ms)")
    table(a["results"], a["offset"] + 1)
