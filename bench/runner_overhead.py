"""Runner overhead: 1,000 small statements through sqlrunner (file -> render -> split ->
connect -> execute, one log line each) vs the same statements as raw PyGreSQL queries
on a connection with the same settings, same database, same process.

Each statement commits, so both sides spend most of their time waiting for the
commit's WAL flush, whose latency swings by tens of percent from one second to the
next on a shared machine. Each round therefore runs the two back to back (in
alternating order) and yields one ratio; the figure is the median of the rounds'
ratios, with their spread, rather than the ratio of two independently lucky minima.
Target: sqlrunner <= 1.15x raw."""

import json
import os
import statistics
import tempfile
import time
import uuid

import boto3
import pg
from moto import mock_aws

from sqlrunner.args import JobArgs
from sqlrunner.connection import ConnectOptions, conninfo
from sqlrunner.executor import Clients, run_job
from sqlrunner.output import Output
from sqlrunner.secret import DatabaseSecret

STATEMENTS = 1000
ROUNDS = 15
HOST, PORT = os.environ.get("PGHOST", "127.0.0.1"), int(os.environ.get("PGPORT", "5432"))


def run() -> dict:
    database = "bench_runner_" + uuid.uuid4().hex[:8]
    admin = pg.DB(dbname="postgres", host=HOST, port=PORT, user="postgres")
    admin.query(f"CREATE DATABASE {database}")
    try:
        return _measure(database)
    finally:
        admin.query(f"DROP DATABASE IF EXISTS {database}")
        admin.close()


def _measure(database: str) -> dict:
    fields = {
        "engine": "postgres",
        "host": HOST,
        "port": PORT,
        "username": "postgres",
        "password": "x",
    }
    statements = [f"INSERT INTO bench VALUES ({i}, 'row {i}')" for i in range(STATEMENTS)]
    setup = "CREATE TABLE IF NOT EXISTS bench (n int, s text); TRUNCATE bench"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(";\n".join(statements) + ";\n")
        path = handle.name
    secret = DatabaseSecret(**fields, dbname=None)
    options = ConnectOptions(dbname=database, application_name="bench", statement_timeout_ms=60000)

    def raw() -> float:
        started = time.perf_counter()
        connection = pg.connect(dbname=conninfo(secret, options))
        connection.query(f"SET statement_timeout TO {options.statement_timeout_ms}")
        for statement in statements:
            connection.query(statement)
        connection.close()
        return time.perf_counter() - started

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="bench", SecretString=json.dumps(fields))
        clients = Clients(lambda service: boto3.client(service, region_name="us-east-1"))
        args = JobArgs(database, "bench", None, path, "{}", 60000, None)

        def runner() -> float:
            started = time.perf_counter()
            with open(os.devnull, "w") as sink:
                code = run_job(args, out=Output(sink, sink), clients=clients)
            assert code == 0
            return time.perf_counter() - started

        admin = pg.DB(dbname=database, host=HOST, port=PORT, user="postgres")
        admin.query(setup)
        runner()  # warm-up: boto3's clients and the adapter's imports are made once per process
        timings = {"raw": [], "sqlrunner": []}
        for round_ in range(ROUNDS):
            order = (("raw", raw), ("sqlrunner", runner))
            for name, fn in order if round_ % 2 == 0 else order[::-1]:
                admin.query(setup)
                timings[name].append(fn())
        rows = admin.query("SELECT count(*) FROM bench").getresult()[0][0]
        admin.close()
    os.unlink(path)
    ratios = sorted(
        ours / raw for raw, ours in zip(timings["raw"], timings["sqlrunner"], strict=True)
    )
    ratio = statistics.median(ratios)
    return {
        "statements": STATEMENTS,
        "rounds": ROUNDS,
        "rows_after_last_run": rows,
        "raw_pg_s_median": round(statistics.median(timings["raw"]), 3),
        "sqlrunner_s_median": round(statistics.median(timings["sqlrunner"]), 3),
        "ratio": round(ratio, 3),
        "ratio_quartiles": [
            round(ratios[len(ratios) // 4], 3),
            round(ratios[-1 - len(ratios) // 4], 3),
        ],
        "target": "median ratio <= 1.15",
        "met": ratio <= 1.15,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
