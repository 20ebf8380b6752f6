"""The chaos suite (`make chaos`): faults injected into a running pipeline on the local
stack, each test asserting the data left behind. One platform per session (see
platform.py), its Glue job limited to one concurrent run; tests run one after another
and each restores what it breaks."""

from __future__ import annotations

from collections.abc import Iterator

import pg
import pytest

from infra.local.server import LocalAws
from tests.airflow.conftest import airflow, local_stack  # noqa: F401 - test_airflow_faults.py

from .platform import LAKE_PREFIX, PGHOST, PGPORT, PGUSER, Platform, build_platform, own_database


@pytest.fixture(scope="session")
def chaos_database() -> Iterator[str]:
    try:
        pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER).close()
    except pg.Error as exc:
        pytest.fail(f"PostgreSQL at {PGHOST}:{PGPORT} is required (run `make pg`): {exc}")
    with own_database("chaos") as name:
        yield name


@pytest.fixture(scope="session")
def platform(
    local_aws: LocalAws, chaos_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Platform:
    return build_platform(local_aws, chaos_database, tmp_path_factory.mktemp("chaos_tree"))


@pytest.fixture(scope="session")
def schema_ready(platform: Platform) -> Platform:
    """The pipeline's objects exist (its first step ran once)."""
    run_id = platform.start_glue_run(
        "sql/reviews/create_schema.sql",
        {"lake_uri": f"s3://{platform.data_bucket}/{LAKE_PREFIX}"},
    )
    run = platform.wait_glue_run(run_id)
    assert run["JobRunState"] == "SUCCEEDED", run
    return platform
