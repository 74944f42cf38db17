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
    from flux_ask.config import DEFAULT_TAGS
    from flux_ask.embed import available_models, weights_present

    models = available_models()
    if args.name and args.name not in models:
        raise FluxAskError(f"unknown model {args.name!r} (`flux-ask models` lists them)")

    def tag(name: str, t: str) -> str:
        marks = ("*" if weights_present(name, t) else "") + (" (default)" if DEFAULT_TAGS.get(name) == t else "")
        return t + marks

    if args.name:
        print("\n".join(tag(args.name, t) for t in models[args.name])
              or f"{args.name}: no pretrained tags (use --weights FILE)")
    else:
        for name, tags in models.items():
            print(f"{name:<32} {', '.join(tag(name, t) for t in tags)}".rstrip())
    print("* the weights are on this machine (open_clip's cache); the others download once, on a machine "
          "that is online")
    return EXIT_OK
