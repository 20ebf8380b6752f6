"""The pipeline graph: edges from data and `after:`, refusals, layers, critical path.
Property tests generate random DAGs (hypothesis) and check every intended edge is there,
no other is, and that no cycle or conflict is reported where none exists."""

import itertools
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etlkit_core.errors import CycleError, EtlkitCoreError, UnknownStepError, WriteConflictError
from etlkit_core.graph import AFTER, Edge, Step, graph


@st.composite
def dags(draw, max_steps=12):
    """(steps listed in a random order, intended edges {(before, after)}, durations):
    step s<i> writes table t<i>; an edge i -> j is either `s<j>` reading t<i> or
    `s<j>` listing s<i> in after:. Edges only go from lower to higher numbers, so the
    intended graph is acyclic."""
    n = draw(st.integers(1, max_steps))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    via_after = {e for e in edges if draw(st.booleans())}
    reads = {j: set() for j in range(n)}
    after = {j: [] for j in range(n)}
    for i, j in sorted(edges):
        if (i, j) in via_after:
            after[j].append(f"s{i}")
        else:
            reads[j].add(f"t{i}")
    order = draw(st.permutations(range(n)))
    steps = [
        Step(f"s{j}", frozenset(reads[j]), frozenset({f"t{j}"}), tuple(after[j])) for j in order
    ]
    durations = {f"s{j}": draw(st.integers(0, 100)) for j in range(n)}
    return steps, {(f"s{i}", f"s{j}") for i, j in edges}, durations


def closure(edges, nodes):
    reach = {n: set() for n in nodes}
    for a, b in edges:
        reach[a].add(b)
    changed = True
    while changed:
        changed = False
        for n in nodes:
            extra = set().union(*(reach[m] for m in reach[n])) - reach[n]
            if extra:
                reach[n] |= extra
                changed = True
    return reach


@settings(max_examples=300, deadline=None)
@given(dags())
def test_every_edge_is_honoured_and_no_other_appears(dag):
    steps, intended, _ = dag
    result = graph(steps)
    assert {(e.before, e.after) for e in result.edges} == intended
    position = {step: n for n, layer in enumerate(result.layers()) for step in layer}
    assert sorted(position) == sorted(s.id for s in steps)
    for before, after in intended:
        assert position[before] < position[after]
    reach = closure(intended, [s.id for s in steps])
    for a, b in itertools.permutations([s.id for s in steps], 2):
        assert result.has_path(a, b) == (b in reach[a])


@settings(max_examples=200, deadline=None)
@given(dags())
def test_layers_are_as_early_as_their_predecessors_allow(dag):
    steps, _, _ = dag
    result = graph(steps)
    layers = result.layers()
    for n, layer in enumerate(layers):
        for step in layer:
            depths = [
                i for i, lay in enumerate(layers) for s in lay if s in result.predecessors(step)
            ]
            assert n == (max(depths) + 1 if depths else 0)


@settings(max_examples=200, deadline=None)
@given(dags(max_steps=8))
def test_the_critical_path_is_the_longest_chain(dag):
    steps, intended, durations = dag
    result = graph(steps)
    total, chain = result.critical_path(durations)
    assert all((a, b) in intended for a, b in itertools.pairwise(chain))
    assert total == sum(durations[s] for s in chain)
    # brute force: the heaviest of all chains along intended edges
    successors = {s.id: [b for a, b in intended if a == s.id] for s in steps}

    def heaviest(step):
        return durations[step] + max((heaviest(n) for n in successors[step]), default=0)

    assert total == max(heaviest(s.id) for s in steps)


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_a_closing_edge_is_refused_as_a_cycle_naming_real_edges(dag, data):
    steps, intended, _ = dag
    reach = closure(intended, [s.id for s in steps])
    paths = sorted((a, b) for a in reach for b in reach[a])
    if not paths:
        return
    start, end = data.draw(st.sampled_from(paths))  # start ~> end exists: close it
    by_data = data.draw(st.booleans())
    closed = [
        s._replace(reads=s.reads | {f"t{end[1:]}"})
        if s.id == start and by_data
        else s._replace(after=(*s.after, end))
        if s.id == start
        else s
        for s in steps
    ]
    with pytest.raises(CycleError) as error:
        graph(closed)
    circle = error.value.steps
    edges = intended | {(end, start)}
    assert all((a, b) in edges for a, b in zip(circle, circle[1:] + circle[:1], strict=True))
    assert str(error.value).startswith("the steps form a cycle: ")


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_two_writers_of_one_table_must_be_ordered(dag, data):
    steps, intended, _ = dag
    if len(steps) < 2:
        return
    first, second = data.draw(st.permutations(steps))[:2]
    shared = [
        s._replace(writes=s.writes | {"shared"}) if s in (first, second) else s for s in steps
    ]
    reach = closure(intended, [s.id for s in steps])
    ordered = second.id in reach[first.id] or first.id in reach[second.id]
    if ordered:
        graph(shared)
    else:
        with pytest.raises(WriteConflictError) as error:
            graph(shared)
        assert set(error.value.steps) == {first.id, second.id}
        assert error.value.dataset == "shared"


