"""`recipe`, `select` and `issue draft`: saved questions, the basket, and the next issue."""

from __future__ import annotations

import argparse
from pathlib import Path

from flux_ask.cli.common import (
    EXIT_OK,
    archive_from,
    catalog_flags,
    catalog_weights_flag,
    confirmed,
    positive,
    print_json,
    steps_of,
)
from flux_ask.words import counted


def register(sub) -> None:
    recipe = sub.add_parser("recipe", help="save a question under a name and run it again later",
                            description="A recipe keeps the question, the plan it was understood as and its "
                            "parameters; running it searches the archive as it is then, so new photos appear.")
    recipe_steps = steps_of(recipe)
    save = recipe_steps.add_parser("save", help="save QUESTION as NAME (replacing a recipe of that name)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("question", metavar="QUESTION")
    save.add_argument("--limit", type=positive, metavar="N", help="how many results it gives")
    save.add_argument("--rank", choices=("similarity", "keeper"), help="how it orders them")
    save.add_argument("--yes", action="store_true", help="replace a recipe of that name without asking")
    run = recipe_steps.add_parser("run", help="run a saved recipe on the archive as it is now")
    run.add_argument("name", metavar="NAME")
    run.add_argument("--limit", type=positive, metavar="N", help="how many results (default: the recipe's)")
    run.add_argument("--page", type=positive, default=1, metavar="K", help="which page of results (default: 1)")
    run.add_argument("--json", action="store_true", help="print as JSON")
    listing = recipe_steps.add_parser("list", help="the saved recipes")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    remove = recipe_steps.add_parser("rm", help="delete a recipe")
    remove.add_argument("name", metavar="NAME")
    for p, fn in ((save, cmd_recipe_save), (run, cmd_recipe_run), (listing, cmd_recipe_list),
                  (remove, cmd_recipe_rm)):
        catalog_flags(p)
        catalog_weights_flag(p, shown=False)
        p.set_defaults(run=fn)

    basket = sub.add_parser("select", help="the selection basket: photos marked for the next issue",
                            description="The basket persists across questions and restarts (the chat's space bar "
                            "fills it too). `issue draft --from-selection` drafts from it, in the order selected.")
    basket_steps = steps_of(basket)
    for action, text in (("add", "put photos in the basket"), ("rm", "take photos out of it")):
        p = basket_steps.add_parser(action, help=text)
        p.add_argument("photo_ids", type=positive, nargs="+", metavar="PHOTO_ID")
        p.set_defaults(run=cmd_select, action=action)
    for action, text in (("list", "what the basket holds, in the order selected"), ("clear", "empty it")):
        p = basket_steps.add_parser(action, help=text)
        p.set_defaults(run=cmd_select, action=action, photo_ids=None)
    for p in basket_steps.choices.values():
        catalog_flags(p)
        p.add_argument("--json", action="store_true", help="print as JSON")
    basket_steps.choices["clear"].add_argument("--yes", action="store_true", help="empty it without asking")

    issue = sub.add_parser("issue", help="draft the next issue (FLUX_###)")
    issue_steps = steps_of(issue)
    draft = issue_steps.add_parser(
        "draft", help="write FLUX_### from a recipe, a question or the selection",
        description="Writes the folder after the highest FLUX_### in the issues folder: links to (or copies of) "
        "the originals, manifest.json and manifest.csv (photo_id, path, sha256, taken_at, place, the question), "
        "and contact_sheet.jpg. Nothing is written outside the issues folder; originals are only read.",
    )
    source = draft.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-recipe", metavar="NAME", help="the top results of a saved recipe")
    source.add_argument("--question", metavar="QUESTION", help="the top results of a question")
    source.add_argument("--from-selection", action="store_true", help="the selection basket")
    draft.add_argument("--count", type=positive, default=12, metavar="N", help="how many photos (default: 12)")
    draft.add_argument("--order", choices=("time", "score", "keeper", "hand"),
                       help="time, score, keeper score, or hand (as selected / as answered); by default the "
                       "basket as selected, a recipe or a question in time order (as the chat drafts)")
    draft.add_argument("--copy", action="store_true", help="copy the originals instead of linking to them")
    draft.add_argument("--issues-dir", type=Path, metavar="DIR",
                       help="where FLUX_### folders live (default: HOME/issues, or `issues` in config.toml)")
    draft.add_argument("--json", action="store_true", help="print what was written as JSON")
    catalog_flags(draft)
    catalog_weights_flag(draft, shown=False)
    draft.set_defaults(run=cmd_issue_draft)


def cmd_recipe_save(args: argparse.Namespace) -> int:
    from flux_ask.curation import recipes
    from flux_ask.db import curation

    with archive_from(args) as archive:
        query_plan = archive.plan(args.question, limit=args.limit, rank=args.rank)
        params = {k: v for k, v in (("limit", args.limit), ("rank", args.rank)) if v}
        held = curation.recipe(archive.conn, args.name.strip())
        if held and held["question"] != args.question and \
                not confirmed(f"Replace the recipe {args.name!r} ({held['question']})?", args.yes):
            return EXIT_OK
        said = recipes.save(archive.conn, args.name, args.question, query_plan, params)
    print(said)
    for note in query_plan.notes:
        print(f"· {note}")
    return EXIT_OK


def cmd_recipe_run(args: argparse.Namespace) -> int:
    from flux_ask.cli.asking import answer
    from flux_ask.curation import recipes

    with archive_from(args) as archive:
        question, query_plan, _ = recipes.load(archive.conn, args.name)
        if args.limit:
            query_plan = query_plan.with_limit(args.limit)
        if not args.json:
            print(f"recipe {args.name!r}: {question}")
        return answer(args, archive, query_plan)


def cmd_recipe_list(args: argparse.Namespace) -> int:
    from flux_ask.db import curation

    with archive_from(args) as archive:
        saved = curation.recipes(archive.conn)
    if args.json:
        print_json(saved)
    elif not saved:
        print("no recipes yet: `flux-ask recipe save NAME \"QUESTION\"`")
    for r in saved if not args.json else ():
        print(f"{r['name']:<24} {r['question']}  (saved {r['saved_at'][:10]})")
    return EXIT_OK


def cmd_recipe_rm(args: argparse.Namespace) -> int:
    from flux_ask.curation import CurationError
    from flux_ask.db import curation

    with archive_from(args) as archive:
        if not curation.delete_recipe(archive.conn, args.name):
            raise CurationError(f"no recipe named {args.name!r}")
    print(f"deleted recipe {args.name!r}")
    return EXIT_OK


def cmd_select(args: argparse.Namespace) -> int:
    from flux_ask.curation import CurationError
    from flux_ask.db import curation
    from flux_ask.search.answer import results_for

    with archive_from(args) as archive:
        conn = archive.conn
        unknown = curation.missing_photos(conn, args.photo_ids or [])
        if unknown and args.action == "add":
            raise CurationError(f"no photo {', '.join(map(str, unknown))} in the catalog: nothing was added "
                                "(`flux-ask ask ... --json` gives photo ids)")
        held = {p for p, _ in curation.selection(conn)}
        if args.action == "add":
            already = [p for p in args.photo_ids if p in held]
            changed = curation.select(conn, args.photo_ids)
        elif args.action == "clear" and held and \
                not confirmed(f"Take all {counted(len(held), 'photo')} out of the basket?", args.yes):
            return EXIT_OK
        elif args.action in ("rm", "clear"):
            changed = curation.unselect(conn, args.photo_ids)
        selected = curation.selection(conn)
        shown = {r.photo_id: r for r in results_for(archive, [p for p, _ in selected])}
    basket = [{"photo_id": p, "question": q, "path": shown[p].path, "taken_at": shown[p].taken_at,
               "place": shown[p].place} for p, q in selected]
    if args.json:
        print_json({"selection": basket})
        return EXIT_OK
    if args.action == "add" and already:
        print(f"already in the basket: {', '.join(map(str, already))}")
    if args.action != "list":
        print(f"{changed} {'added' if args.action == 'add' else 'removed'}; the basket holds {len(basket)}")
    else:
        for item in basket:
            asked = f"  (“{item['question']}”)" if item["question"] else ""
            print(f"{item['photo_id']:>7}  {(item['taken_at'] or 'undated')[:10]:<10}  {item['place'] or '':<28.28}  "
                  f"{item['path'] or ''}{asked}")
        if not basket:
            print("the basket is empty")
    return EXIT_OK



def cmd_issue_draft(args: argparse.Namespace) -> int:
    from flux_ask.curation import issue

    with archive_from(args) as archive:
        source = "selection" if args.from_selection else "recipe" if args.from_recipe else "question"
        if args.order == "keeper":
            archive.required_keeper()  # no keeper model: said before anything is searched
        plan = archive.plan(args.question) if args.question else None
        order = args.order or issue.default_order(source)
        report = issue.draft_issue(archive, source, count=args.count, order=order,
                                   issues_dir=args.issues_dir or archive.settings.issues_dir, copy=args.copy,
                                   recipe=args.from_recipe, question=args.question, plan=plan)
    if args.json:
        print_json(report)
    else:
        how = "copies" if args.copy else "links"
        print(f"drafted {report['issue']}: {counted(report['photos'], 'photo')} ({how}, by {order}) "
              f"in {report['folder']}")
        print(f"manifest: {', '.join(report['manifest'])}; contact sheet: {report['contact_sheet']}")
    return EXIT_OK
