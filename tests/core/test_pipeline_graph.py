"""A pipeline's graph from its SQL: edges from what each step reads and writes, `after:`,
refusals naming steps and table, the committed pipeline.graph.json and its drift check,
and `load_graph` (the parse-time reader) agreeing with `graph_of` (the analysis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etlkit_core.graph import AFTER
from etlkit_core.pipeline_graph import (
    GRAPH_FILENAME,
    discover_compiled,
    graph_of,
    graph_path,
    load_graph,
    stale_files,
    write,
)
from etlkit_core.spec import SpecError, discover, load_spec
from tests.core.branching import EDGES, STEPS, write_pipeline

REPO = Path(__file__).resolve().parents[2]


def _edges(result):
    return {(edge.before, edge.after) for edge in result.edges}


def test_committed_graph_files_match_their_sql():
    assert stale_files(discover(REPO / "sql")) == [], (
        "run `python -m etlkit_core graph --write` and commit the result"
    )


def test_the_sql_alone_gives_two_branches_that_join(tmp_path):
    spec = load_spec(write_pipeline(tmp_path / "p"))
    result = graph_of(spec)
    assert result.steps == STEPS
    assert _edges(result) == EDGES
    assert result.layers() == [
        ("load_orders", "load_users"),
        ("user_totals", "order_totals"),
        ("report",),
    ]
    reasons = {(e.before, e.after): e.reason for e in result.edges}
    assert reasons[("load_orders", "order_totals")] == "table stage.orders"
    # the temp table both loads create stays inside each: it neither links nor conflicts
    assert all("incoming" not in str(d) for n in result.nodes.values() for d in n.writes)
    writes = {str(d) for d in result.nodes["report"].writes}
    assert writes == {"s3://acme-reports/daily/run_date=${run_date}/"}


def test_after_adds_an_edge_the_sql_does_not_show(tmp_path):
    path = write_pipeline(tmp_path / "p")
    path.write_text(
        path.read_text().replace(
            "file: load_users.sql", "file: load_users.sql\n    after: [load_orders]"
        )
    )
    result = graph_of(load_spec(path))
    assert ("load_orders", "load_users") in _edges(result)
    assert {e.reason for e in result.edges if e.after == "load_users"} == {AFTER}


@pytest.mark.parametrize(
    ("after", "problem"),
    [("[nowhere]", "runs after 'nowhere', which is not a step"), ("[load_users]", "lists itself")],
)
def test_after_is_checked_when_the_spec_loads(tmp_path, after, problem):
    path = write_pipeline(tmp_path / "p")
    path.write_text(
        path.read_text().replace(
            "file: load_users.sql", f"file: load_users.sql\n    after: {after}"
        )
    )
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.where == "steps[4].after"
    assert problem in caught.value.problem


def test_a_cycle_through_the_data_is_refused_naming_steps_and_tables(tmp_path):
    directory = tmp_path / "p"
    write_pipeline(directory)
    # load_orders now also reads what order_totals writes: a circle
    (directory / "load_orders.sql").write_text(
        "INSERT INTO stage.orders SELECT n FROM mart.order_totals;\n"
    )
    with pytest.raises(SpecError) as caught:
        graph_of(load_spec(directory / "pipeline.yaml"))
    message = str(caught.value)
    assert message.startswith(f"{directory / 'pipeline.yaml'}: steps: the steps form a cycle")
    assert "reads table mart.order_totals written by order_totals" in message
    assert "reads table stage.orders written by load_orders" in message


def test_two_unordered_writers_of_a_table_are_refused(tmp_path):
    directory = tmp_path / "p"
    write_pipeline(directory)
    (directory / "load_users.sql").write_text("INSERT INTO stage.orders SELECT 2;\n")
    with pytest.raises(
        SpecError, match=r"'load_orders' and 'load_users' both write table stage.orders"
    ):
        graph_of(load_spec(directory / "pipeline.yaml"))


def test_load_graph_reads_back_what_graph_of_found(tmp_path):
    spec = load_spec(write_pipeline(tmp_path / "p"))
    assert write([spec]) == [graph_path(spec)]
    loaded, analysed = load_graph(spec), graph_of(spec)
    assert loaded.steps == analysed.steps
    assert loaded.edges == analysed.edges
    assert loaded.nodes == analysed.nodes
    stored = json.loads(graph_path(spec).read_text())
    assert stored["steps"][0]["writes"] == [
        {"kind": "s3", "name": "s3://acme-reports/daily/run_date=${run_date}/"}
    ]
    totals = next(s for s in stored["steps"] if s["id"] == "order_totals")
    assert {
        "kind": "table",
        "name": "mart.order_totals",
        "openlineage": "redshift://{cluster}.{region}:5439/{database}.mart.order_totals",
    } in totals["writes"]


def test_load_graph_refuses_a_file_the_spec_has_moved_on_from(tmp_path):
    path = write_pipeline(tmp_path / "p")
    with pytest.raises(SpecError, match=r"is missing: run `python -m etlkit_core graph --write"):
        load_graph(load_spec(path))
    write([load_spec(path)])
    path.write_text(
        path.read_text().replace(
            "file: load_users.sql", "file: load_users.sql\n    after: [load_orders]"
        )
    )
    with pytest.raises(SpecError, match="describes other steps than"):
        load_graph(load_spec(path))
    write([load_spec(path)])
    (path.parent / "users.sql").write_text((path.parent / "load_users.sql").read_text())
    path.write_text(path.read_text().replace("file: load_users.sql", "file: users.sql"))
    with pytest.raises(SpecError, match="describes other steps than"):
        load_graph(load_spec(path))


def test_a_dag_file_loads_specs_from_their_compiled_copy_while_they_are_unchanged(
    tmp_path, monkeypatch
):
    """The graph file carries the spec's checked document: a DAG file loads the same spec
    from it without parsing the YAML or checking its shape again; once the spec's text
    differs from the copy's (or the copy is missing), the YAML is loaded and checked."""
    from etlkit_core import spec as spec_module

    path = write_pipeline(tmp_path / "p")
    write([load_spec(path)])
    expected = load_spec(path, check_files=False)
    checked = []
    real_check = spec_module._check_shape
    monkeypatch.setattr(
        spec_module, "_check_shape", lambda *a: checked.append(a[0]) or real_check(*a)
    )
    (compiled,) = discover_compiled(tmp_path)
    assert compiled == expected and checked == []

    # a later edit the graph file was not rewritten for: loaded from the YAML, and checked
    path.write_text(path.read_text().replace("steps:", "retries: 11\nsteps:"))
    with pytest.raises(SpecError, match="retries"):
        discover_compiled(tmp_path)
    assert checked == [path]
    path.write_text(path.read_text().replace("retries: 11\n", "retries: 3\n"))
    (edited,) = discover_compiled(tmp_path)
    assert edited.retries == 3 and checked == [path, path]
    graph_path(edited).unlink()
    assert discover_compiled(tmp_path) == [edited] and checked == [path, path, path]


