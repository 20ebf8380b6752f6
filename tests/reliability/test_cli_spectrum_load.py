"""The runner CLI from a developer's shell (`. .local/env; sqlrunner run ...`, the dev
venv's Python 3.12 / pyarrow / PyGreSQL 6) runs the reviews schema step over a lake that
holds data: the Spectrum emulation loads the partitions and the process exits 0.

It used to die with SIGSEGV there: Parquet was decoded in a prefetch thread
(local_redshift/pgcopy.py `_prefetched`) while the main thread streamed COPY data
through PyGreSQL 6; on Glue's runtime (Python 3.9, PyGreSQL 5.0.6, pyarrow 21) the same
run succeeds, so only the CLI path showed it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pg
import pytest

from infra import REPO_ROOT
from infra.local import sample_data
from infra.local.server import LocalAws
from tests.chaos.platform import PGHOST, PGPORT, PGUSER, own_database

DAY = dt.date(2015, 6, 10)


@pytest.fixture(scope="module")
def lake(local_aws: LocalAws) -> Iterator[dict[str, Any]]:
    with own_database("chaos_cli") as database:
        bucket = f"cli-lake-{uuid.uuid4().hex[:8]}"
        s3 = local_aws.client("s3")
        s3.create_bucket(Bucket=bucket)
        summary = sample_data.generate(s3, bucket, "lake/", rows=4000, dates=[DAY])
        secret = f"cli/{uuid.uuid4().hex[:6]}"
        local_aws.client("secretsmanager").create_secret(
            Name=secret,
            SecretString=json.dumps(
                {"engine": "postgres", "host": PGHOST, "port": PGPORT, "username": PGUSER,
                 "password": "cli-lake-password"}
            ),
        )  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(local_aws.environment())
        yield {"database": database, "bucket": bucket, "secret": secret, "env": env,
               "rows": summary.rows}  # fmt: skip


def test_the_cli_loads_spectrum_partitions_with_the_dev_interpreter(lake: dict[str, Any]) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "sqlrunner", "run", "--db", lake["database"],
            "--db_creds", lake["secret"],
            "--file", str(REPO_ROOT / "sql" / "reviews" / "create_schema.sql"),
            "--params", json.dumps({"lake_uri": f"s3://{lake['bucket']}/lake/"}),
        ],
        env=lake["env"], capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    db = pg.DB(dbname=lake["database"], host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        loaded = db.query("SELECT count(*) FROM reviews_lake.reviews").getresult()[0][0]
    finally:
        db.close()
    assert loaded == lake["rows"]
