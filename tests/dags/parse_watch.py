"""Parses a DAG folder while watching what the parse does; prints a JSON report.

    python tests/dags/parse_watch.py <dags folder>

Tests call `watch()`, which runs this file in a fresh interpreter (audit hooks cannot be
removed) and returns the report. The DAG
file's `airflow.*` imports are loaded first, as the DAG processor does; then a Python
audit hook records every file opened, socket connection, name lookup and process start
during the parse, while Variable.get and botocore client creation raise.
"""

import importlib
import json
import os
import subprocess
import sys

MARK = "PARSE-WATCH "


def watch(folder: str, env: dict, cwd: str | None = None) -> dict:
    """Parse `folder` in a fresh interpreter with `env`; the report (asserts it ran)."""
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), folder],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1][len(MARK) :])


def main(folder: str) -> None:
    from airflow.utils.file import iter_airflow_imports

    files = sorted(
        os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".py")
    )
    for path in files:
        for module in iter_airflow_imports(path):
            importlib.import_module(module)

    import botocore.session

    from etlkit import compat

    def refuse(*args, **kwargs):
        raise AssertionError(f"called at parse time with {args!r} {kwargs!r}")

    compat.Variable.get = refuse
    botocore.session.Session.create_client = refuse

    try:
        from airflow.dag_processing.dagbag import DagBag

        def load():
            return DagBag(folder)
    except ImportError:  # Airflow 2.11
        from airflow.models.dagbag import DagBag

        def load():
            return DagBag(folder, include_examples=False)

    events = []
    watched = ("socket.connect", "socket.getaddrinfo", "subprocess.Popen", "os.system", "os.exec")

    def hook(event, args):
        if event == "open":
            path, mode = args[0], args[1]
            if isinstance(path, str):
                events.append(["open", path, str(mode)])
        elif event in watched:
            events.append([event, repr(args)[:200], ""])

    sys.addaudithook(hook)
    bag = load()
    report = {
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": sorted(bag.dags),
        "events": events,
    }
    sys.stdout.write("\n" + MARK + json.dumps(report) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
