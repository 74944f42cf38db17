"""Composition root: parses arguments, builds Settings, opens the catalog, shows results.

The only module (with the TUI) that prints or chooses an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from flux_ask import __version__
from flux_ask.config import (
    DEFAULT_MODEL,
    DEFAULT_PRETRAINED,
    RUNTIMES,
    Settings,
    load_settings,
)
from flux_ask.errors import FluxAskError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["chat", *argv]  # no command: the chat, with its options ("flux-ask --images halfcell")
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_OK
    try:
        return args.run(args)
    except FluxAskError as exc:
        print(f"flux-ask: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `flux-ask ... | head` closed the pipe: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("flux-ask: interrupted; committed batches are kept, rerun to continue", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flux-ask",
        description="Search a photographer's archive by what the pictures show.",
        epilog="The archive home is $FLUX_ASK_HOME, else your data directory; "
        "settings come from config.toml there, then from flags.",
    )
    parser.add_argument("--version", action="version", version=f"flux-ask {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    def steps_of(group: argparse.ArgumentParser, metavar: str = "ACTION"):
        """The sub-commands of a command group; the group alone prints its help."""
        group.set_defaults(run=lambda args: group.print_help() or EXIT_OK)
        return group.add_subparsers(metavar=metavar)

    def catalog_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--home", type=Path, help="archive home (default: $FLUX_ASK_HOME or the user data dir)")
        p.add_argument("--db", help="metadata database (default: HOME/catalog.db)")
        p.add_argument("--vec", help="vector database (default: HOME/vectors.db)")

    def catalog_weights_flag(p: argparse.ArgumentParser) -> None:
        """The checkpoint a catalog embedded from a file needs to encode questions."""
        p.add_argument("--weights", type=Path, metavar="FILE",
                       help="the checkpoint the catalog was embedded with, if it came from a file")

    def model_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", help=f"open_clip architecture (default: {DEFAULT_MODEL}); "
                       "'tiny-test' is a tiny random model for tests")
        weights = p.add_mutually_exclusive_group()
        weights.add_argument("--pretrained", metavar="TAG",
                             help=f"open_clip pretrained tag (default for {DEFAULT_MODEL}: {DEFAULT_PRETRAINED})")
        weights.add_argument("--weights", type=Path, metavar="FILE", help="a local open_clip checkpoint")
        p.add_argument("--runtime", choices=RUNTIMES,
                       help="image encoder: onnx (float, default), onnx-int8 (about 2x faster on CPU), torch")
        p.add_argument("--batch", type=int, dest="batch_size", metavar="N", help="images per model batch (default: 64)")
        p.add_argument("--workers", type=int, metavar="N", help="decode processes (default: cores, at most 4)")

    index = sub.add_parser(
        "index", help="catalog every photograph under a folder",
        description="Hash, read EXIF, thumbnail and embed every photograph under INPUT. "
        "Resumable and incremental: unchanged files are skipped, moved files keep their "
        "photo and vector, vanished files are marked missing.",
    )
    index.add_argument("input", type=Path, metavar="INPUT", help="a folder of photographs")
    catalog_flags(index)
    model_flags(index)
    index.add_argument("--json", action="store_true", help="print the run report as JSON")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(run=cmd_index)

    add = sub.add_parser("add", help="index a few files (no sweep)",
                         description="Index the given files or folders without marking anything missing.")
    add.add_argument("input", type=Path, nargs="+", metavar="FILE")
    catalog_flags(add)
    model_flags(add)
    add.add_argument("--json", action="store_true", help="print the run report as JSON")
    add.add_argument("--quiet", action="store_true", help="no progress bar")
    add.set_defaults(run=cmd_add)

    watch = sub.add_parser("watch", help="index a folder, then index new photos as they arrive",
                           description="Keeps the model loaded, so a new photo is searchable within a second.")
    watch.add_argument("input", type=Path, metavar="INPUT")
    catalog_flags(watch)
    model_flags(watch)
    watch.add_argument("--quiet", action="store_true", help="no progress bar")
    watch.set_defaults(run=cmd_watch)

    status = sub.add_parser("status", help="what the catalog holds",
                            description="Photos, embeddings, missing files, errors by reason, "
                            "the model, the database paths and the last run.")
    catalog_flags(status)
    status.add_argument("--json", action="store_true", help="print as JSON")
    status.add_argument("--errors", action="store_true", help="list every file that could not be catalogued")
    status.set_defaults(run=cmd_status)

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
    chat.set_defaults(run=cmd_chat)

    ask = sub.add_parser(
        "ask", help="search the archive with a question in plain English",
        description='Examples: "show all umbrellas in fog", "silhouettes from winter 2022", '
        '"find all photographs made within one block of 40th and Walnut", "visual echoes of Rome".',
    )
    ask.add_argument("query", metavar="QUERY")
    catalog_flags(ask)
    catalog_weights_flag(ask)
    ask.add_argument("--limit", type=int, metavar="N", help="how many results (a page, in 'all' mode)")
    ask.add_argument("--page", type=int, default=1, metavar="K", help="which page of results (default: 1)")
    ask.add_argument("--rank", choices=("similarity", "keeper"),
                     help="order by similarity (default), or blend it with the keeper score (as 'best ...' does)")
    ask.add_argument("--plan", action="store_true", help="print the query plan as JSON and stop")
    ask.add_argument("--json", action="store_true", help='print {"plan": ..., "results": [...]}')
    ask.set_defaults(run=cmd_ask)

    similar = sub.add_parser("similar", help="photos that look like a catalogued photo or an image file")
    similar.add_argument("target", metavar="PHOTO_ID|FILE")
    catalog_flags(similar)
    catalog_weights_flag(similar)
    similar.add_argument("--limit", type=int, metavar="N", help="how many results (default: 12)")
    similar.add_argument("--json", action="store_true", help="print as JSON")
    similar.set_defaults(run=cmd_similar, page=1)

    keeper = sub.add_parser(
        "keeper", help="learn the photographer's taste from past issues and score every photo",
        description="In order: `match` the folder of photos that went into issues to the catalog (labels), "
        "`train` a classifier on the labelled embeddings (it also scores every photo), `score` again "
        "whenever you like. New photos are scored at ingest once a keeper model exists.",
    )
    steps = steps_of(keeper, "STEP")
    match = steps.add_parser(
        "match", help="match a keeper folder to the catalog, which labels every photo",
        description="Exact copies by SHA-256, then edited, re-exported, resized or cropped copies by CLIP "
        "embedding and perceptual hash, each with a confidence. Labels: 1 kept, 0 never kept, unknown where "
        "a match is ambiguous. Keepers that are not in the catalog are listed.",
    )
    match.add_argument("keeper_dir", type=Path, metavar="KEEPER_DIR")
    catalog_flags(match)
    catalog_weights_flag(match)
    match.add_argument("--json", action="store_true", help="print every file's match as JSON")
    match.add_argument("--quiet", action="store_true", help="no progress bar")
    match.set_defaults(run=cmd_keeper_match)
    train = steps.add_parser(
        "train", help="fit the keeper model on the labels, report its cross-validation, score every photo",
        description="A balanced logistic regression, replaced by a small MLP only if it wins the stratified "
        "cross-validation; calibrated probabilities; a split by year shows leakage across bursts.",
    )
    catalog_flags(train)
    train.add_argument("--folds", type=int, metavar="K", help="cross-validation folds (default: 5)")
    train.add_argument("--baseline-only", action="store_true", help="logistic regression only, no MLP")
    train.add_argument("--json", action="store_true", help="print the training report as JSON")
    train.set_defaults(run=cmd_keeper_train)
    score = steps.add_parser("score", help="score every photo with the newest keeper model")
    catalog_flags(score)
    score.add_argument("--json", action="store_true", help="print as JSON")
    score.set_defaults(run=cmd_keeper_score)

    recipe = sub.add_parser("recipe", help="save a question under a name and run it again later",
                            description="A recipe keeps the question, the plan it was understood as and its "
                            "parameters; running it searches the archive as it is then, so new photos appear.")
    recipe_steps = steps_of(recipe)
    save = recipe_steps.add_parser("save", help="save QUESTION as NAME (replacing a recipe of that name)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("question", metavar="QUESTION")
    save.add_argument("--limit", type=int, metavar="N", help="how many results it gives")
    save.add_argument("--rank", choices=("similarity", "keeper"), help="how it orders them")
    run = recipe_steps.add_parser("run", help="run a saved recipe on the archive as it is now")
    run.add_argument("name", metavar="NAME")
    run.add_argument("--limit", type=int, metavar="N", help="how many results (default: the recipe's)")
    run.add_argument("--page", type=int, default=1, metavar="K", help="which page of results (default: 1)")
    run.add_argument("--json", action="store_true", help="print as JSON")
    listing = recipe_steps.add_parser("list", help="the saved recipes")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    remove = recipe_steps.add_parser("rm", help="delete a recipe")
    remove.add_argument("name", metavar="NAME")
    for p, fn in ((save, cmd_recipe_save), (run, cmd_recipe_run), (listing, cmd_recipe_list),
                  (remove, cmd_recipe_rm)):
        catalog_flags(p)
        p.add_argument("--weights", type=Path, metavar="FILE", help=argparse.SUPPRESS)
        p.set_defaults(run=fn)

    basket = sub.add_parser("select", help="the selection basket: photos marked for the next issue",
                            description="The basket persists across questions and restarts (the chat's space bar "
                            "fills it too). `issue draft --from-selection` drafts from it, in the order selected.")
    basket_steps = steps_of(basket)
    for action, text in (("add", "put photos in the basket"), ("rm", "take photos out of it")):
        p = basket_steps.add_parser(action, help=text)
        p.add_argument("photo_ids", type=int, nargs="+", metavar="PHOTO_ID")
        p.set_defaults(run=cmd_select, action=action)
    for action, text in (("list", "what the basket holds, in the order selected"), ("clear", "empty it")):
        p = basket_steps.add_parser(action, help=text)
        p.set_defaults(run=cmd_select, action=action, photo_ids=None)
    for p in basket_steps.choices.values():
        catalog_flags(p)
        p.add_argument("--json", action="store_true", help="print as JSON")

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
    draft.add_argument("--count", type=int, default=12, metavar="N", help="how many photos (default: 12)")
    draft.add_argument("--order", choices=("time", "score", "keeper", "hand"), default="time",
                       help="time (default), score, keeper score, or hand (as selected / as answered)")
    draft.add_argument("--copy", action="store_true", help="copy the originals instead of linking to them")
    draft.add_argument("--issues-dir", type=Path, metavar="DIR",
                       help="where FLUX_### folders live (default: HOME/issues, or `issues` in config.toml)")
    draft.add_argument("--json", action="store_true", help="print what was written as JSON")
    catalog_flags(draft)
    draft.add_argument("--weights", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    draft.set_defaults(run=cmd_issue_draft)

    models = sub.add_parser("models", help="list open_clip architectures and their pretrained tags")
    models.add_argument("name", nargs="?", help="an architecture, to list its tags")
    models.set_defaults(run=cmd_models)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    names = ("db", "vec", "model", "pretrained", "weights", "runtime", "batch_size", "workers")
    overrides = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    return load_settings(getattr(args, "home", None), **overrides)


# -- index ----------------------------------------------------------------------------

class ProgressBars:
    """tqdm bars with rate and ETA, one per stage, on stderr."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        from flux_ask.ingest.pipeline import STAGE_LABELS

        if stage != self.stage:
            self.close()
            label = STAGE_LABELS.get(stage, stage)
            self.bar = tqdm(total=total or None, desc=label, unit="file", dynamic_ncols=True, smoothing=0.1)
            self.stage = stage
        if total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.stage = None


