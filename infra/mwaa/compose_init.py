"""docker-compose.yaml's one-shot `stack-init`: `make local-up` against services compose runs.

    python -m infra.mwaa.compose_init --state-dir /stack [--database reviews] [--rows N]

`make local-up` (infra/local/stack.py) starts its own local AWS server and finds
PostgreSQL on this machine; under compose both already run as services, so this does the
rest of `up` with the same functions, against them: the Redshift stand-in database and
role (PGHOST/PGPORT/PGUSER, the `redshift` service), the production templates deployed to
the local AWS at $AWS_ENDPOINT_URL with `infra.deploy`, the secret pointed at that
database, the sample reviews, and `<state dir>/env` + `stack.json` in `.local/env`'s
format, which the Airflow containers load. Rerunning it redeploys (create-or-update) and
recreates the database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from infra.deploy import deploy, point_secret_at
from infra.errors import InfraError
from infra.local import stack
from infra.local.errors import LocalAwsError
from sqlrunner.process import exit_with

WAIT_SECONDS = 120


def wait_for(endpoint: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5):  # noqa: S310 - our endpoint
                return
        except (urllib.error.URLError, OSError) as exc:
            if time.monotonic() > deadline:
                raise InfraError(
                    f"the local AWS at {endpoint} did not answer in {seconds:.0f} s: {exc}"
                ) from None
            time.sleep(1)


def init(state_dir: Path, endpoint: str, database: str, rows: int | None) -> stack.StackState:
    state_dir.mkdir(parents=True, exist_ok=True)
    wait_for(endpoint)
    postgres = stack.ensure_postgres(state_dir, print)
    password = secrets.token_urlsafe(24)
    stack.create_database(postgres, database, password)
    os.environ.update(stack.DUMMY_CREDENTIALS)
    print(f"deploying the templates to {endpoint}...", flush=True)
    result = deploy(
        endpoint_url=endpoint,
        region=stack.REGION,
        stack_prefix=stack.STACK_PREFIX,
        parameters={"DatabaseName": database},
    )
    point_secret_at(
        endpoint_url=endpoint,
        region=stack.REGION,
        secret_id=result.secret_arn,
        host=postgres.host,
        port=postgres.port,
        username=stack.runner_role(database),
        password=password,
        dbname=database,
    )
    state = stack.StackState(
        endpoint_url=endpoint,
        region=stack.REGION,
        database=database,
        postgres=postgres,
        server_pid=0,  # the local-aws service owns the server
        outputs=result.outputs,
        state_machines=result.state_machines,
    )
    if rows is None or rows > 0:
        state.sample_rows = stack.seed_sample_data(state, rows, print)
    state.env = stack.environment(state)
    stack.write_state(state, state_dir)
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.mwaa.compose_init", description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--database", default=stack.DEFAULT_DATABASE)
    parser.add_argument(
        "--rows",
        type=int,
        default=int(os.environ.get("SAMPLE_ROWS", "0")) or None,
        help="sample reviews to generate (default $SAMPLE_ROWS, else the generator's default)",
    )
    args = parser.parse_args(argv)
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        parser.error("AWS_ENDPOINT_URL must point at the local AWS server")
    try:
        state = init(args.state_dir, endpoint, args.database, args.rows)
    except (InfraError, LocalAwsError) as exc:
        print(f"stack-init failed: {exc}", file=sys.stderr)
        return 1
    print(f"stack ready: {len(state.state_machines)} pipeline(s); env in {args.state_dir / 'env'}")
    return 0


if __name__ == "__main__":
    exit_with(main())
