"""The ``gilgamesh`` command.

``gilgamesh`` with no subcommand (and ``python main.py``) starts the GUI.
Subcommands never import Qt, except ``screenshot``.

Sub-systems add their own subcommands: each module listed in
:data:`SUBCOMMAND_MODULES` has ``register(subparsers)`` which adds a parser and
sets ``func=callable(args) -> int`` as its default.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

#: Modules contributing subcommands (each defines ``register(subparsers)``).
SUBCOMMAND_MODULES = [
    "core.cli",
    "manager.screenshot",
]

#: Optional modules: contribute subcommands when present.
OPTIONAL_SUBCOMMAND_MODULES = [
    "core.machine.cli",
    "biblio.cli",
    "core.notebooks.cli",
    "core.signals.bigcli",
    "core.hub.cli",
]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gilgamesh",
        description="Gilgamesh: shots, signals and diagnostics of a plasma testbed. "
                    "Without a subcommand, starts the GUI.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    p.add_argument("--fresh", action="store_true", help="GUI: ignore saved window layout and recent shots")
    p.add_argument("--shot", type=int, default=None, help="GUI: open this shot")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for mod in SUBCOMMAND_MODULES:
        importlib.import_module(mod).register(sub)
    for mod in OPTIONAL_SUBCOMMAND_MODULES:
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue
            raise
        m.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        return gui_main(args)
    from core.errors import GilgameshError

    try:
        rc = args.func(args)
    except GilgameshError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return int(rc or 0)


def gui_main(args: argparse.Namespace | None = None) -> int:
    """Start the GUI (arguments parsed before Qt is imported)."""
    if args is None:
        args = build_parser().parse_args([a for a in sys.argv[1:] if a.startswith("-")])
    from manager.app import run_app

    return run_app(fresh=args.fresh, shot=args.shot)


if __name__ == "__main__":
    sys.exit(main())
