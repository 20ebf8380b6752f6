"""Airflow on this machine, against the local stack: `make ui` and `make backfill`.

    python -m infra.mwaa.local_airflow ui [--port 8080]
    python -m infra.mwaa.local_airflow backfill --dag-id reviews_etl_glue \\
        --from-date 2026-11-01 --to-date 2026-11-03 [--reprocess-behavior completed]

Both run the repository's `dags/` and `plugins/` with AIRFLOW_HOME=.local/airflow and the
local stack's settings from `.local/env` (`make local-up` writes it: the AIRFLOW_VAR_ETLKIT_*
Variables, AIRFLOW_CONN_AWS_DEFAULT with the local endpoint, dummy credentials, region).

The metadata database is PostgreSQL, as on MWAA: `<LOCAL_DB>_airflow` in the local stack's
cluster, which `make local-up` creates and names in `.local/env`
(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, psycopg2, pinned as MWAA's constraints pin it). Every
component (api-server, scheduler, dag-processor, triggerer, LocalExecutor) and the CLI
(`airflow backfill create`) write to it at once, which SQLite serialises with a file lock:
on a busy machine `backfill create` failed with "database is locked" while the scheduler
ran. Parallelism is 4, sized for a two-core machine.

`ui` runs `airflow standalone` (api-server, scheduler, dag-processor, triggerer) in the
foreground. Its simple auth manager creates the user `admin` on first start, prints the
password once and keeps it in `.local/airflow/simple_auth_manager_passwords.json.generated`.

`backfill` uses the Airflow 3 CLI (`airflow backfill create`), which only records the runs;
a scheduler (plus triggerer and api-server) must execute them. If none is running (no `make
ui`), it starts `airflow standalone` in the background for the duration. It then follows the
backfill's runs in the metadata database, prints each run's outcome, and exits 1 if any
failed. Dates are inclusive run dates: FROM..TO covers every data interval starting on those
days. On Airflow 2.11 the equivalent is `airflow dags backfill -s FROM -e TO DAG_ID`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra import REPO_ROOT
from infra.errors import InfraError

LOCAL_DIR = REPO_ROOT / ".local"
ENV_FILE = LOCAL_DIR / "env"
AIRFLOW_HOME = LOCAL_DIR / "airflow"
PARALLELISM = 4
# Where the stack's environment names Airflow's metadata database (infra.local.stack).
METADATA_DATABASE = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
# Deferred tasks poll AWS this often locally, where a Glue run takes seconds.
LOCAL_POLL_SECONDS = "5"
POLL_SECONDS = "ETLKIT_POLL_SECONDS"  # etlkit.config.POLL_SECONDS_ENV
PASSWORD_FILE_NAME = "simple_auth_manager_passwords.json.generated"  # noqa: S105 - a file name
TERMINAL_RUN_STATES = frozenset({"success", "failed"})
START_TIMEOUT_SECONDS = 180
# The scheduler closes finished backfills every 30 s (SchedulerJobRunner._mark_backfills_complete).
BACKFILL_CLOSE_SECONDS = 75


class LocalAirflowError(InfraError):
    """A local Airflow command cannot go on; the message says why and what to do."""


def load_env_file(path: Path) -> dict[str, str]:
    """The variables a shell `export` file sets, read by bash itself so quoting is exact."""
    if not path.is_file():
        raise LocalAirflowError(f"{path} does not exist: run `make local-up` first")
    script = 'set -a; . "$1" >/dev/null; env -0'
    clean = {"PATH": "/usr/bin:/bin"}
    base = _run_env(["bash", "--noprofile", "--norc", "-c", "env -0"], clean)
    loaded = _run_env(["bash", "--noprofile", "--norc", "-c", script, "_", str(path)], clean)
    # PATH is left out: each caller puts the environment's own bin directory first.
    return {key: value for key, value in loaded.items() if base.get(key) != value and key != "PATH"}


def _run_env(command: list[str], env: Mapping[str, str]) -> dict[str, str]:
    done = subprocess.run(command, env=dict(env), capture_output=True, check=False)
    if done.returncode != 0:
        raise LocalAirflowError(f"reading {command[-1]} failed: {done.stderr.decode().strip()}")
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return {key: value for key, value in pairs if key not in ("_", "SHLVL", "PWD")}


def airflow_environment(
    *,
    home: Path = AIRFLOW_HOME,
    stack_env: Mapping[str, str],
    port: int,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment every local Airflow process gets."""
    if METADATA_DATABASE not in stack_env:
        raise LocalAirflowError(
            f"the stack's environment has no {METADATA_DATABASE} (Airflow's metadata "
            "database): run `make local-up` again"
        )
    env = dict(os.environ if base is None else base)
    env.update(stack_env)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.update({**cli_settings(home), **_keep(env, POLL_SECONDS)})
    env.update(
        {
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            # The scheduler and triggerer serve task logs on fixed ports by default (8793,
            # 8794); free ones let this run beside another Airflow on the machine.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port(0)),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port(0)),
            # One parsing process is plenty for a handful of DAG files.
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        }
    )
    return env


