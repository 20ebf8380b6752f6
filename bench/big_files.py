"""The runner on big SQL files: `sqlrunner run` on a 10,000-statement file, and on files
of 5 MB and 50 MB (multi-row INSERT batches of 1,000 rows each), against PostgreSQL.
Figures per file: wall time, statements, rows, and the runner process's peak resident
memory (VmHWM of its own address space, polled from /proc while it runs: rusage's
ru_maxrss would not do, Linux carries the parent's high-water mark across fork and exec,
so every run would report this benchmark process's size). If the runner streams its
input, the 50 MB peak stays close to the 5 MB one; `peak_ratio_50_to_5` says how close.

Secrets Manager comes from moto in this process; the database is a fresh one on
PGHOST:PGPORT, dropped afterwards."""

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import pg
from moto.server import ThreadedMotoServer

from infra.local.server import DUMMY_CREDENTIALS

PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = int(os.environ.get("PGPORT", "5432"))
ROWS_PER_BATCH = 1000
SECRET_ID = "bench/big-files"  # noqa: S105 - the name of a secret
REGION = "us-east-1"


def _many_statements(path: Path, count: int) -> tuple[int, int]:
    with path.open("w") as out:
        for n in range(count):
            out.write(f"INSERT INTO bench_rows VALUES ({n}, 'statement {n}; with a semicolon');\n")
    return count, count


def _batches(path: Path, megabytes: int) -> tuple[int, int]:
    """Multi-row INSERTs until the file reaches `megabytes`."""
    target = megabytes * 2**20
    statements = rows = 0
    with path.open("w") as out:
        while out.tell() < target:
            values = ",\n".join(
                f"({rows + i}, 'row {rows + i} of a big generated file, quoted '' and ; inside')"
                for i in range(ROWS_PER_BATCH)
            )
            out.write(f"INSERT INTO bench_rows VALUES\n{values};\n")
            statements += 1
            rows += ROWS_PER_BATCH
    return statements, rows


def _run_runner(env: dict, database: str, secret: str, path: Path) -> dict:
    argv = [sys.executable, "-m", "sqlrunner", "run", "--db", database, "--db_creds", secret]
    argv += ["--file", str(path)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        process = subprocess.Popen(argv, env=env, stdout=out_file, stderr=err_file)
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            time.sleep(0.02)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"sqlrunner failed on {path.name}: {err.decode()[-2000:]}")
    summary = json.loads(out.decode().strip().splitlines()[-1])
    return {
        "wall_s": round(wall, 2),
        "executed": summary["executed"],
        "rows": summary["rows"],
        "peak_rss_mb": round(peak_kb / 1024),
    }


def _high_water_kb(pid: int) -> int:
    """The process's peak resident set so far (0 once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run() -> dict:
    database = "chaos_bench_files_" + uuid.uuid4().hex[:8]
    admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user="postgres")
    admin.query(f'CREATE DATABASE "{database}"')
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            DUMMY_CREDENTIALS, AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_DEFAULT_REGION=REGION
        )
        boto3.client(
            "secretsmanager",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ).create_secret(
            Name=SECRET_ID,
            SecretString=json.dumps(
                {
                    "engine": "postgres",
                    "host": PGHOST,
                    "port": PGPORT,
                    "username": "postgres",
                    "password": "bench-password",
                }
            ),
        )
        figures = {}
        with tempfile.TemporaryDirectory() as scratch:
            files = {
                "statements_10k": lambda p: _many_statements(p, 10_000),
                "file_5mb": lambda p: _batches(p, 5),
                "file_50mb": lambda p: _batches(p, 50),
            }
            for name, make in files.items():
                path = Path(scratch) / f"{name}.sql"
                statements, rows = make(path)
                db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user="postgres")
                db.query("DROP TABLE IF EXISTS bench_rows")
                db.query("CREATE TABLE bench_rows (id bigint, note text)")
                db.close()
                measured = _run_runner(env, database, SECRET_ID, path)
                assert measured["executed"] == statements and measured["rows"] == rows, measured
                figures[name] = {
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "statements": statements,
                    **measured,
                    "statements_per_s": round(statements / measured["wall_s"]),
                }
                path.unlink()
    finally:
        server.stop()
        admin.query(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
    ratio = figures["file_50mb"]["peak_rss_mb"] / figures["file_5mb"]["peak_rss_mb"]
    return {
        **figures,
        "peak_ratio_50_to_5": round(ratio, 2),
        "target": "peak memory flat in file size (50 MB peak <= 1.5x the 5 MB peak)",
        "met": ratio <= 1.5,
    }


if __name__ == "__main__":  # PYTHONPATH=. python bench/big_files.py
    print(json.dumps(run(), indent=2))
