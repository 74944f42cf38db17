"""`models`: the open_clip architectures and the weights each can load."""

from __future__ import annotations

import argparse

from flux_ask.cli.common import EXIT_OK
from flux_ask.errors import FluxAskError


def register(sub) -> None:
    models = sub.add_parser("models", help="list open_clip architectures and their pretrained tags")
    models.add_argument("name", nargs="?", help="an architecture, to list its tags")
    models.set_defaults(run=cmd_models)


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
