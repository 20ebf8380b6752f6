"""A pipeline's steps as a graph derived from the data they read and write.

The rules, which both orchestrators and the lineage follow:

- A step runs after every other step that writes something it reads, unless it writes
  that same thing itself: the writers of one dataset are ordered among themselves (next
  rule), and a step that reads and writes it (an upsert) takes its place in that order.
- A step also runs after each step its `after:` lists.
- Two steps that write the same dataset must be ordered by a path of these edges, or
  the pipeline is refused naming both and the dataset: which one wins would otherwise
  depend on timing.
- A cycle is refused naming the steps around it and what links each to the next.

Which datasets overlap is the caller's to say (`overlaps`): equality by default; an S3
prefix overlaps every key under it. Datasets are any hashable values whose `str()`
names them in messages.

Hand-written rather than networkx or graphlib: `graphlib.TopologicalSorter` reports a
cycle without the data that closes it and knows nothing of write conflicts, and the
whole graph is a few hundred nodes at most; the algorithms below are the textbook ones
(Kahn's layering, a DFS for the cycle, longest path in a DAG for the critical path).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import NamedTuple

from .errors import CycleError, UnknownStepError, WriteConflictError

Overlaps = Callable[[Hashable, Hashable], bool]
AFTER = "after:"  # the reason of an edge a step's `after:` asks for


class Step(NamedTuple):
    id: str
    reads: frozenset[Hashable] = frozenset()  # what it reads or needs to exist
    writes: frozenset[Hashable] = frozenset()
    after: tuple[str, ...] = ()


class Edge(NamedTuple):
    before: str
    after: str
    reason: str  # the dataset that links them, or AFTER


class Graph:
    """Steps (in the order given, which only breaks ties) and the edges between them.
    Build it with `graph(steps)`, which refuses what cannot be run; `nodes` are the
    steps with what each reads and writes, by id."""

    def __init__(
        self, steps: Sequence[str], edges: Iterable[Edge], nodes: Iterable[Step] = ()
    ) -> None:
        self.steps = tuple(steps)
        self.edges = tuple(edges)
        self.nodes: dict[str, Step] = {node.id: node for node in nodes}
        self._before: dict[str, set[str]] = {step: set() for step in self.steps}
        self._after: dict[str, set[str]] = {step: set() for step in self.steps}
        for edge in self.edges:
            self._before[edge.after].add(edge.before)
            self._after[edge.before].add(edge.after)

    def predecessors(self, step: str) -> tuple[str, ...]:
        """The steps `step` runs after directly, in step order."""
        return tuple(s for s in self.steps if s in self._before[step])

    def successors(self, step: str) -> tuple[str, ...]:
        return tuple(s for s in self.steps if s in self._after[step])

    def has_path(self, start: str, end: str) -> bool:
        """Whether `end` runs after `start` (directly or through other steps)."""
        seen, pending = {start}, [start]
        while pending:
            for nxt in self._after[pending.pop()]:
                if nxt == end:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    pending.append(nxt)
        return False

    def layers(self) -> list[tuple[str, ...]]:
        """Kahn's algorithm by levels: each step in the first layer after all of its
        predecessors'. Steps of one layer are independent of each other."""
        depth: dict[str, int] = {}
        remaining = {step: len(self._before[step]) for step in self.steps}
        ready = [step for step in self.steps if remaining[step] == 0]
        for step in ready:
            depth[step] = 0
        while ready:
            step = ready.pop(0)
            for nxt in self.successors(step):
                depth[nxt] = max(depth.get(nxt, 0), depth[step] + 1)
                remaining[nxt] -= 1
                if remaining[nxt] == 0:
                    ready.append(nxt)
        count = max(depth.values(), default=-1) + 1
        return [tuple(s for s in self.steps if depth[s] == level) for level in range(count)]

    def critical_path(self, durations: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """The longest chain of steps by total duration, and that total: no schedule of
        this graph can finish sooner. Every step needs a duration."""
        missing = [step for step in self.steps if step not in durations]
        if missing:
            raise UnknownStepError(f"no duration for step(s) {', '.join(missing)}", missing)
        finish: dict[str, float] = {}
        via: dict[str, str | None] = {}
        for layer in self.layers():
            for step in layer:
                before = max(self.predecessors(step), key=lambda s: finish[s], default=None)
                via[step] = before
                finish[step] = (finish[before] if before else 0.0) + float(durations[step])
        if not finish:
            return 0.0, ()
        last: str | None = max(self.steps, key=lambda s: finish[s])
        total = finish[last] if last else 0.0
        chain = []
        while last is not None:
            chain.append(last)
            last = via[last]
        return total, tuple(reversed(chain))


def graph(steps: Sequence[Step], overlaps: Overlaps | None = None) -> Graph:
    """The graph of `steps`; raises UnknownStepError, CycleError or WriteConflictError
    naming the steps (and the dataset) at fault."""
    ids = _check_ids(steps)
    edges = _data_edges(steps, overlaps) + [
        Edge(before, step.id, AFTER) for step in steps for before in step.after
    ]
    result = Graph(ids, _unique(edges), steps)
    _refuse_cycle(result)
    _refuse_unordered_writers(result, steps, overlaps)
    return result


def _check_ids(steps: Sequence[Step]) -> list[str]:
    ids: list[str] = []
    for step in steps:
        if step.id in ids:
            raise UnknownStepError(f"step id {step.id!r} is used twice", [step.id])
        ids.append(step.id)
    for step in steps:
        for before in step.after:
            if before not in ids:
                raise UnknownStepError(
                    f"step {step.id!r} runs after {before!r}, which is not a step of the pipeline",
                    [step.id, before],
                )
            if before == step.id:
                raise CycleError(f"step {step.id!r} lists itself in after:", [step.id])
    return ids


def _matches(a: Hashable, b: Hashable, overlaps: Overlaps | None) -> bool:
    return a == b if overlaps is None else overlaps(a, b)


def _data_edges(steps: Sequence[Step], overlaps: Overlaps | None) -> list[Edge]:
    edges = []
    for reader in steps:
        for writer in steps:
            if writer.id == reader.id:
                continue
            for written in sorted(writer.writes, key=str):
                own = any(_matches(written, mine, overlaps) for mine in reader.writes)
                if not own and any(_matches(written, read, overlaps) for read in reader.reads):
                    edges.append(Edge(writer.id, reader.id, str(written)))
    return edges


def _unique(edges: Iterable[Edge]) -> list[Edge]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for edge in edges:
        if (edge.before, edge.after) not in seen:
            seen.add((edge.before, edge.after))
            kept.append(edge)
    return kept


def _refuse_cycle(result: Graph) -> None:
    """Depth-first search; a back edge closes a cycle, which is reported with what links
    each step to the next."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(step: str) -> list[str] | None:
        state[step] = 1
        path.append(step)
        for nxt in result.successors(step):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[step] = 2
        return None

    for step in result.steps:
        if step not in state:
            circle = visit(step)
            if circle:
                reasons = {(e.before, e.after): e.reason for e in result.edges}
                links = " -> ".join(
                    [circle[0]] + [f"{b} ({_why(reasons[(a, b)], a)})" for a, b in pairwise(circle)]
                )
                raise CycleError(f"the steps form a cycle: {links}", circle[:-1])


def _why(reason: str, before: str) -> str:
    return f"after: {before}" if reason == AFTER else f"reads {reason} written by {before}"


def _refuse_unordered_writers(
    result: Graph, steps: Sequence[Step], overlaps: Overlaps | None
) -> None:
    for i, first in enumerate(steps):
        for second in steps[i + 1 :]:
            shared = [
                mine
                for mine in sorted(first.writes, key=str)
                if any(_matches(mine, theirs, overlaps) for theirs in second.writes)
            ]
            if not shared:
                continue
            if result.has_path(first.id, second.id) or result.has_path(second.id, first.id):
                continue
            raise WriteConflictError(
                f"steps {first.id!r} and {second.id!r} both write {shared[0]} and neither runs "
                f"after the other, so which one wins depends on timing: add "
                f"`after: [{first.id}]` to {second.id!r} (or the other way round)",
                [first.id, second.id],
                str(shared[0]),
            )