def test_messages_name_the_steps_and_the_table():
    with pytest.raises(CycleError) as error:
        graph(
            [
                Step("load", frozenset({"public.orders"}), frozenset({"public.stage"})),
                Step("merge", frozenset({"public.stage"}), frozenset({"public.orders"})),
            ]
        )
    assert str(error.value) == (
        "the steps form a cycle: load -> merge (reads public.stage written by load)"
        " -> load (reads public.orders written by merge)"
    )
    with pytest.raises(WriteConflictError) as conflict:
        graph(
            [Step("a", writes=frozenset({"public.t"})), Step("b", writes=frozenset({"public.t"}))]
        )
    assert "steps 'a' and 'b' both write public.t" in str(conflict.value)
    assert "add `after: [a]` to 'b'" in str(conflict.value)


def test_upserts_of_one_table_are_ordered_by_after_and_readers_wait_for_both():
    orders = frozenset({"public.orders"})
    result = graph(
        [
            Step("report", reads=orders),
            Step("upsert_late", reads=orders, writes=orders, after=("upsert_early",)),
            Step("upsert_early", reads=orders, writes=orders),
        ]
    )
    assert set(result.edges) == {
        Edge("upsert_early", "upsert_late", AFTER),
        Edge("upsert_early", "report", "public.orders"),
        Edge("upsert_late", "report", "public.orders"),
    }
    assert result.layers() == [("upsert_early",), ("upsert_late",), ("report",)]


def test_overlapping_datasets_link_steps():
    """An S3 prefix overlaps every key under it (the caller says so)."""

    def nested(a, b):
        return a.startswith(b) or b.startswith(a)

    result = graph(
        [
            Step("export", frozenset(), frozenset({"s3://b/reports/run_date=1/"})),
            Step("ingest", frozenset({"s3://b/reports/"}), frozenset({"public.t"})),
        ],
        overlaps=nested,
    )
    assert result.edges == (Edge("export", "ingest", "s3://b/reports/run_date=1/"),)


def test_the_listed_order_breaks_ties_only():
    steps = [Step("c"), Step("a"), Step("b", after=("c",))]
    result = graph(steps)
    assert result.layers() == [("c", "a"), ("b",)]
    assert result.critical_path({"a": 5, "b": 1, "c": 3}) == (5.0, ("a",))


@pytest.mark.parametrize(
    "steps, message",
    [
        ([Step("a"), Step("a")], "step id 'a' is used twice"),
        ([Step("a", after=("z",))], "step 'a' runs after 'z', which is not a step"),
        ([Step("a", after=("a",))], "step 'a' lists itself in after:"),
    ],
)
def test_bad_step_ids_are_refused(steps, message):
    with pytest.raises(EtlkitCoreError, match=message):
        graph(steps)


def test_every_duration_is_needed():
    with pytest.raises(UnknownStepError, match="no duration for step"):
        graph([Step("a"), Step("b")]).critical_path({"a": 1})


def test_the_core_imports_neither_airflow_nor_sqlglot():
    code = (
        "import sys, etlkit_core.graph; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('airflow', 'sqlglot')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