def cli_settings(home: Path = AIRFLOW_HOME) -> dict[str, str]:
    """What the raw `airflow` CLI needs to work on the repository's DAGs against the local
    stack (`airflow dags list`, `dags test`, `backfill create`, `tasks clear`): `make
    local-up` writes these into `.local/env`, and every process started here gets them."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
        POLL_SECONDS: LOCAL_POLL_SECONDS,
    }


def _keep(env: Mapping[str, str], name: str) -> dict[str, str]:
    """A setting the caller chose, kept over the default."""
    return {name: env[name]} if name in env else {}


def migrate(env: Mapping[str, str]) -> None:
    """`airflow db migrate`, which creates or upgrades the metadata database's schema (every
    other command says "Database migration required" before it), then `dags reserialize`:
    Airflow 3's CLI reads the DAGs from that database (`dags list` shows none before)."""
    _airflow(["db", "migrate"], env)
    _airflow(["dags", "reserialize"], env)


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there, else any free port."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise LocalAirflowError("no free TCP port on 127.0.0.1")


# ------------------------------------------------------------------ ui


def ui(port: int, *, home: Path = AIRFLOW_HOME, env_file: Path = ENV_FILE) -> int:
    chosen = free_port(port)
    env = airflow_environment(home=home, stack_env=load_env_file(env_file), port=chosen)
    home.mkdir(parents=True, exist_ok=True)
    print(
        f"Airflow UI: http://127.0.0.1:{chosen} (first start takes about a minute)\n"
        f"Login: admin, password in {home / PASSWORD_FILE_NAME} (created on first "
        "start). DAGs start paused: unpause them to run on their schedule. Ctrl-C stops.",
        flush=True,
    )
    os.execvpe("airflow", ["airflow", "standalone"], env)  # noqa: S606 - fixed arguments
    return 0  # not reached


# ------------------------------------------------------------------ backfill


@dataclass(frozen=True)
class RunOutcome:
    logical_date: dt.datetime
    run_id: str | None
    state: str
    detail: str

    def line(self) -> str:
        day = self.logical_date.date().isoformat() if self.logical_date else "?"
        return f"  {day}  {self.state:<8} {self.run_id or '-'}  {self.detail}".rstrip()


def backfill(
    dag_id: str,
    from_date: dt.date,
    to_date: dt.date,
    reprocess_behavior: str,
    timeout_seconds: int,
    *,
    home: Path = AIRFLOW_HOME,
    env_file: Path = ENV_FILE,
) -> int:
    """Create the backfill, make sure something executes it, wait, print outcomes."""
    if to_date < from_date:
        raise LocalAirflowError(f"--to-date {to_date} is before --from-date {from_date}")
    port = free_port(8080)
    env = airflow_environment(home=home, stack_env=load_env_file(env_file), port=port)
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(env)  # before Airflow is imported: it reads its config once
    migrate(env)
    max_active_runs, was_paused = _dag_settings(dag_id)

    started = None if _scheduler_alive() else _start_standalone(env, home, port)
    try:
        _settle_previous_backfill(dag_id)
        # The scheduler runs no task of a paused DAG, backfill runs included. Unpausing also
        # lets the scheduler start the DAG's latest scheduled run (catchup is off); the DAG
        # is paused again afterwards if it was.
        _airflow(["dags", "unpause", dag_id], env)
        created_after = _utcnow()
        _airflow(
            [
                "backfill",
                "create",
                "--dag-id",
                dag_id,
                "--from-date",
                f"{from_date.isoformat()}T00:00:00+00:00",
                "--to-date",
                f"{to_date.isoformat()}T23:59:59+00:00",
                "--reprocess-behavior",
                reprocess_behavior,
                "--max-active-runs",
                str(max_active_runs),
            ],
            env,
        )
        outcomes = _follow(dag_id, created_after, timeout_seconds)
    finally:
        if was_paused:
            _airflow(["dags", "pause", dag_id], env)
        if started is not None:
            _stop(started)
    failed = [o for o in outcomes if o.state == "failed"]
    succeeded = [o for o in outcomes if o.state == "success"]
    skipped = len(outcomes) - len(failed) - len(succeeded)
    print(
        f"{dag_id}: {len(succeeded)} of {len(outcomes)} run(s) succeeded"
        + (f", {len(failed)} failed" if failed else "")
        + (f", {skipped} skipped (--reprocess-behavior {reprocess_behavior})" if skipped else "")
    )
    return 1 if failed or not outcomes else 0


