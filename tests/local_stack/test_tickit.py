"""The TICKIT pipeline (sql/tickit) end to end on the local stack through its generated
state machine: the production templates deployed with lineage on, the generator's TICKIT
files in the data bucket, real Glue runs of the runner into a real PostgreSQL database.
The loaded rows, the day's per-event sales and the unloaded report are checked against
the generated data computed independently, and every step's OpenLineage events must be
in S3 naming every table and S3 location the pipeline touches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pg
import pytest

from etlkit_core.spec import load_spec
from infra import REPO_ROOT
from infra.deploy import DeployResult, deploy, point_secret_at
from infra.lineage_picture import graph_of
from infra.local import tickit_data
from infra.local.server import LocalAws
from tests.chaos.platform import PGHOST, PGPORT, PGUSER, own_database

pytestmark = pytest.mark.slow

REGION = "us-east-1"
PG = {"host": PGHOST, "port": PGPORT, "user": PGUSER}
SCALE = 0.01
SPEC = load_spec(REPO_ROOT / "sql" / "tickit" / "pipeline.yaml")
TABLES = ("users", "venue", "category", "date", "event", "listing", "sales")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with own_database("tickit") as name:
        yield name


@pytest.fixture(scope="module")
def deployed(local_aws: LocalAws, database: str) -> DeployResult:
    result = deploy(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        stack_prefix="tickit",
        parameters={"DatabaseName": database, "Lineage": "data-bucket"},
    )
    point_secret_at(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        secret_id=result.secret_arn,
        host=PG["host"],
        port=PG["port"],
        username=PG["user"],
        password="unused-with-trust",
        dbname=database,
    )
    tickit_data.write(local_aws.client("s3"), result.outputs["DataBucket"], scale=SCALE)
    return result


@pytest.fixture(scope="module")
def data() -> tickit_data.Tickit:
    return tickit_data.generate(scale=SCALE)


def busiest_day(data: tickit_data.Tickit) -> dt.date:
    days = Counter(row[-1].date() for row in data.rows["sales"])
    return max(sorted(days), key=lambda day: days[day])


@pytest.fixture(scope="module")
def execution(local_aws: LocalAws, deployed: DeployResult, data: tickit_data.Tickit) -> dict:
    sfn = local_aws.client("stepfunctions")
    run_date = busiest_day(data)
    arn = sfn.start_execution(
        stateMachineArn=deployed.state_machines[SPEC.name],
        name=f"tickit-{uuid.uuid4().hex[:8]}",
        input=json.dumps({"run_date": run_date.isoformat()}),
    )["executionArn"]
    deadline = time.monotonic() + 600
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the TICKIT execution is still running after 600 s"
        time.sleep(0.5)
    return {**described, "run_date": run_date}


def rows(database: str, sql: str) -> list[tuple[Any, ...]]:
    db = pg.DB(dbname=database, **PG)
    try:
        return db.query(sql).getresult()
    finally:
        db.close()


def expected_day(data: tickit_data.Tickit, day: dt.date) -> dict[int, tuple[int, Decimal]]:
    """Tickets and revenue per event on `day`, from the generated rows."""
    per_event: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    for sale in data.rows["sales"]:
        if sale[-1].date() == day:
            per_event[sale[4]][0] += sale[6]
            per_event[sale[4]][1] += sale[7]
    return {event: (tickets, revenue) for event, (tickets, revenue) in per_event.items()}


def test_the_pipeline_loads_every_table_and_reports_the_day(
    execution: dict, database: str, data: tickit_data.Tickit, local_aws: LocalAws, deployed
) -> None:
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    counts = rows(
        database,
        "SELECT " + ", ".join(f"(SELECT count(*) FROM tickit.{t})" for t in TABLES),
    )[0]
    assert dict(zip(TABLES, counts, strict=True)) == {t: len(data.rows[t]) for t in TABLES}

    day = execution["run_date"]
    expected = expected_day(data, day)
    reported = rows(
        database,
        f"SELECT eventid, tickets, revenue FROM tickit.daily_event_sales WHERE saledate = '{day}'",
    )
    assert {event: (tickets, revenue) for event, tickets, revenue in reported} == expected

    s3 = local_aws.client("s3")
    bucket = deployed.outputs["DataBucket"]
    prefix = f"reports/tickit_top_events/run_date={day}/"
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert len(keys) == 1, keys
    body = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read().decode()
    report = list(csv.DictReader(io.StringIO(body)))
    top = sorted(expected.items(), key=lambda item: (-item[1][1], item[0]))[:10]
    assert [(int(r["eventid"]), Decimal(r["revenue"])) for r in report] == [
        (event, revenue) for event, (_, revenue) in top
    ]


def test_every_step_sent_its_lineage_naming_every_table_and_location(
    execution: dict, database: str, local_aws: LocalAws, deployed
) -> None:
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    s3 = local_aws.client("s3")
    bucket = deployed.outputs["DataBucket"]
    prefix = f"lineage/{SPEC.name}/"
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    events = [json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) for key in keys]
    by_job: dict[str, list[str]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e["eventTime"]):
        by_job[event["job"]["name"]].append(event["eventType"])
    assert by_job == {f"{SPEC.name}.{step.id}": ["START", "COMPLETE"] for step in SPEC.steps}

    named = {
        (d["namespace"], d["name"])
        for event in events
        if event["eventType"] == "COMPLETE"
        for d in event["inputs"] + event["outputs"]
    }
    tables = {
        name.split(".", 1)[1] for namespace, name in named if namespace.startswith("redshift")
    }
    assert tables == {
        *(f"tickit.{t}" for t in TABLES),
        "tickit.event_dim",
        "tickit.lake_sales_daily",
        "tickit.daily_event_sales",
        "tickit_lake.sales",
    }
    day = execution["run_date"]
    locations = {name for namespace, name in named if namespace == f"s3://{bucket}"}
    assert locations == {
        *(f"tickit/{f.name}" for f in tickit_data.FILES if f.name != "category_pipe.txt"),
        "tickit/spectrum/sales/",  # the Spectrum table's LOCATION
        f"tickit/spectrum/sales/saledate={day}/",
        f"reports/tickit_top_events/run_date={day}/top_events_",
    }

    # the picture: both branches (the events' and the sales') meet at daily_event_sales
    graph = graph_of(SPEC.name, events)
    labels = {key: node.label for key, node in graph.nodes.items()}
    edges = {(labels[a], labels[b]) for a, b in graph.edges}
    assert {
        ("build_event_dim", "tickit.event_dim"),
        ("tickit.event_dim", "daily_event_sales"),
        ("load_sales", "tickit.sales"),
        ("tickit.sales", "reconcile_lake_sales"),
        ("tickit.lake_sales_daily", "daily_event_sales"),
        ("tickit.daily_event_sales", "unload_top_events"),
    } <= edges
    assert sorted(n.label for n in graph.nodes.values() if n.kind == "step") == sorted(
        step.id for step in SPEC.steps
    )
