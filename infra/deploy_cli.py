"""The command line both deploy commands share (`python -m infra.deploy`, `python -m
infra.mwaa.deploy`): where to deploy and the template parameters, parsed one way, so that
`make deploy` and `make deploy-mwaa` accept the same REGION, PROFILE and PARAMS."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.errors import InfraError


def parser(
    prog: str, description: str, *, endpoint_help: str, template: str
) -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(prog=prog, description=description)
    result.add_argument("--region", required=True)
    result.add_argument("--profile", default=None, help="AWS profile (default: the usual chain)")
    result.add_argument("--endpoint-url", default=None, help=endpoint_help)
    result.add_argument("--stack-prefix", default="etlkit", help="prefix of the stacks' names")
    result.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"{template} parameter, repeatable",
    )
    return result


def run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    deploy: Callable[..., Any],
    to_json: Callable[[Any], Any],
) -> int:
    """Parse, call `deploy(region=, endpoint_url=, profile=, stack_prefix=, parameters=)`,
    print its result as JSON; a deploy error is one line on stderr and exit 1."""
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    parameters = {}
    for item in args.parameter:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"--parameter {item!r}: expected NAME=VALUE")
        parameters[name] = value
    try:
        result = deploy(
            region=args.region,
            endpoint_url=args.endpoint_url,
            profile=args.profile,
            stack_prefix=args.stack_prefix,
            parameters=parameters,
        )
    except (InfraError, ClientError, BotoCoreError) as exc:
        print(f"{parser.prog}: deploy failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(to_json(result), indent=2, sort_keys=True))
    return 0
