"""`python -m etlkit_core graph [--write | --check] [DIR]`: a pipeline's step graph from
its SQL (etlkit_core.pipeline_graph).

DIR is one pipeline's directory or a directory of them (default: `sql`). Without an option
the command prints each pipeline's graph and every step's reads and writes; `--write`
(re)writes each `pipeline.graph.json`; `--check` writes nothing and exits 1 naming every
stale one. A spec or SQL error exits 2 naming the file and field.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import EtlkitCoreError
from .pipeline_graph import (
    describe,
    graph_of,
    specs_in,
    stale_files,
    unknown_statements,
    write,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etlkit_core")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "graph", help="print a pipeline's step graph from its SQL, or write/check its file"
    )
    mode = command.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="(re)write each pipeline.graph.json")
    mode.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is stale"
    )
    command.add_argument("directory", nargs="?", type=Path, default=Path("sql"), metavar="DIR")
    args = parser.parse_args(argv)
    try:
        specs = specs_in(args.directory)
        if args.check:
            problems = stale_files(specs)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(
                    f"run `python -m etlkit_core graph --write {args.directory}` and commit "
                    "the result",
                    file=sys.stderr,
                )
            return 1 if problems else 0
        if args.write:
            for path in write(specs):
                print(f"wrote {path}")
            return 0
        described = [describe(s, graph_of(s), unknown_statements(s)) for s in specs]
        print("\n".join(described), end="")
        return 0
    except EtlkitCoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