def _run_index(args: argparse.Namespace, inputs: list[Path], sweep: bool) -> int:
    from flux_ask.ingest.pipeline import Indexer

    for path in inputs:
        if not path.exists():
            raise FluxAskError(f"no such file or folder: {path}")
    settings = settings_from(args)
    bars = ProgressBars(enabled=not args.quiet and sys.stderr.isatty())
    try:
        with Indexer(settings, progress=bars) as indexer:
            report = indexer.index(inputs, sweep=sweep)
    finally:
        bars.close()
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report.as_dict())
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    if not args.input.is_dir():
        raise FluxAskError(f"not a folder: {args.input} (use `flux-ask add` for single files)")
    return _run_index(args, [args.input], sweep=True)


def cmd_add(args: argparse.Namespace) -> int:
    return _run_index(args, list(args.input), sweep=False)


def cmd_watch(args: argparse.Namespace) -> int:
    from flux_ask.ingest.watch import watch

    settings = settings_from(args)
    bars = ProgressBars(enabled=not args.quiet and sys.stderr.isatty())

    def announce(report) -> None:
        bars.close()
        print_report(report.as_dict())
        sys.stdout.flush()

    print(f"watching {args.input.resolve()} (Ctrl-C to stop)", file=sys.stderr)
    watch(settings, args.input, on_report=announce, progress=bars)
    return EXIT_OK


