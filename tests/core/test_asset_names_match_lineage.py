"""The Airflow Assets (named at parse time from the deployment's environment) and the
runner's OpenLineage events (named from its secret's host and port) must name one table
alike, or a DAG scheduled on an Asset never sees the lineage of the step that wrote it."""

from __future__ import annotations

import pytest

from etlkit import config
from etlkit.errors import SettingError
from sqlrunner.analysis.model import TABLE, Dataset
from sqlrunner.analysis.naming import dataset_uri
from sqlrunner.lineage import redshift_deployment

TABLE_DATASET = Dataset(TABLE, "public.reviews")


@pytest.mark.parametrize(
    ("host", "port", "env"),
    [
        # a provisioned cluster: Redshift's endpoint names cluster and region; 5439 by default
        (
            "etl.abc123xyz.eu-west-1.redshift.amazonaws.com",
            5439,
            {"ETLKIT_REDSHIFT_CLUSTER": "etl", "ETLKIT_REDSHIFT_REGION": "eu-west-1"},
        ),
        # the local stack: what `.local/env` sets (infra.local.stack.environment)
        (
            "127.0.0.1",
            54329,
            {
                "ETLKIT_REDSHIFT_CLUSTER": "127.0.0.1",
                "ETLKIT_REDSHIFT_REGION": "us-east-1",
                "ETLKIT_REDSHIFT_PORT": "54329",
            },
        ),
    ],
)
def test_an_asset_and_the_runners_lineage_name_a_table_alike(
    monkeypatch: pytest.MonkeyPatch, host: str, port: int, env: dict[str, str]
) -> None:
    for name, value in {**env, "ETLKIT_REDSHIFT_DATABASE": "dev"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assets = config.asset_deployment()
    lineage = redshift_deployment(host, port, "dev")
    assert assets == lineage
    assert dataset_uri(TABLE_DATASET, assets) == dataset_uri(TABLE_DATASET, lineage)


def test_a_port_that_is_not_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ETLKIT_REDSHIFT_CLUSTER": "etl",
        "ETLKIT_REDSHIFT_REGION": "eu-west-1",
        "ETLKIT_REDSHIFT_DATABASE": "dev",
        "ETLKIT_REDSHIFT_PORT": "54x",
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match="ETLKIT_REDSHIFT_PORT='54x'"):
        config.asset_deployment()
