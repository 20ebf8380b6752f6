"""The state machine runs the pipeline's graph: every edge honoured on every path through the
ASL, and independent steps in Parallel branches (infra.asl_layout). The ASL itself is walked,
not the layout tree: what Step Functions runs is what is checked."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etlkit_core.graph import AFTER, Edge, Graph
from etlkit_core.spec import load_spec
from infra import asl

from .conftest import validate_asl


def _spec(root: Path, steps: list[str]) -> Any:
    directory = root / "sql" / "g"
    directory.mkdir(parents=True, exist_ok=True)
    for step in steps:
        (directory / f"{step}.sql").write_text("SELECT 1;\n")
    listed = "".join(f"  - {{id: {step}, file: {step}.sql}}\n" for step in steps)
    (directory / "pipeline.yaml").write_text(f"name: g\nstart_date: 2024-01-01\nsteps:\n{listed}")
    return load_spec(directory / "pipeline.yaml")


def _graph(steps: list[str], edges: list[tuple[str, str]]) -> Graph:
    return Graph(steps, [Edge(a, b, AFTER) for a, b in edges])


def finished_before(definition: dict[str, Any]) -> dict[str, set[str]]:
    """For each step, the steps certain to have finished when it starts. A Parallel state
    ends when all its branches have; a branch knows only what was finished when it began
    and what it ran itself. Each step must be reached exactly once."""
    seen: dict[str, set[str]] = {}

    def walk(states: dict[str, Any], name: str | None, done: frozenset[str]) -> frozenset[str]:
        while name is not None:
            state = states[name]
            if state.get("Resource") == asl.GLUE_RUN_SYNC:
                assert name not in seen, f"step {name} is reached twice"
                seen[name] = set(done)
                done = done | {name}
            elif state["Type"] == "Parallel":
                ends = [walk(b["States"], b["StartAt"], done) for b in state["Branches"]]
                done = frozenset().union(*ends)
            elif state["Type"] == "Choice":  # the input checks: the steps are the Default
                name = state["Default"]
                continue
            name = None if state.get("End") else state.get("Next")
        return done

    walk(definition["States"], definition["StartAt"], frozenset())
    return seen


def _ancestors(graph: Graph, step: str) -> set[str]:
    return {other for other in graph.steps if other != step and graph.has_path(other, step)}


CASES = {
    "chain": (["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d")], True),
    "diamond": (["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], True),
    "two branches joining": (
        ["s1", "s2", "t1", "t2", "t3", "join", "report"],
        [
            ("s1", "s2"),
            ("t1", "t2"),
            ("t2", "t3"),
            ("s2", "join"),
            ("t3", "join"),
            ("join", "report"),
        ],
        True,
    ),
    "independent steps": (["a", "b", "c"], [], True),
    "nested": (
        ["a", "b", "c", "d", "e", "f"],
        [("a", "b"), ("a", "c"), ("c", "d"), ("c", "e"), ("d", "f"), ("e", "f"), ("b", "f")],
        True,
    ),
    "N shape (not series-parallel)": (
        ["a", "b", "c", "d"],
        [("a", "c"), ("b", "c"), ("b", "d")],
        False,
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_edge_is_honoured_and_series_parallel_graphs_lose_no_concurrency(
    case: str, tmp_path: Path
) -> None:
    steps, edges, series_parallel = CASES[case]
    graph = _graph(steps, edges)
    definition = asl.build(_spec(tmp_path, steps), graph)
    before = finished_before(definition)
    assert set(before) == set(steps)
    for a, b in edges:
        assert a in before[b], f"{b} may start before {a} has finished"
    for step in steps:
        # never waits for a step it does not depend on, where the graph can say so
        if series_parallel:
            assert before[step] == _ancestors(graph, step)
        assert before[step] >= _ancestors(graph, step)
    path = tmp_path / "g.asl.json"
    path.write_text(asl.render_definition(definition))
    done = validate_asl([path])
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_diamond_runs_its_middle_steps_in_one_parallel_state(tmp_path: Path) -> None:
    steps, edges, _ = CASES["diamond"]
    definition = asl.build(_spec(tmp_path, steps), _graph(steps, edges))
    states = definition["States"]
    assert states[asl.CHECK]["Default"] == "a"
    parallel = states[states["a"]["Next"]]
    assert parallel["Type"] == "Parallel" and parallel["Next"] == "d"
    assert [b["StartAt"] for b in parallel["Branches"]] == ["b", "c"]
    assert states["d"]["End"] is True


@st.composite
def dags(draw: Any, max_steps: int = 9) -> tuple[list[str], list[tuple[str, str]]]:
    n = draw(st.integers(1, max_steps))
    pairs = [(f"s{i}", f"s{j}") for i, j in itertools.combinations(range(n), 2)]
    edges = sorted(draw(st.sets(st.sampled_from(pairs)))) if pairs else []
    return [f"s{i}" for i in draw(st.permutations(range(n)))], edges


@settings(max_examples=200, deadline=None)
@given(dags())
def test_random_graphs_have_every_edge_honoured(dag: tuple[list[str], list]) -> None:
    import tempfile

    steps, edges = dag
    graph = _graph(steps, edges)
    with tempfile.TemporaryDirectory() as root:
        definition = asl.build(_spec(Path(root), steps), graph)
    before = finished_before(definition)
    assert set(before) == set(steps)
    for step in steps:
        assert before[step] >= _ancestors(graph, step)


def test_a_graph_of_other_steps_is_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["a", "b"])
    with pytest.raises(asl.AslError, match="not the spec's"):
        asl.build(spec, _graph(["a", "c"], []))
