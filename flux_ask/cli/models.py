"""`models`: the open_clip architectures and the weights each can load."""

from __future__ import annotations

import argparse

from flux_ask.cli.common import EXIT_OK, catalog_flags, settings_from
from flux_ask.errors import FluxAskError


def register(sub) -> None:
    models = sub.add_parser("models", help="list open_clip architectures and their pretrained tags")
    models.add_argument("name", nargs="?", help="an architecture, to list its tags")
    catalog_flags(models)
    models.set_defaults(run=cmd_models)


def cmd_models(args: argparse.Namespace) -> int:
    from flux_ask.config import DEFAULT_TAGS
    from flux_ask.embed import TINY_TEST, available_models, weights_present

    models = available_models()
    if args.name and args.name not in models and args.name != TINY_TEST:
        raise FluxAskError(f"unknown model {args.name!r} (`flux-ask models` lists them)")

    def tag(name: str, t: str) -> str:
        here = "*" if weights_present(models[name][t]) else ""
        return t + here + (" (default)" if DEFAULT_TAGS.get(name) == t else "")

    tiny = (f"{TINY_TEST:<32} random weights, 64-d, no download: to try flux-ask and to test it "
            "(its answers mean nothing)")
    if args.name == TINY_TEST:
        print(tiny)
    elif args.name:
        print("\n".join(tag(args.name, t) for t in models[args.name])
              or f"{args.name}: no pretrained tags (use --weights FILE)")
    else:
        for name, tags in models.items():
            print(f"{name:<32} {', '.join(tag(name, t) for t in tags)}".rstrip())
        print(tiny)
    print("* the weights are on this machine (open_clip's cache); the others download once, on a machine "
          "that is online")
    if in_use := _catalogs_model(args):
        print(f"the catalog's model: {in_use}")
    return EXIT_OK


def _catalogs_model(args: argparse.Namespace) -> str | None:
    """The model the catalog's vectors were made with, where there is a catalog."""
    from flux_ask.archive.home import Archive
    from flux_ask.db.models import active_model

    with Archive(settings_from(args)) as archive:
        if not archive.exists():
            return None
        model = active_model(archive.conn)
        return model.label if model else None
