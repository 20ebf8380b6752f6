"""`make local-up` / `make local-down`: the whole stack on one machine.

`up` starts the stack's own PostgreSQL cluster (`.local/pgdata`, from the installed
binaries), creates the database that stands in for Redshift with the runner's login role,
and a database for Airflow's metadata, starts the local AWS server in the background,
deploys the production templates to it with `infra.deploy` (the same code path as real
AWS; lineage on, to `s3://<data bucket>/lineage/`), points the runner's database secret at
PostgreSQL with `engine: postgres`, seeds the sample reviews and the TICKIT sample, and
writes:

- `.local/env`: `export` lines, so `. .local/env` gives a shell the endpoint, dummy
  credentials, region, buckets, secret id, db, Glue job, state machine ARNs and topic,
  plus the `AIRFLOW_VAR_ETLKIT_*` / `AIRFLOW_CONN_AWS_DEFAULT` Airflow reads and its
  metadata database (`AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`);
- `.local/stack.json`: the same values for tools (the demo, tests).

No secret value is written to either file or printed: the password lives only in the
local Secrets Manager, where the runner reads it as it would on AWS.

The cluster is the stack's own because a login must be checked as Redshift checks it: TCP
connections authenticate with scram-sha-256 (`pg_hba.conf`, rewritten on every start), so
the runner with a wrong password is refused, as it would be on AWS; the machine's server
usually trusts 127.0.0.1 for everyone, and its pg_hba.conf is not ours to edit. The
administration (creating databases and roles, the tests' checks, Airflow's metadata) uses
the cluster's Unix socket in its data directory, with no password to keep anywhere. With
PGHOST set, `up` uses that server instead (docker-compose's `redshift` service, or yours);
its own pg_hba.conf then decides how logins are checked.

`down` stops what `up` started (the server, a private PostgreSQL cluster) and removes
the env file; a PostgreSQL server that was already running is left alone, and so are the
database and role `up` made there, which `down` names; `down --purge` drops them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pg

from infra import REPO_ROOT
from infra.local.errors import LocalAwsError, LocalStackError
from infra.local.stepfunctions_retry import RETRY_SCALE_ENV
from infra.mwaa import local_airflow
from sqlrunner.process import exit_with

LOG = logging.getLogger("infra.local.stack")

REGION = "us-east-1"
STACK_PREFIX = "etlkit"
DEFAULT_STATE_DIR = REPO_ROOT / ".local"
# The environment's console scripts (`sqlrunner`, `airflow`), which `.local/env` puts on PATH.
VENV_BIN = Path(sys.executable).parent
DEFAULT_AWS_PORT = 4566  # where docker-compose.yaml publishes it too
DEFAULT_DATABASE = "reviews"  # the blog post's --db
LAKE_PREFIX = "lake/reviews/parquet/"
OWNER_MARK = "etlkit local stack"  # database comment: only such databases are ever dropped
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class Postgres:
    host: str
    port: int
    admin_user: str
    private_data_dir: str | None = None  # set when up() started a private cluster

    def connect(self, dbname: str = "postgres") -> Any:
        """An administrator's connection: over the private cluster's Unix socket, or to the
        configured server."""
        return pg.DB(dbname=dbname, host=self.admin_host, port=self.port, user=self.admin_user)

    @property
    def admin_host(self) -> str:
        return self.private_data_dir or self.host

    def sqlalchemy_url(self, dbname: str) -> str:
        """Airflow's metadata database URL (psycopg2), as the administrator; no password."""
        if self.private_data_dir:
            return (
                f"postgresql+psycopg2://{self.admin_user}@/{dbname}"
                f"?host={self.private_data_dir}&port={self.port}"
            )
        return f"postgresql+psycopg2://{self.admin_user}@{self.host}:{self.port}/{dbname}"


