"""How a pipeline's step graph becomes nested sequences and Parallel states.

A state machine has no "start this state once those three have finished": it has
sequences (Next) and Parallel states whose branches all finish before the state does.
So the graph is decomposed into a tree of two kinds of nodes:

    Series(parts)    the parts one after another;
    Together(parts)  the parts at the same time (a Parallel state, one branch per part).

A leaf is a step id. The decomposition, recursively on a set of steps:

1. one step: the step itself;
2. steps falling apart into groups with no edge between them (weakly connected
   components of the induced subgraph): Together of the groups;
3. otherwise, a cut in topological order where every step before the cut reaches every
   step after it through the graph's edges: Series of the part before the cut and the part
   after it. Waiting for the whole first part then adds no constraint the graph does not
   already imply, so no concurrency is lost;
4. otherwise the steps are not series-parallel (an "N": a->c, b->c, b->d): they run in
   Kahn layers (`Graph.layers`), Series of Together(layer), each layer starting when the
   previous one has finished. Every edge still holds (a step's predecessors are in earlier
   layers); what is lost is only overlap across layers (d waits for a).

Series-parallel graphs (chains, diamonds, branches that join, independent pipelines
inside one spec) are decomposed exactly, so their independent steps overlap as much as
the graph allows; anything else falls back soundly. Every edge is honoured either way:
an edge never crosses between the parts of a Together (2 has none by construction; 4
puts its ends in different layers), and a Series orders its parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from etlkit_core.graph import Graph


class Series(NamedTuple):
    parts: tuple[Node, ...]


class Together(NamedTuple):
    parts: tuple[Node, ...]


Node = str | Series | Together


def layout(graph: Graph) -> Node:
    """The tree of `graph`'s steps (see the module docstring); its steps in graph order."""
    if not graph.steps:
        raise ValueError("a pipeline has at least one step")
    return _decompose(graph, list(graph.steps))


def _decompose(graph: Graph, steps: list[str]) -> Node:
    if len(steps) == 1:
        return steps[0]
    groups = _components(graph, steps)
    if len(groups) > 1:
        return Together(tuple(_decompose(graph, group) for group in groups))
    order = _topological(graph, steps)
    for cut in range(1, len(order)):
        before, after = order[:cut], order[cut:]
        if all(graph.has_path(a, b) for a in before for b in after):
            return _series(_decompose(graph, before), _decompose(graph, after))
    return _layered(graph, steps)


def _series(*parts: Node) -> Series:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, Series) else (part,))
    return Series(tuple(flat))


def _components(graph: Graph, steps: list[str]) -> list[list[str]]:
    inside = set(steps)
    seen: set[str] = set()
    groups = []
    for start in steps:
        if start in seen:
            continue
        group, pending = {start}, [start]
        while pending:
            step = pending.pop()
            for other in (*graph.predecessors(step), *graph.successors(step)):
                if other in inside and other not in group:
                    group.add(other)
                    pending.append(other)
        seen |= group
        groups.append([s for s in steps if s in group])
    return groups


def _topological(graph: Graph, steps: list[str]) -> list[str]:
    """Kahn's order of `steps` (ties in graph order), edges inside `steps` only."""
    inside = set(steps)
    waiting = {s: len([p for p in graph.predecessors(s) if p in inside]) for s in steps}
    order: list[str] = []
    ready = [s for s in steps if waiting[s] == 0]
    while ready:
        step = ready.pop(0)
        order.append(step)
        for nxt in graph.successors(step):
            if nxt in inside:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    ready.append(nxt)
    return order


def _layered(graph: Graph, steps: list[str]) -> Node:
    inside = set(steps)
    layers = [tuple(s for s in layer if s in inside) for layer in graph.layers()]
    parts: list[Node] = [
        layer[0] if len(layer) == 1 else Together(layer) for layer in layers if layer
    ]
    return _series(*parts)


def steps_of(node: Node) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    else:
        for part in node.parts:
            yield from steps_of(part)
