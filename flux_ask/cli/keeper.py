"""`keeper match|train|score`: the photographer's taste, learnt from past issues."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flux_ask.cli.common import (
    EXIT_OK,
    ProgressBars,
    archive_from,
    catalog_flags,
    catalog_weights_flag,
    json_flag,
    positive,
    print_json,
    steps_of,
)
from flux_ask.errors import FluxAskError
from flux_ask.words import counted


def register(sub) -> None:
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
    json_flag(match, "print every file's match as JSON")
    match.add_argument("--quiet", action="store_true", help="no progress bar")
    match.set_defaults(run=cmd_keeper_match)
    train = steps.add_parser(
        "train", help="fit the keeper model on the labels, report its cross-validation, score every photo",
        description="A balanced logistic regression, replaced by a small MLP only if it wins the stratified "
        "cross-validation; calibrated probabilities; a split by year shows leakage across bursts.",
    )
    catalog_flags(train)
    train.add_argument("--folds", type=positive, metavar="K", help="cross-validation folds (default: 5)")
    train.add_argument("--baseline-only", action="store_true", help="logistic regression only, no MLP")
    json_flag(train, "print the training report as JSON")
    train.set_defaults(run=cmd_keeper_train)
    score = steps.add_parser("score", help="score every photo with the newest keeper model")
    catalog_flags(score)
    json_flag(score)
    score.set_defaults(run=cmd_keeper_score)


def cmd_keeper_match(args: argparse.Namespace) -> int:
    from flux_ask.keeper.match import KeeperMatcher

    with archive_from(args) as archive, ProgressBars.unless(args.quiet) as bars:
        report = KeeperMatcher(archive, progress=bars).match(args.keeper_dir).as_dict()
    if args.json:
        print_json(report)
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
    from flux_ask.archive.home import USEFUL_ROC_AUC
    from flux_ask.keeper.scoring import train_from_catalog

    if args.folds == 1:
        raise FluxAskError("--folds must be at least 2: cross-validation holds one fold out")
    say = (lambda message: print(f"… {message}", file=sys.stderr)) if not args.json else None
    with archive_from(args) as archive:
        report = train_from_catalog(archive, kinds=("logistic",) if args.baseline_only else None,
                                    folds=args.folds, progress=say)
    if args.json:
        print_json(report)
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
    chosen = report["cross_validation"][report["chosen"]]
    if chosen["roc_auc"] < USEFUL_ROC_AUC:
        print(f"warning: its cross-validated ROC-AUC {chosen['roc_auc']:.3f} is no better than chance: "
              "'best ...' keeps ranking by similarity until more keepers are labelled and it is trained again")
    print(f"scored {counted(report['scoring']['scored'], 'photo')} in {report['scoring']['seconds']:.1f} s")
    return EXIT_OK


def cmd_keeper_score(args: argparse.Namespace) -> int:
    from flux_ask.keeper.scoring import score_catalog

    with archive_from(args) as archive:
        report = score_catalog(archive)
    if args.json:
        print_json(report)
    else:
        print(f"scored {counted(report['scored'], 'photo')} with keeper model {report['keeper_model']} "
              f"in {report['seconds']:.1f} s")
    return EXIT_OK
