"""The runner's OpenLineage events (sqlrunner.lineage): START then COMPLETE or FAIL per
step run, naming the COPY source, the tables and the UNLOAD target with the run's
values, delivered to S3, a directory or an HTTP endpoint; a lineage failure never fails
the run. Real PostgreSQL, moto's S3 and a real HTTP server."""

import http.server
import json
import threading

import pytest

from sqlrunner import lineage
from sqlrunner.args import JobArgs
from sqlrunner.errors import UsageError
from sqlrunner.executor import run_job
from sqlrunner.output import Output

from .conftest import BUCKET, PASSWORD, PGHOST, PGPORT, SECRET_ID, put

LINEAGE_BUCKET = "etl-lineage"

SQL = """-- @param run_date date
-- @param out_uri s3_uri
CREATE TABLE IF NOT EXISTS lineage_src (day date, amount int);
CREATE TABLE IF NOT EXISTS lineage_dst (day date, amount int);
DELETE FROM lineage_src;
COPY lineage_src FROM 's3://etl-scripts/input/amounts.csv' IAM_ROLE default CSV;
DELETE FROM lineage_dst WHERE day = '${run_date}';
INSERT INTO lineage_dst SELECT day, amount FROM lineage_src WHERE day = '${run_date}';
UNLOAD ('SELECT * FROM lineage_dst WHERE day = ''${run_date}''')
TO '${out_uri}run_date=${run_date}/' IAM_ROLE default CSV;
"""
PARAMS = json.dumps({"run_date": "2024-05-01", "out_uri": "s3://etl-scripts/out/"})


def run(database, capsys, *, lineage_target, sql=SQL, job_run_id="jr_lineage"):
    args = JobArgs(
        database,
        SECRET_ID,
        BUCKET,
        "sql/shop/daily.sql",
        PARAMS,
        60000,
        job_run_id,
        lineage=lineage_target,
        pipeline="shop_etl",
        step="daily",
    )
    code = run_job(args, out=Output())
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    return code, json.loads(out.strip().splitlines()[-1]), out


def arrange(s3):
    put(s3, "sql/shop/daily.sql", SQL)
    put(s3, "input/amounts.csv", "2024-05-01,5\n2024-05-02,7\n")


def s3_events(s3):
    listed = s3.list_objects_v2(Bucket=LINEAGE_BUCKET).get("Contents", [])
    keys = sorted(item["Key"] for item in listed)
    return keys, [
        json.loads(s3.get_object(Bucket=LINEAGE_BUCKET, Key=key)["Body"].read()) for key in keys
    ]


def names(datasets):
    return [(d["namespace"], d["name"]) for d in datasets]


def test_a_step_run_emits_start_and_complete_naming_every_dataset(aws, database, capsys):
    s3, _ = aws
    arrange(s3)
    s3.create_bucket(Bucket=LINEAGE_BUCKET)
    code, summary, _ = run(database, capsys, lineage_target=f"s3://{LINEAGE_BUCKET}/lineage")
    assert code == 0, summary
    keys, events = s3_events(s3)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert all(k.startswith("lineage/shop_etl/daily/") for k in keys), keys
    assert summary["lineage"] == [f"s3://{LINEAGE_BUCKET}/{k}" for k in keys]
    start, complete = events
    assert start["run"]["runId"] == complete["run"]["runId"] == lineage.run_id_of("jr_lineage")
    assert complete["job"] == {
        "namespace": "etlkit",
        "name": "shop_etl.daily",
        "facets": complete["job"]["facets"],
    }
    namespace = f"redshift://{PGHOST}.us-east-1:{PGPORT}"
    assert names(complete["inputs"]) == [
        (namespace, f"{database}.public.lineage_dst"),
        (namespace, f"{database}.public.lineage_src"),
        ("s3://etl-scripts", "input/amounts.csv"),
    ]
    assert names(complete["outputs"]) == [
        (namespace, f"{database}.public.lineage_dst"),
        (namespace, f"{database}.public.lineage_src"),
        ("s3://etl-scripts", "out/run_date=2024-05-01/"),
    ]


def test_a_failed_step_run_ends_with_fail_and_its_error(aws, database, capsys):
    s3, _ = aws
    arrange(s3)
    s3.create_bucket(Bucket=LINEAGE_BUCKET)
    broken = SQL.replace("FROM lineage_src WHERE", "FROM lineage_nowhere WHERE")
    put(s3, "sql/shop/daily.sql", broken)
    code, _, _ = run(database, capsys, lineage_target=f"s3://{LINEAGE_BUCKET}/")
    assert code != 0
    _, events = s3_events(s3)
    assert [e["eventType"] for e in events] == ["START", "FAIL"]
    error = events[1]["run"]["facets"]["errorMessage"]
    assert "lineage_nowhere" in error["message"]
    assert error["programmingLanguage"] == "SQL"