def _command(*args):
    return subprocess.run(
        [sys.executable, "-m", "etlkit_core", "graph", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_the_command_prints_writes_and_checks(tmp_path):
    directory = tmp_path / "p"
    write_pipeline(directory)
    printed = _command(directory)
    assert printed.returncode == 0, printed.stderr
    assert "1. load_orders, load_users" in printed.stdout
    assert "load_orders -> order_totals  (table stage.orders)" in printed.stdout
    assert "  writes table mart.user_totals" in printed.stdout
    missing = _command("--check", directory)
    assert missing.returncode == 1
    assert f"{directory / GRAPH_FILENAME}: missing" in missing.stderr
    assert _command("--write", directory).returncode == 0
    assert _command("--check", directory).returncode == 0
    (directory / "user_totals.sql").write_text("INSERT INTO mart.user_totals SELECT 1;\n")
    stale = _command("--check", directory)
    assert stale.returncode == 1
    assert f"{directory / GRAPH_FILENAME}: differs" in stale.stderr


def test_the_command_lists_statements_of_unknown_effect(tmp_path):
    directory = tmp_path / "p"
    write_pipeline(directory)
    (directory / "load_users.sql").write_text(
        "INSERT INTO stage.users SELECT 2;\nCALL refresh_users();\n"
    )
    printed = _command(directory)
    assert printed.returncode == 0, printed.stderr
    assert "effects unknown (add after: where a step depends on one):" in printed.stdout
    assert "load_users.sql:2: statement 2:" in printed.stdout


def test_the_command_names_a_bad_spec_and_exits_2(tmp_path):
    directory = tmp_path / "p"
    write_pipeline(directory)
    (directory / "load_users.sql").write_text("INSERT INTO stage.orders SELECT 2;\n")
    done = _command(directory)
    assert done.returncode == 2
    assert "both write table stage.orders" in done.stderr