@dataclass
class StackState:
    """What `up` built; saved as .local/stack.json."""

    endpoint_url: str
    region: str
    database: str
    postgres: Postgres
    server_pid: int
    outputs: dict[str, str]
    state_machines: dict[str, str]
    sample_rows: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    airflow_database_url: str | None = None  # the local Airflow's metadata database

    @classmethod
    def load(cls, state_dir: Path = DEFAULT_STATE_DIR) -> StackState:
        path = state_dir / "stack.json"
        if not path.exists():
            raise LocalStackError(f"no local stack state in {state_dir}: run `make local-up`")
        raw = json.loads(path.read_text())
        raw["postgres"] = Postgres(**raw["postgres"])
        return cls(**raw)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


def up(
    *,
    state_dir: Path = DEFAULT_STATE_DIR,
    aws_port: int | None = None,
    database: str | None = None,
    sample_rows: int | None = None,
    retry_scale: float = 1.0,
    say: Any = print,
) -> StackState:
    """Bring the local stack up from nothing; an already-running stack is stopped first.
    `retry_scale` < 1 compresses the state machines' Retry intervals (see
    infra/local/stepfunctions_retry.py): the demo uses it to show a retry without waiting."""
    database = database or os.environ.get("LOCAL_DB", DEFAULT_DATABASE)
    state_dir.mkdir(parents=True, exist_ok=True)
    down(state_dir=state_dir, say=lambda _message: None)
    started = time.monotonic()
    postgres = ensure_postgres(state_dir, say)
    password = secrets.token_urlsafe(24)
    create_database(postgres, database, password)
    airflow_url = create_airflow_database(postgres, database)
    say(f"PostgreSQL-as-Redshift: {postgres.host}:{postgres.port}/{database}")
    port = (
        aws_port
        if aws_port is not None
        else int(os.environ.get("LOCAL_AWS_PORT", DEFAULT_AWS_PORT))
    )
    pid, endpoint = start_server(state_dir, port, retry_scale)
    say(f"local AWS: {endpoint} (pid {pid}, log {state_dir / 'aws' / 'server.log'})")
    try:
        result = _deploy(endpoint, database, postgres, password, say)
        state = StackState(
            endpoint_url=endpoint,
            region=REGION,
            database=database,
            postgres=postgres,
            server_pid=pid,
            outputs=result.outputs,
            state_machines=result.state_machines,
            airflow_database_url=airflow_url,
        )
        if sample_rows is None or sample_rows > 0:
            state.sample_rows = seed_sample_data(state, sample_rows, say)
            seed_tickit_data(state, say)
        state.env = {**environment(state), **local_airflow.cli_settings(state_dir / "airflow")}
        write_state(state, state_dir, path=VENV_BIN)
    except BaseException:
        down(state_dir=state_dir, say=lambda _message: None)
        raise
    say(f"local stack up in {time.monotonic() - started:.0f}s; use it with: . {state_dir / 'env'}")
    return state