def test_lineage_that_cannot_be_delivered_never_fails_the_run(aws, database, db, capsys):
    s3, _ = aws
    arrange(s3)
    code, summary, out = run(database, capsys, lineage_target="s3://no-such-lineage-bucket/x/")
    assert code == 0, summary
    assert summary["lineage"] == []
    assert "lineage: START event of shop_etl.daily not sent" in out
    assert db.query("SELECT count(*) FROM lineage_dst WHERE day = '2024-05-01'").getresult() == [
        (1,)
    ]


def test_a_bad_lineage_value_is_reported_and_the_run_goes_on(aws, database, capsys):
    s3, _ = aws
    arrange(s3)
    code, summary, out = run(database, capsys, lineage_target="ftp://somewhere/")
    assert code == 0, summary
    assert "lineage" not in summary
    assert "--lineage 'ftp://somewhere/'" in out


def test_off_emits_nothing(aws, database, capsys):
    s3, _ = aws
    arrange(s3)
    code, summary, _ = run(database, capsys, lineage_target="off")
    assert code == 0 and "lineage" not in summary


def test_events_go_to_a_directory(aws, database, capsys, tmp_path):
    s3, _ = aws
    arrange(s3)
    code, summary, _ = run(database, capsys, lineage_target=f"file://{tmp_path}/events")
    assert code == 0, summary
    files = sorted((tmp_path / "events" / "shop_etl" / "daily").iterdir())
    assert [json.loads(f.read_text())["eventType"] for f in files] == ["START", "COMPLETE"]


def test_events_are_posted_to_an_openlineage_endpoint(aws, database, capsys):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        s3, _ = aws
        arrange(s3)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, summary, _ = run(database, capsys, lineage_target=url)
    finally:
        server.shutdown()
    assert code == 0, summary
    assert [(path, event["eventType"]) for path, event in received] == [
        ("/api/v1/lineage", "START"),
        ("/api/v1/lineage", "COMPLETE"),
    ]
    assert received[1][1]["job"]["name"] == "shop_etl.daily"


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("off", None),
        ("OFF", None),
        ("s3://b/lineage", lineage.Target("s3", "b", "lineage/")),
        ("s3://b", lineage.Target("s3", "b", "")),
        ("file:///var/lineage/", lineage.Target("file", "/var/lineage")),
        ("https://marquez.example:5000/", lineage.Target("https", "https://marquez.example:5000")),
    ],
)
def test_lineage_targets(value, expected):
    assert lineage.parse_target(value) == expected


@pytest.mark.parametrize("value", ["ftp://x/", "s3:///prefix", "file://relative/dir", "http://"])
def test_unusable_lineage_targets_are_named(value):
    with pytest.raises(UsageError, match="--lineage"):
        lineage.parse_target(value)


def test_run_ids_are_stable_per_glue_run():
    assert lineage.run_id_of("jr_1") == lineage.run_id_of("jr_1") != lineage.run_id_of("jr_2")
    assert lineage.run_id_of(None) != lineage.run_id_of(None)


def test_redshift_endpoints_name_their_cluster_and_region():
    provisioned = lineage.redshift_deployment(
        "examplecluster.abc123xyz789.eu-west-1.redshift.amazonaws.com", 5439, "dev"
    )
    assert (provisioned.cluster_identifier, provisioned.region) == ("examplecluster", "eu-west-1")
    serverless = lineage.redshift_deployment(
        "etl.123456789012.us-east-2.redshift-serverless.amazonaws.com", 5439, "dev"
    )
    assert (serverless.cluster_identifier, serverless.region) == ("etl", "us-east-2")
    local = lineage.redshift_deployment("127.0.0.1", 5432, "dev", region="us-east-1")
    assert (local.cluster_identifier, local.region, local.port) == ("127.0.0.1", "us-east-1", 5432)


def test_a_spectrum_table_a_file_defines_is_fed_by_its_locations():
    sql = """-- @param lake_uri s3_uri
CREATE EXTERNAL TABLE IF NOT EXISTS lake.clicks (id int)
PARTITIONED BY (day date) STORED AS PARQUET LOCATION '${lake_uri}';
ALTER TABLE lake.clicks ADD IF NOT EXISTS PARTITION (day = '2024-05-01')
LOCATION '${lake_uri}day=2024-05-01/';
"""
    deployment = lineage.redshift_deployment("c.x.eu-west-1.redshift.amazonaws.com", 5439, "dev")
    inputs, outputs = lineage.step_datasets(
        sql, "lake.sql", {"lake_uri": "s3://lake-bucket/clicks/"}, deployment
    )
    # the partition is under the LOCATION, which names it already
    assert inputs == [("s3://lake-bucket", "clicks/")]
    assert outputs == [("redshift://c.eu-west-1:5439", "dev.lake.clicks")]
    elsewhere = sql.replace("'${lake_uri}day=", "'s3://other-bucket/day=")
    inputs, _ = lineage.step_datasets(
        elsewhere, "lake.sql", {"lake_uri": "s3://lake-bucket/clicks/"}, deployment
    )
    assert inputs == [
        ("s3://lake-bucket", "clicks/"),
        ("s3://other-bucket", "day=2024-05-01/"),
    ]