def _airflow(arguments: Sequence[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(
        ["airflow", *arguments], env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-20:]
        raise LocalAirflowError(f"`airflow {' '.join(arguments)}` failed:\n" + "\n".join(detail))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _dag_settings(dag_id: str) -> tuple[int, bool]:
    """The DAG's max_active_runs (a backfill otherwise runs 10 at once) and paused state."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        model = session.get(DagModel, dag_id)
        if model is None:
            raise LocalAirflowError(
                f"no DAG {dag_id!r} after parsing {REPO_ROOT / 'dags'}: check the name "
                "(`airflow dags list`) and the DAG file's import errors"
            )
        return model.max_active_runs or 1, bool(model.is_paused)


def _settle_previous_backfill(dag_id: str) -> None:
    """Airflow allows one open backfill per DAG. The scheduler closes a backfill whose runs
    have all ended every 30 s; one with runs still to go (interrupted, its scheduler gone)
    stays open until it finishes or is cancelled."""
    from airflow.models.backfill import Backfill
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    deadline = time.monotonic() + BACKFILL_CLOSE_SECONDS
    while True:
        with create_session() as session:
            active = session.scalars(
                select(Backfill).where(Backfill.dag_id == dag_id, Backfill.completed_at.is_(None))
            ).first()
            if active is None:
                return
            unfinished = session.scalars(
                select(DagRun.run_id).where(
                    DagRun.backfill_id == active.id, DagRun.state.in_(("queued", "running"))
                )
            ).all()
            if unfinished or time.monotonic() > deadline:
                raise LocalAirflowError(
                    f"backfill {active.id} of {dag_id} ({active.from_date:%Y-%m-%d} to "
                    f"{active.to_date:%Y-%m-%d}) is still open with {len(unfinished)} run(s) to "
                    "go: let a scheduler finish it (`make ui`), or cancel it in the UI "
                    f"(Browse > Backfills) or with POST /api/v2/backfills/{active.id}/cancel"
                )
        time.sleep(3)


def _scheduler_alive() -> bool:
    from airflow.jobs.job import most_recent_job
    from airflow.utils.session import create_session

    with create_session() as session:
        job = most_recent_job("SchedulerJob", session=session)
        return job is not None and job.is_alive()


def _start_standalone(env: Mapping[str, str], home: Path, port: int) -> subprocess.Popen[bytes]:
    """`airflow standalone` in the background; returns once the scheduler, the triggerer
    and the api-server (which tasks report to) all answer."""
    log_path = home / "standalone-backfill.log"
    print(f"no scheduler is running: starting `airflow standalone` (log: {log_path})", flush=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            ["airflow", "standalone"],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not (_scheduler_alive() and _triggerer_alive() and _api_answers(port)):
        if process.poll() is not None:
            raise LocalAirflowError(
                f"airflow standalone exited ({process.returncode}); see {log_path}"
            )
        if time.monotonic() > deadline:
            _stop(process)
            raise LocalAirflowError(
                f"Airflow did not come up in {START_TIMEOUT_SECONDS} s; see {log_path}"
            )
        time.sleep(2)
    return process


def _api_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5
        ) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _triggerer_alive() -> bool:
    from airflow.jobs.job import most_recent_job
    from airflow.utils.session import create_session

    with create_session() as session:
        job = most_recent_job("TriggererJob", session=session)
        return job is not None and job.is_alive()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started, then SIGKILL what is left after 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _follow(dag_id: str, created_after: dt.datetime, timeout_seconds: int) -> list[RunOutcome]:
    """Wait for every run of the backfill created after `created_after`; print each ending."""
    from airflow.models.backfill import Backfill, BackfillDagRun
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    deadline = time.monotonic() + timeout_seconds
    close_deadline = float("inf")
    reported: dict[dt.datetime, RunOutcome] = {}
    while True:
        with create_session() as session:
            backfill_row = session.scalars(
                select(Backfill)
                .where(Backfill.dag_id == dag_id, Backfill.created_at >= created_after)
                .order_by(Backfill.id.desc())
            ).first()
            if backfill_row is None:
                raise LocalAirflowError(
                    f"`airflow backfill create` recorded no backfill of {dag_id}"
                )
            links = session.scalars(
                select(BackfillDagRun)
                .where(BackfillDagRun.backfill_id == backfill_row.id)
                .order_by(BackfillDagRun.sort_ordinal)
            ).all()
            pending = 0
            for link in links:
                if link.logical_date in reported:
                    continue
                if link.dag_run_id is None:
                    outcome = RunOutcome(
                        link.logical_date, None, "skipped", f"({link.exception_reason})"
                    )
                else:
                    run = session.get(DagRun, link.dag_run_id)
                    if run is None or run.state not in TERMINAL_RUN_STATES:
                        pending += 1
                        continue
                    tasks = session.scalars(
                        select(TaskInstance)
                        .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
                        .order_by(TaskInstance.start_date)
                    ).all()
                    detail = ", ".join(f"{ti.task_id}={ti.state}" for ti in tasks)
                    outcome = RunOutcome(link.logical_date, run.run_id, str(run.state), detail)
                reported[link.logical_date] = outcome
                print(outcome.line(), flush=True)
        if links and pending == 0:
            if backfill_row.completed_at is not None or time.monotonic() > close_deadline:
                return [reported[link.logical_date] for link in links]
            # Every run ended; the scheduler marks the backfill closed on its next pass, and
            # the next backfill of this DAG can only start after that.
            close_deadline = min(close_deadline, time.monotonic() + BACKFILL_CLOSE_SECONDS)
        if time.monotonic() > deadline:
            raise LocalAirflowError(
                f"{pending} run(s) of the {dag_id} backfill still unfinished after "
                f"{timeout_seconds} s; they keep running if a scheduler does"
            )
        time.sleep(3)


# ------------------------------------------------------------------ CLI


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.mwaa.local_airflow",
        description="Airflow against the local stack (make ui, make backfill).",
    )
    parser.add_argument(
        "--env-file", type=Path, default=ENV_FILE, help="the stack's export lines (.local/env)"
    )
    parser.add_argument("--airflow-home", type=Path, default=AIRFLOW_HOME)
    commands = parser.add_subparsers(dest="command", required=True)
    ui_parser = commands.add_parser("ui", help="airflow standalone with the UI on localhost")
    ui_parser.add_argument("--port", type=int, default=8080, help="preferred port (default 8080)")
    fill = commands.add_parser("backfill", help="backfill a DAG and wait for its runs")
    fill.add_argument("--dag-id", required=True)
    fill.add_argument("--from-date", type=_date, required=True, help="first run date, inclusive")
    fill.add_argument("--to-date", type=_date, required=True, help="last run date, inclusive")
    fill.add_argument(
        "--reprocess-behavior",
        choices=("none", "failed", "completed"),
        default="completed",
        help="what to do with dates that already have a run (default: run them again)",
    )
    fill.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the runs")
    args = parser.parse_args(argv)
    try:
        if args.command == "ui":
            return ui(args.port, home=args.airflow_home, env_file=args.env_file)
        return backfill(
            args.dag_id,
            args.from_date,
            args.to_date,
            args.reprocess_behavior,
            args.timeout,
            home=args.airflow_home.resolve(),
            env_file=args.env_file,
        )
    except LocalAirflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