def down(
    *,
    state_dir: Path = DEFAULT_STATE_DIR,
    say: Any = print,
    purge: bool = False,
    database: str | None = None,
) -> list[str]:
    """Stop what up() started; returns what was stopped. The database that stands in for
    Redshift and its runner role stay for exploring (say() names them) unless `purge`,
    which drops them, and only if the local stack made the database (its comment says so),
    and removes a private cluster's data directory, which only `up` ever makes.
    `database` names it when no stack state is left (after a plain `down`)."""
    leftover = _leftover_database(state_dir, database)
    if purge and leftover is not None:
        drop_database(*leftover)  # while a private cluster still runs
    stopped = []
    pid_file = state_dir / "aws" / "server.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().strip() or 0)
        if pid and stop_server(pid):
            stopped.append(f"local AWS server (pid {pid})")
        pid_file.unlink()
    with contextlib.suppress(FileNotFoundError):
        (state_dir / "aws" / "endpoint.url").unlink()
    private = state_dir / "pgdata"
    if (private / "postmaster.pid").exists():
        _run_as_postgres_owner(
            private, [pg_bin("pg_ctl"), "-D", str(private), "-m", "fast", "-w", "stop"]
        )
        stopped.append(f"private PostgreSQL ({private})")
    for name in ("env", "stack.json"):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / name).unlink()
    say("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    data = []
    if leftover is not None:
        postgres, name = leftover
        data.append(
            f"database {name} and role {runner_role(name)} on {postgres.host}:{postgres.port}"
        )
    if os.path.lexists(private):
        data.append(f"the private PostgreSQL cluster's data directory {private.resolve()}")
        if purge:
            remove_private_cluster(state_dir)
    if data and purge:
        say(f"removed: {'; '.join(data)}")
    elif data:
        say(f"left: {'; '.join(data)} (`make local-down PURGE=1` removes them)")
    return stopped


def _leftover_database(state_dir: Path, database: str | None) -> tuple[Postgres, str] | None:
    """(server, name) of the stack's database if it exists there, from the stack state, else
    from `database` on the configured server; None if there is none to speak of."""
    try:
        state = StackState.load(state_dir)
        postgres, name = state.postgres, database or state.database
    except LocalStackError:
        postgres = configured_postgres()
        name = database or os.environ.get("LOCAL_DB", DEFAULT_DATABASE)
    try:
        admin = postgres.connect()
    except pg.Error:
        return None  # server gone (a stopped private cluster): nothing to report or drop
    try:
        found = _database_comment(admin, name)
    finally:
        admin.close()
    return (postgres, name) if found and found[0][0] == OWNER_MARK else None


# ---------------------------------------------------------------- PostgreSQL


def configured_postgres() -> Postgres:
    return Postgres(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        admin_user=os.environ.get("PGUSER", "postgres"),
    )


def ensure_postgres(state_dir: Path, say: Any) -> Postgres:
    """The stack's own cluster in <state_dir>/pgdata (logins checked with scram-sha-256),
    started from the installed binaries; with PGHOST set, the server at PGHOST:PGPORT."""
    server = configured_postgres()
    if "PGHOST" in os.environ:
        try:
            server.connect().close()
        except pg.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            raise LocalStackError(
                f"no PostgreSQL answers at {server.host}:{server.port} (PGHOST) ({reason})"
            ) from None
        return server
    if pg_bin("initdb") is None:
        raise LocalStackError(
            "the local stack runs its own PostgreSQL cluster and no PostgreSQL binaries are "
            "installed (Debian: apt-get install postgresql); or set PGHOST/PGPORT/PGUSER to a "
            "server where that user may create databases and roles"
        )
    return _start_private_cluster(state_dir / "pgdata", state_dir / "postgres.log")


def pg_bin(name: str) -> str | None:
    """The installed PostgreSQL program `name` (PATH, then Debian's versioned dirs), or None."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def _run_as_postgres_owner(data_dir: Path, command: list[str | None]) -> None:
    """PostgreSQL refuses to run as root: as root, run as the OS user `postgres`, with paths
    resolved (a state dir `postgres` cannot traverse holds only a link to the cluster)."""
    argv = [str(part) for part in command]
    if os.geteuid() == 0:
        argv = [os.path.realpath(a) if a.startswith("/") and os.path.exists(a) else a for a in argv]
        argv = ["runuser", "-u", "postgres", "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LocalStackError(
            f"{' '.join(argv)} failed: {done.stderr.strip() or done.stdout.strip()}"
        )


# The stack cluster's pg_hba.conf: administration over the Unix socket (the cluster is
# private to the OS user running the stack), every TCP login with a password checked by
# scram-sha-256 (PostgreSQL "Client Authentication", pg_hba.conf).
PG_HBA = """\
# Written by infra.local.stack on every start.
local all all               trust
host  all all 127.0.0.1/32  scram-sha-256
host  all all ::1/128       scram-sha-256
"""


def _start_private_cluster(data_dir: Path, log_file: Path) -> Postgres:
    port = _free_port()
    if os.geteuid() == 0 and not os.path.lexists(data_dir) and not _others_may_enter(data_dir):
        # The OS user `postgres` cannot reach the state dir (pytest's are 0700 under
        # /tmp/pytest-of-root): the cluster lives in a directory of its own, linked from it.
        home = Path(tempfile.mkdtemp(prefix="etlkit-pg-"))
        shutil.chown(home, "postgres", "postgres")
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        data_dir.symlink_to(home / "data")
    if data_dir.is_symlink():
        data_dir = data_dir.resolve()
        log_file = data_dir.parent / "postgres.log"
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data_dir, "postgres", "postgres")
        _run_as_postgres_owner(
            data_dir,
            [
                pg_bin("initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
            ],
        )
    hba = data_dir / "pg_hba.conf"
    hba.write_text(PG_HBA)
    log_file.touch()
    if os.geteuid() == 0:
        shutil.chown(hba, "postgres", "postgres")
        shutil.chown(log_file, "postgres", "postgres")
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {data_dir} "
        "-c password_encryption=scram-sha-256"
    )
    _run_as_postgres_owner(
        data_dir,
        [pg_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log_file), "-o", options, "-w", "start"],
    )
    return Postgres("127.0.0.1", port, "postgres", private_data_dir=str(data_dir))


def discard(state_dir: Path, state: StackState | None) -> None:
    """What a test or benchmark does with a stack it brought up, once done: stop it, then
    delete its cluster (on a configured server: drop its databases and role)."""
    down(state_dir=state_dir, say=lambda _message: None)
    if state is not None and not state.postgres.private_data_dir:
        drop_database(state.postgres, state.database)
    remove_private_cluster(state_dir)


def _others_may_enter(path: Path) -> bool:
    """Whether every directory above `path` lets any user through (o+x)."""
    parent = path.resolve().parent
    return all(os.stat(d).st_mode & stat.S_IXOTH for d in (parent, *parent.parents))


def remove_private_cluster(state_dir: Path) -> None:
    """Delete a stopped stack cluster's files, wherever they live (tests, once `down` ran)."""
    link = state_dir / "pgdata"
    if not os.path.lexists(link):
        return
    target = link.resolve()
    if (target / "postmaster.pid").exists():
        raise LocalStackError(f"the PostgreSQL cluster in {target} still runs: stop it first")
    if link.is_symlink():
        link.unlink()
        shutil.rmtree(target.parent, ignore_errors=True)
    else:
        shutil.rmtree(target, ignore_errors=True)


def create_database(postgres: Postgres, database: str, password: str) -> None:
    """A fresh database owned by the runner's login role. Only a database this module
    created (marked by its comment) is ever dropped."""
    admin = postgres.connect()
    try:
        role = runner_role(database)
        _drop_ours(admin, postgres, database)
        admin.query(f'DROP ROLE IF EXISTS "{role}"')
        admin.query(f'CREATE ROLE "{role}" LOGIN PASSWORD {admin.escape_literal(password)}')
        _create_ours(admin, database, owner=role)
    finally:
        admin.close()


def create_airflow_database(postgres: Postgres, database: str) -> str:
    """A fresh, empty database for the local Airflow's metadata (MWAA keeps it in
    PostgreSQL too); returns its SQLAlchemy URL."""
    name = airflow_database(database)
    admin = postgres.connect()
    try:
        _drop_ours(admin, postgres, name)
        _create_ours(admin, name, owner=postgres.admin_user)
    finally:
        admin.close()
    return postgres.sqlalchemy_url(name)


def airflow_database(database: str) -> str:
    return f"{database}_airflow"[:63]


def _drop_ours(admin: Any, postgres: Postgres, database: str) -> None:
    found = _database_comment(admin, database)
    if found and found[0][0] != OWNER_MARK:
        raise LocalStackError(
            f"database {database!r} exists on {postgres.host}:{postgres.port} and was not "
            "made by the local stack; choose another name (LOCAL_DB) or drop it yourself"
        )
    if found:
        admin.query(f'DROP DATABASE "{database}" WITH (FORCE)')


def _create_ours(admin: Any, database: str, owner: str) -> None:
    admin.query(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    admin.query(f'COMMENT ON DATABASE "{database}" IS {admin.escape_literal(OWNER_MARK)}')


def _database_comment(admin: Any, database: str) -> list:
    """[(comment,)] if `database` exists (the comment is OWNER_MARK when this module made
    it), [] if it does not."""
    return admin.query(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
        (database,),
    ).getresult()


def runner_role(database: str) -> str:
    """The login role the runner uses for `database`: one per database, so two stacks on
    one server never share (or reset) a password."""
    return f"{database}_runner"[:63]


def drop_database(postgres: Postgres, database: str) -> None:
    """Drop a database the local stack made, its Airflow metadata database and its runner
    role (tests and benchmarks call this when they are done; `down` keeps the data)."""
    admin = postgres.connect()
    try:
        for name in (database, airflow_database(database)):
            found = _database_comment(admin, name)
            if found and found[0][0] != OWNER_MARK:
                raise LocalStackError(f"database {name!r} was not made by the local stack")
            admin.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.query(f'DROP ROLE IF EXISTS "{runner_role(database)}"')
    finally:
        admin.close()


# ---------------------------------------------------------------- the AWS side


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(state_dir: Path, port: int, retry_scale: float = 1.0) -> tuple[int, str]:
    aws_dir = state_dir / "aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    if port == 0:
        port = _free_port()
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise LocalStackError(
                f"port {port} is taken: stop what uses it, or set LOCAL_AWS_PORT (0 = any free port)"
            )
    log = (aws_dir / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local.server",
            "--port",
            str(port),
            "--state-dir",
            str(aws_dir),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, RETRY_SCALE_ENV: str(retry_scale)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (aws_dir / "server.pid").write_text(str(process.pid))
    endpoint_file = aws_dir / "endpoint.url"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalStackError(
                f"the local AWS server exited with code {process.returncode}; see {aws_dir / 'server.log'}"
            )
        if endpoint_file.exists() and endpoint_file.read_text().strip():
            return process.pid, endpoint_file.read_text().strip()
        time.sleep(0.2)
    raise LocalStackError(
        f"the local AWS server did not answer in 90 s; see {aws_dir / 'server.log'}"
    )


def stop_server(pid: int) -> bool:
    """SIGTERM the server's process group, SIGKILL after 15 s; False if it was not running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not process_running(pid):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True


def _deploy(endpoint: str, database: str, postgres: Postgres, password: str, say: Any) -> Any:
    from infra.deploy import deploy, point_secret_at

    os.environ.update(DUMMY_CREDENTIALS)
    say("deploying the templates to the local AWS (same code path as real AWS)...")
    result = deploy(
        endpoint_url=endpoint,
        region=REGION,
        stack_prefix=STACK_PREFIX,
        # lineage on: every step's OpenLineage events land in s3://<data bucket>/lineage/.
        # 8 concurrent runs: TICKIT's widest level is 7 independent loads, which start
        # together once the orchestrators run independent steps side by side.
        parameters={
            "DatabaseName": database,
            "Lineage": "data-bucket",
            "GlueMaxConcurrentRuns": "8",
        },
    )
    point_secret_at(
        endpoint_url=endpoint,
        region=REGION,
        secret_id=result.secret_arn,
        host=postgres.host,
        port=postgres.port,
        username=runner_role(database),
        password=password,
        dbname=database,
    )
    return result


def seed_sample_data(state: StackState, rows: int | None, say: Any) -> int:
    from infra.local import sample_data

    rows = sample_data.DEFAULT_ROWS if rows is None else rows
    say(f"generating {rows:,} sample reviews into s3://{state.outputs['DataBucket']}/{LAKE_PREFIX}")
    summary = sample_data.generate(
        state.client("s3"), state.outputs["DataBucket"], LAKE_PREFIX, rows=rows
    )
    return summary.rows


def seed_tickit_data(state: StackState, say: Any) -> None:
    """AWS's TICKIT sample in the tutorial's files, for sql/tickit (its spec's defaults
    read s3://<data bucket>/tickit/)."""
    from infra.local import tickit_data

    bucket = state.outputs["DataBucket"]
    say(f"generating the TICKIT sample into s3://{bucket}/{tickit_data.DEFAULT_PREFIX}")
    tickit_data.write(state.client("s3"), bucket, tickit_data.DEFAULT_PREFIX)


# ---------------------------------------------------------------- what a shell sees


def environment(state: StackState) -> dict[str, str]:
    outputs = state.outputs
    connection = {
        "conn_type": "aws",
        "extra": {"endpoint_url": state.endpoint_url, "region_name": state.region},
    }
    env = {
        "AWS_ENDPOINT_URL": state.endpoint_url,
        **DUMMY_CREDENTIALS,
        "AWS_DEFAULT_REGION": state.region,
        "AWS_REGION": state.region,
        "ETLKIT_SCRIPTS_BUCKET": outputs["ScriptsBucket"],
        "ETLKIT_DATA_BUCKET": outputs["DataBucket"],
        "ETLKIT_SECRET_ID": outputs["SecretArn"],
        "ETLKIT_DB": state.database,
        "ETLKIT_GLUE_JOB_NAME": outputs["GlueJobName"],
        "ETLKIT_ALERT_TOPIC_ARN": outputs["AlertTopicArn"],
        "ETLKIT_PGHOST": state.postgres.host,
        "ETLKIT_PGPORT": str(state.postgres.port),
        # the Assets' names, as the runner's OpenLineage events name the same tables
        "ETLKIT_REDSHIFT_CLUSTER": state.postgres.host.lower(),
        "ETLKIT_REDSHIFT_REGION": state.region,
        "ETLKIT_REDSHIFT_DATABASE": state.database,
        "ETLKIT_REDSHIFT_PORT": str(state.postgres.port),
        "AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME": outputs["GlueJobName"],
        "AIRFLOW_VAR_ETLKIT_DATA_BUCKET": outputs["DataBucket"],
        "AIRFLOW_VAR_ETLKIT_ALERT_TOPIC_ARN": outputs["AlertTopicArn"],
        "AIRFLOW_VAR_ETLKIT_STATE_MACHINE_ARNS": json.dumps(state.state_machines, sort_keys=True),
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection),
    }
    if state.airflow_database_url:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = state.airflow_database_url
    for name, arn in sorted(state.state_machines.items()):
        env[f"ETLKIT_STATE_MACHINE_ARN_{name.upper()}"] = arn
    return env


def write_state(state: StackState, state_dir: Path, path: Path | None = None) -> None:
    """`path`: a directory the env file puts first on PATH (`sqlrunner`, `airflow`)."""
    lines = ["# Written by `make local-up`. Use: . .local/env"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in state.env.items()]
    if path is not None:
        lines.append(f'export PATH={shlex.quote(str(path))}:"$PATH"')
    (state_dir / "env").write_text("\n".join(lines) + "\n")
    (state_dir / "stack.json").write_text(json.dumps(asdict(state), indent=2) + "\n")


def migrate_airflow(state: StackState, say: Any = print) -> None:
    """Airflow's metadata schema, so the raw `airflow` CLI works after `. .local/env`."""
    started = time.monotonic()
    env = {**os.environ, **state.env, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    local_airflow.migrate(env)
    say(f"Airflow metadata database migrated in {time.monotonic() - started:.0f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.stack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument(
        "--rows", type=int, default=None, help="sample reviews to generate (0: none)"
    )
    parser.add_argument("--database", default=None, help=f"default $LOCAL_DB or {DEFAULT_DATABASE}")
    parser.add_argument(
        "--purge",
        action="store_true",
        help="down: also drop the stack's database and runner role (only one the stack made)",
    )
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        if options.command == "up":
            state = up(
                state_dir=options.state_dir, database=options.database, sample_rows=options.rows
            )
            migrate_airflow(state)
        elif options.command == "down":
            down(state_dir=options.state_dir, purge=options.purge, database=options.database)
        else:
            state = StackState.load(options.state_dir)
            alive = _answers(state.endpoint_url)
            print(
                f"local AWS {state.endpoint_url} pid {state.server_pid}: {'up' if alive else 'DOWN'}"
            )
            return 0 if alive else 1
    except (LocalAwsError, local_airflow.LocalAirflowError) as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 1
    return 0


def process_running(pid: int) -> bool:
    """Alive and not a zombie (a server whose parent, `local-up`, has exited may not be
    reaped at once in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no procfs: ask the kernel directly
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def _answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").partition(":")
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, int(port))) == 0


if __name__ == "__main__":
    exit_with(main())