def print_report(report: dict[str, Any]) -> None:
    c = report["counts"]
    lines = [
        f"run {report['run_id']}: {c.get('files_seen', 0)} files seen, {c.get('unchanged', 0)} unchanged, "
        f"{c.get('new_photos', 0)} new photos, {c.get('new_files', 0)} new or moved files, "
        f"{c.get('embedded', 0)} embedded, {c.get('missing', 0)} newly missing, {c.get('errors', 0)} errors",
        f"{report['seconds']:.1f} s, {report['embedded_per_second']:.1f} photos embedded/s"
        + (f" with {report['model']}" if report["model"] else ""),
    ]
    if report["repaired"]:
        lines.append("repaired after an interrupted run: "
                     + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report["repaired"].items()))
    if report["errors_by_reason"]:
        lines.append("not catalogued: " + ", ".join(
            f"{reason} {n}" for reason, n in sorted(report["errors_by_reason"].items())
        ) + " (see `flux-ask status --errors`)")
    print("\n".join(lines))


# -- status ---------------------------------------------------------------------------

def cmd_status(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import require_catalog, status

    settings = settings_from(args)
    report = status(settings, require_catalog(settings), errors=args.errors)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_status(report)
    return EXIT_OK


def print_status(s: dict[str, Any]) -> None:
    from flux_ask.archive.summary import status_rows

    rows = status_rows(s)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for e in s.get("error_files", []):
        print(f"{e['reason']:<20} {e['path']}  ({e['detail']})")


# -- chat -----------------------------------------------------------------------------

def cmd_chat(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FluxAskError("the chat needs a terminal; from scripts use `flux-ask ask QUESTION --json`")
    import flux_ask.tui  # noqa: F401  (before Textual starts: it asks the terminal what it can draw)
    from flux_ask.chat.conversation import Conversation
    from flux_ask.tui.app import FluxAskApp

    FluxAskApp(Conversation(settings_from(args)), images=args.images).run()
    return EXIT_OK


# -- ask ------------------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import open_existing, plan_question

    settings = settings_from(args)
    conn = open_existing(settings)
    query_plan = plan_question(settings, conn, args.query, limit=args.limit, rank=args.rank)
    if args.rank == "keeper" and conn is not None:
        from flux_ask.keeper.scoring import active_model, required

        required(conn, active_model(conn))  # no keeper model (or one for other vectors): say so now
    if args.plan:
        print(query_plan.to_json(indent=2))
        return EXIT_OK
    return _answer(args, settings, query_plan, conn)


def cmd_similar(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import open_existing, similar_plan
    from flux_ask.query.plan import DEFAULT_LIMIT

    settings = settings_from(args)
    query_plan = similar_plan(args.target, limit=args.limit or DEFAULT_LIMIT)
    return _answer(args, settings, query_plan, open_existing(settings))


def _answer(args: argparse.Namespace, settings: Settings, query_plan, conn) -> int:
    from flux_ask.archive.summary import require_catalog
    from flux_ask.search.engine import Searcher

    if args.page < 1:
        raise FluxAskError("pages count from 1")
    conn = conn or require_catalog(settings)  # raises: no catalog, and what to do
    answer = Searcher(settings, conn).run(query_plan, page=args.page - 1, page_size=args.limit)
    if args.json:
        print(json.dumps(answer.as_dict(), indent=2))
    else:
        print_answer(answer.as_dict(), args.page)
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


# -- keeper ---------------------------------------------------------------------------

def _existing_catalog(args: argparse.Namespace):
    from flux_ask.archive.summary import require_catalog

    settings = settings_from(args)
    return settings, require_catalog(settings)


def cmd_keeper_match(args: argparse.Namespace) -> int:
    from flux_ask.keeper.match import KeeperMatcher

    settings, conn = _existing_catalog(args)
    bars = ProgressBars(enabled=not args.quiet and sys.stderr.isatty())
    try:
        report = KeeperMatcher(settings, conn, progress=bars).match(args.keeper_dir).as_dict()
    finally:
        bars.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    c, lab = report["counts"], report["labels"]
    print(f"{sum(c.values())} keeper files in {report['root']}: {c['matched']} matched, {c['ambiguous']} ambiguous, "
          f"{c['unmatched']} not in the catalog, {c['error']} unreadable ({report['seconds']:.1f} s)")
    print(f"labels: {lab['kept']:,} kept, {lab['not_kept']:,} never kept, {lab['unknown']:,} unknown")
    for warning in report["warnings"]:
        print(f"warning: {warning}")
    for f in report["files"]:
        if f["status"] == "matched" and f["method"] == "sha256":
            continue
        if f["status"] == "matched":
            what = (f"photo {f['photo_id']}, near-duplicate, confidence {f['confidence']:.2f} "
                    f"({f['phash_distance']} bits apart" + (f", cosine {f['cosine']:.3f})" if f["cosine"] else ")"))
        else:
            what = f["reason"]
        print(f"{f['status']:<10} {f['path']}  {what}")
    return EXIT_OK


def cmd_keeper_train(args: argparse.Namespace) -> int:
    from flux_ask.keeper.scoring import train_from_catalog

    settings, conn = _existing_catalog(args)
    say = (lambda message: print(f"… {message}", file=sys.stderr)) if not args.json else None
    report = train_from_catalog(settings, conn, kinds=("logistic",) if args.baseline_only else None,
                                folds=args.folds, progress=say)
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    print(f"{report['labels']:,} labelled photos, {report['kept']:,} kept; {report['folds']}-fold stratified "
          "cross-validation:")
    for kind, m in report["cross_validation"].items():
        mark = "*" if kind == report["chosen"] else " "
        print(f" {mark} {kind:<9} ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}  "
              + "  ".join(f"p@{k} {v:.2f}" for k, v in m["precision_at"].items()) + f"  ({m['seconds']:.1f} s)")
    split = report["time_split"]
    if split:
        print(f"   by time: trained on {split['train_years']}, tested on {split['test_years']}: ROC-AUC "
              f"{split['roc_auc']:.3f}, PR-AUC {split['pr_auc']:.3f} (base rate {split['base_rate']:.3f})")
    else:
        print("   by time: the labels do not span two years with keepers on both sides")
    cal = report["calibration"]
    print(f"calibrated ({cal['method']}): Brier {cal['brier']:.4f}, mean score {cal['mean_score']:.3f} "
          f"for a base rate of {cal['base_rate']:.3f}")
    print(f"saved {report['chosen']} as keeper model {report['id']} for {report['embedding_model']}: {report['path']}")
    print(f"scored {report['scoring']['scored']:,} photos in {report['scoring']['seconds']:.1f} s")
    return EXIT_OK


def cmd_keeper_score(args: argparse.Namespace) -> int:
    from flux_ask.keeper.scoring import score_catalog

    settings, conn = _existing_catalog(args)
    report = score_catalog(settings, conn)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"scored {report['scored']:,} photos with keeper model {report['keeper_model']} "
              f"in {report['seconds']:.1f} s")
    return EXIT_OK


# -- curation -------------------------------------------------------------------------

def cmd_recipe_save(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import plan_question
    from flux_ask.curation import recipes

    settings, conn = _existing_catalog(args)
    query_plan = plan_question(settings, conn, args.question, limit=args.limit, rank=args.rank)
    params = {k: v for k, v in (("limit", args.limit), ("rank", args.rank)) if v}
    name = recipes.save(conn, args.name, args.question, query_plan, params)
    print(f"saved recipe {name!r}: {args.question}")
    for note in query_plan.notes:
        print(f"· {note}")
    return EXIT_OK


def cmd_recipe_run(args: argparse.Namespace) -> int:
    from flux_ask.curation import recipes

    settings, conn = _existing_catalog(args)
    question, query_plan, _ = recipes.load(conn, args.name)
    if args.limit:
        query_plan = query_plan.with_limit(args.limit)
    if not args.json:
        print(f"recipe {args.name!r}: {question}")
    return _answer(args, settings, query_plan, conn)


def cmd_recipe_list(args: argparse.Namespace) -> int:
    from flux_ask.db import curation

    _, conn = _existing_catalog(args)
    saved = curation.recipes(conn)
    if args.json:
        print(json.dumps(saved, indent=2))
    elif not saved:
        print("no recipes yet: `flux-ask recipe save NAME \"QUESTION\"`")
    for r in saved if not args.json else ():
        print(f"{r['name']:<24} {r['question']}  (saved {r['saved_at'][:10]})")
    return EXIT_OK


def cmd_recipe_rm(args: argparse.Namespace) -> int:
    from flux_ask.curation import CurationError
    from flux_ask.db import curation

    _, conn = _existing_catalog(args)
    if not curation.delete_recipe(conn, args.name):
        raise CurationError(f"no recipe named {args.name!r}")
    print(f"deleted recipe {args.name!r}")
    return EXIT_OK


def cmd_select(args: argparse.Namespace) -> int:
    from flux_ask.db import curation

    _, conn = _existing_catalog(args)
    if args.action == "add":
        changed = curation.select(conn, args.photo_ids)
    elif args.action in ("rm", "clear"):
        changed = curation.unselect(conn, args.photo_ids)
    basket = [{"photo_id": p, "question": q} for p, q in curation.selection(conn)]
    if args.json:
        print(json.dumps({"selection": basket}, indent=2))
        return EXIT_OK
    if args.action != "list":
        print(f"{changed} {'added' if args.action == 'add' else 'removed'}; the basket holds {len(basket)}")
    else:
        for item in basket:
            print(f"{item['photo_id']:>7}  {item['question'] or ''}".rstrip())
        if not basket:
            print("the basket is empty")
    return EXIT_OK


def cmd_issue_draft(args: argparse.Namespace) -> int:
    from flux_ask.archive.summary import plan_question
    from flux_ask.curation import issue, recipes
    from flux_ask.search.engine import Searcher

    settings, conn = _existing_catalog(args)
    if args.count < 1:
        raise FluxAskError("--count must be at least 1")
    if args.from_selection:
        picks = issue.selection_picks(conn, settings)
        source = {"kind": "selection"}
    else:
        if args.from_recipe:
            question, query_plan, _ = recipes.load(conn, args.from_recipe)
            source = {"kind": "recipe", "recipe": args.from_recipe, "question": question}
        else:
            question = args.question
            query_plan = plan_question(settings, conn, question)
            source = {"kind": "question", "question": question}
        answer = Searcher(settings, conn).run(query_plan.with_limit(args.count), page_size=args.count)
        picks = issue.answer_picks(conn, settings, answer, question, args.count)
    picks = issue.ordered(picks[:args.count], args.order)
    report = issue.write_draft(args.issues_dir or settings.issues_dir, picks, order=args.order, source=source,
                               copy=args.copy)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        how = "copies" if args.copy else "links"
        print(f"drafted {report['issue']}: {report['photos']} photos ({how}, by {args.order}) in {report['folder']}")
        print(f"manifest: {', '.join(report['manifest'])}; contact sheet: {report['contact_sheet']}")
    return EXIT_OK


# -- models ---------------------------------------------------------------------------

def cmd_models(args: argparse.Namespace) -> int:
    from flux_ask.embed import available_models

    models = available_models()
    if args.name:
        if args.name not in models:
            raise FluxAskError(f"unknown model {args.name!r} (`flux-ask models` lists them)")
        print("\n".join(models[args.name]) or f"{args.name}: no pretrained tags (use --weights FILE)")
    else:
        for name, tags in models.items():
            print(f"{name:<32} {', '.join(tags)}".rstrip())
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
