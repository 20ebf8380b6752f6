"""Every DAG file imports cleanly on Airflow 3.3.1, on its own, quickly.

One case per file in dags/. The parse time is measured the way the DAG processor pays it:
the file's `airflow.*` imports already loaded ([dag_processor] parsing_pre_import_modules),
against an empty DAG file in the same process; both figures are printed (run with -s, or
see the junit properties).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import pytest

from tests.dags.airflow_home import REPO
from tests.dags.conftest import load_dagbag

DAG_FILES = sorted((REPO / "dags").glob("*.py"))
EMPTY_DAG = """
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("empty", schedule=None):
    EmptyOperator(task_id="nothing")
"""
# What a DAG file may add to the empty file's parse time (issue 5: 0.2 s); measured here
# at about 0.04 s, so this only catches a regression such as I/O at parse time.
PARSE_BUDGET_SECONDS = 0.2


def _pre_import(path: Path) -> None:
    from airflow.utils.file import iter_airflow_imports

    for module in iter_airflow_imports(str(path)):
        importlib.import_module(module)


def _timed_parse(folder: Path) -> tuple[float, object]:
    # The DAG processor's parser process imports etlkit afresh for every parse; the
    # modules are put back afterwards so other tests keep one set of etlkit classes.
    loaded = {m: sys.modules[m] for m in sys.modules if m == "etlkit" or m.startswith("etlkit.")}
    best, bag = float("inf"), None
    try:
        for _ in range(3):  # best of three: the box is shared, other work adds noise
            for name in [m for m in sys.modules if m == "etlkit" or m.startswith("etlkit.")]:
                del sys.modules[name]
            started = time.perf_counter()
            bag = load_dagbag(folder)
            best = min(best, time.perf_counter() - started)
    finally:  # modules first imported by a parse go too: they hold that parse's classes
        for name in [m for m in sys.modules if m == "etlkit" or m.startswith("etlkit.")]:
            del sys.modules[name]
        sys.modules.update(loaded)
    return best, bag


def test_there_is_a_dag_file():
    assert [p.name for p in DAG_FILES] == ["etlkit_pipelines.py"]


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_without_errors(dag_file, tmp_path, record_property, monkeypatch):
    monkeypatch.setenv("ETLKIT_PIPELINES_DIR", str(REPO / "sql"))
    alone = tmp_path / "dags"
    alone.mkdir()
    (alone / dag_file.name).write_text(dag_file.read_text())
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "empty_dag.py").write_text(EMPTY_DAG)
    _pre_import(empty / "empty_dag.py")
    _pre_import(dag_file)

    baseline, _ = _timed_parse(empty)
    seconds, bag = _timed_parse(alone)

    assert bag.import_errors == {}
    assert bag.dags, f"{dag_file.name} defines no DAG"
    record_property("parse_seconds", round(seconds, 4))
    record_property("empty_dag_parse_seconds", round(baseline, 4))
    print(
        f"\n{dag_file.name}: {len(bag.dags)} DAGs parsed in {seconds:.3f} s; "
        f"empty DAG file {baseline:.3f} s; difference {seconds - baseline:.3f} s"
    )
    assert seconds - baseline < PARSE_BUDGET_SECONDS


def test_every_spec_gives_both_dags(dagbag, specs):
    expected = {f"{name}_{kind}" for name in specs for kind in ("glue", "stepfunctions")}
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == expected
