"""`make demo` at 1M sample reviews: wall time and peak memory (the sum of the resident
sets of the demo, the local AWS server and every Glue run and Airflow process they
start, sampled every 0.2 s). Runs on its own state dir, port and database, so a stack
the user has up is not touched."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from infra.local import stack

ROWS = 1_000_000


def _tree_rss(roots: "set[int]") -> int:
    """Resident bytes of `roots` and all their descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo, seen = 0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run() -> dict:
    database = "bench_demo_" + uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "LOCAL_AWS_PORT": "0", "LOCAL_DB": database}
        command = [
            sys.executable,
            "-m",
            "infra.local.demo",
            "--rows",
            str(ROWS),
            "--state-dir",
            state,
        ]
        started = time.perf_counter()
        demo = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        peak = 0
        while demo.poll() is None:
            roots = {demo.pid}
            pid_file = Path(state) / "aws" / "server.pid"
            if pid_file.exists() and pid_file.read_text().strip():
                roots.add(int(pid_file.read_text()))
            peak = max(peak, _tree_rss(roots))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        output = demo.stdout.read().decode()
        subprocess.run([sys.executable, "-m", "infra.local.stack", "down", "--state-dir", state],
                       env=env, capture_output=True, check=False)  # fmt: skip
    stack.drop_database(stack.configured_postgres(), database)
    if demo.returncode != 0:
        raise RuntimeError(f"the demo failed:\n{output[-3000:]}")
    return {"rows": ROWS, "wall_s": round(wall, 1), "peak_rss_mb": round(peak / 2**20)}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
