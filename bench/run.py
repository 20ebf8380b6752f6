"""`make bench`: run the benchmarks, print each one's figures, and save them all in
bench/results.json (the README's numbers come from there). `make bench ONLY=splitter`
runs one."""

import datetime as dt
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

from sqlrunner.process import exit_with

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "splitter",
    "analysis",
    "classification",
    "runner_overhead",
    "local_orchestration",
    "redshift_emulation",
    "airflow_dags",
    "demo_1m",
    "backfill_30d",
    "big_files",
    "tickit",
]


def main() -> int:
    only = [name for name in os.environ.get("ONLY", "").split(",") if name]
    unknown = sorted(set(only) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    # Benchmarks are loaded from their files under their own names: bench/local_redshift.py
    # must not shadow the local_redshift package the runner imports. bench/ (the script's
    # folder, which Python puts first) goes last, for helpers one benchmark borrows from
    # another.
    sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]
    sys.path.append(str(HERE))
    results_path = HERE / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    missed = []
    for name in only or BENCHMARKS:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        figures = _load(name).run()
        figures["wall_s"] = round(time.perf_counter() - started, 1)
        print(json.dumps(figures, indent=2), flush=True)
        results[name] = figures
        if figures.get("met") is False:
            missed.append(name)
    results["_machine"] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    return 0


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    exit_with(main())
