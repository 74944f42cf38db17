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
from flux_ask.words import a_score, counted


def register(sub) -> None:
    ask = sub.add_parser(
        "ask", help="search the archive with a question in plain English",
        description='Examples: "show all umbrellas in fog", "silhouettes from winter 2022", '
        '"find all photographs made within one block of 40th and Walnut", "visual echoes of Rome".',
    )
    ask.add_argument("query", metavar="QUESTION", nargs="+", help="in quotes or not; `flux-ask QUESTION` asks it too")
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
        query_plan = archive.plan(" ".join(args.query), limit=args.limit, rank=args.rank)
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
        print_answer(result.as_dict(), args.page, result.ranking_in_words(), tally=result.tally(),
                     strength=result.strength_in_words(), pages=result.pages)
        if not result.results and result.groups is None:
            print(f"· page {args.page} is past the end: the answer has {counted(result.pages, 'page')}"
                  if result.total and args.page > 1 else f"· {result.why_empty()}")
    return EXIT_OK


def print_answer(a: dict[str, Any], page: int, ranked: str | None = None, *, tally: str = "",
                 strength: str | None = None, pages: int = 1) -> None:
    """The answer as lines: notes, then groups or a table; `tally` and `strength` are the
    answer's own words for its count (`Answer.tally`)."""
    from flux_ask.query.plan import PERIODS  # deferred: the search stack, only for an answer
    from flux_ask.search.answer import empty_groups

    for note in a["plan"]["notes"]:
        print(f"· {note}")
    lacking = {"no_date": "without an EXIF date", "no_location": "without a GPS position"}
    for key, n in a["left_out"].items():
        if n:
            print(f"· {counted(n, 'photo')} {lacking[key]} could not be considered")

    if ranked:
        print(f"· {ranked}")
    keeper = any(r["keeper_score"] is not None for r in a.get("results") or []) or any(
        r["keeper_score"] is not None for g in a.get("groups") or [] for r in g["members"])

    def table(results: list[dict[str, Any]], first: int) -> None:
        keeper_heading = f"{'keeper':>6}  " if keeper else ""
        print(f"{'rank':>4}  {'score':>6}  {keeper_heading}{'taken':<10}  {'photo':>7}  path")
        for i, r in enumerate(results, start=first):
            row = f"{i:>4}  " + (f"{r['score']:.3f}" if r["score"] is not None else "").rjust(6) + "  "
            if keeper:
                row += (f"{r['keeper_score']:.2f}" if r["keeper_score"] is not None else "").rjust(6) + "  "
            when = (r["taken_at"] or "undated")[:10]
            print(f"{row}{when:<10}  {r['photo_id']:>7}  {r['path']}")

    if a.get("groups") is not None:
        if not a["groups"]:
            print("nothing recurs enough to show: try fewer years, or a broader concept"
                  if a["plan"]["group_by"] == "motif" else empty_groups(a["plan"]["group_by"]))
        number = 1  # one numbering across the groups, as the chat's "the third one" counts
        for g in a["groups"]:
            if "years" in g:
                print(f"\n{g['label']}  (coherence x spread: {a_score(g['score'])})")
            elif g["score"] is None:
                print(f"\n{g['label']}")
            elif g["period"] not in PERIODS:
                print(f"\n{g['label']}  (mean of best: {a_score(g['score'])})")
            else:
                print(f"\n{g['label']}  (mean of best: {a_score(g['score'])}, share above threshold: "
                      f"{g['share_above_threshold']:.1%})")
            table(g["members"], number)
            number += len(g["members"])
        return
    paging = f", page {page} of {pages}" if pages > 1 and a["results"] else ""
    print(f"{tally}{paging} ({a['seconds'] * 1000:.0f} ms)")
    if strength:
        print(f"· {strength}")
    if a["results"]:
        table(a["results"], a["offset"] + 1)
    if page < pages and a["results"]:
        print(f"· more: --page {page + 1}")
