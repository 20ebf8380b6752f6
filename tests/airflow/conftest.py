"""The real Airflow against the real local stack (`make local-up`'s code with a private state
dir and database): fixtures to bring it up once per session, run Airflow commands against
it, and read what the pipeline left in PostgreSQL and S3."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from infra.local import sample_data, stack
from infra.mwaa import local_airflow
from tests.dags.airflow_home import REPO  # sets AIRFLOW_HOME before Airflow loads

# Review dates the sample data holds; the e2e tests run these.
DATES = (dt.date(2015, 6, 1), dt.date(2015, 6, 2), dt.date(2015, 6, 3))
SAMPLE_ROWS = 3000
REPORT_PREFIX = "reports/helpful_reviews/"


@dataclass
class LocalStack:
    state: stack.StackState
    state_dir: Path
    env_file: Path
    counts: dict[dt.date, int]

    @property
    def data_bucket(self) -> str:
        return self.state.outputs["DataBucket"]

    def client(self, service: str) -> Any:
        return self.state.client(service)

    def query(self, sql: str, *args: Any) -> list[tuple]:
        db = self.state.postgres.connect(self.state.database)
        try:
            return db.query(sql, args).getresult() if args else db.query(sql).getresult()
        finally:
            db.close()

    def loaded_rows(self, day: dt.date) -> int:
        return self.query("SELECT count(*) FROM reviews WHERE review_date = $1", day)[0][0]

    def unloaded(self, day: dt.date) -> dict[str, list[dict]]:
        """The run date's report files: key -> rows (sorted by review id)."""
        s3 = self.client("s3")
        prefix = f"{REPORT_PREFIX}run_date={day.isoformat()}/"
        files = {}
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.data_bucket, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=self.data_bucket, Key=item["Key"])["Body"].read()
                rows = pq.read_table(io.BytesIO(body)).to_pylist()
                files[item["Key"].removeprefix(prefix)] = sorted(rows, key=lambda r: r["review_id"])
        return files

    def lake_rows(self, day: dt.date) -> list[dict]:
        """The day's reviews read straight from the lake's Parquet files (not via the pipeline)."""
        s3 = self.client("s3")
        rows = []
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.data_bucket, Prefix=stack.LAKE_PREFIX
        ):
            for item in page.get("Contents", []):
                category = item["Key"].split("product_category=")[1].split("/")[0]
                body = s3.get_object(Bucket=self.data_bucket, Key=item["Key"])["Body"].read()
                for row in pq.read_table(io.BytesIO(body)).to_pylist():
                    if row["review_date"] == day:
                        rows.append({**row, "product_category": category})
        return rows


def expected_report(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """Top 10 review ids per (marketplace, category) by helpful votes, then total votes, then
    review id: what unload_helpful_reviews.sql must write, computed independently."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["marketplace"], row["product_category"]), []).append(row)
    return {
        key: sorted(
            r["review_id"]
            for r in sorted(
                members, key=lambda r: (-r["helpful_votes"], -r["total_votes"], r["review_id"])
            )[:10]
        )
        for key, members in groups.items()
    }


def report_by_partition(files: Mapping[str, list[dict]]) -> dict[tuple[str, str], list[str]]:
    """Unloaded files (PARTITION BY marketplace, product_category) -> review ids per partition."""
    out: dict[tuple[str, str], list[str]] = {}
    for key, rows in files.items():
        parts = dict(part.split("=", 1) for part in key.split("/")[:-1])
        group = (parts["marketplace"], parts["product_category"])
        out.setdefault(group, []).extend(row["review_id"] for row in rows)
    return {key: sorted(ids) for key, ids in out.items()}


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("local-stack")
    database = f"airflow_e2e_{uuid.uuid4().hex[:8]}"
    quiet = lambda _message: None  # noqa: E731
    state = None
    try:
        state = stack.up(
            state_dir=state_dir, aws_port=0, database=database, sample_rows=0, say=quiet
        )
        summary = sample_data.generate(
            state.client("s3"),
            state.outputs["DataBucket"],
            stack.LAKE_PREFIX,
            rows=SAMPLE_ROWS,
            dates=list(DATES),
        )
        counts = {day: 0 for day in DATES}
        for (day, _category), rows in summary.counts.items():
            counts[day] += rows
        yield LocalStack(state, state_dir, state_dir / "env", counts)
    finally:
        stack.discard(state_dir, state)


@dataclass
class Airflow:
    """Airflow CLI commands with the stack's env (its metadata database in the stack's
    PostgreSQL) and a private AIRFLOW_HOME."""

    home: Path
    env: dict[str, str]

    def run(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["airflow", *arguments],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def with_env(self, **extra: str) -> Airflow:
        return Airflow(self.home, {**self.env, **extra})


@pytest.fixture(scope="session")
def airflow(local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Airflow:
    home = tmp_path_factory.mktemp("airflow-home")
    env = local_airflow.airflow_environment(
        home=home,
        stack_env=local_airflow.load_env_file(local_stack.env_file),
        port=local_airflow.free_port(0),
    )
    env["PYTHONPATH"] = str(REPO)
    env["ETLKIT_POLL_SECONDS"] = "1"
    instance = Airflow(home, env)
    migrated = instance.run("db", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    return instance


def backfill_command(
    stack_env: Path, home: Path, dag_id: str, first: dt.date, last: dt.date
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "infra.mwaa.local_airflow",
        "--env-file",
        str(stack_env),
        "--airflow-home",
        str(home),
        "backfill",
        "--dag-id",
        dag_id,
        "--from-date",
        first.isoformat(),
        "--to-date",
        last.isoformat(),
        "--timeout",
        "900",
    ]
