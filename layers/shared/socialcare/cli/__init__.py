"""The `socialcare` command. Each module of this package adds its subcommands through
`register(subparsers)`, so capabilities plug in without touching this file."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialcare", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}").register(subparsers)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
