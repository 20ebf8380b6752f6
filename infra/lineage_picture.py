"""A pipeline's table-level lineage as a picture, drawn from the OpenLineage events its
step runs sent (sqlrunner.lineage): mermaid text for a README, and a self-contained HTML
page with an SVG drawn here (no script, no network: it opens anywhere).

    python -m infra.lineage_picture PIPELINE [--events s3://bucket/lineage/ | file:///dir]
        [--mermaid FILE] [--html FILE]

Without --events, the events are the local stack's (`s3://<data bucket>/lineage/`, from
.local/stack.json); on AWS, pass the data bucket's lineage prefix. The mermaid text goes
to stdout unless --mermaid names a file; --html defaults to `lineage-<pipeline>.html`.

Each step's latest run counts (its last event: COMPLETE, FAIL, or a START still
running); the picture links the datasets it read to it and it to those it wrote. A table
a step both reads and writes (a delete-insert) is drawn as its output only, so the
picture stays a left-to-right flow.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.errors import InfraError
from infra.local.errors import LocalAwsError
from sqlrunner.process import exit_with

TABLE, LOCATION, STEP = "table", "location", "step"


class LineagePictureError(InfraError):
    """The events cannot be read or hold nothing for the pipeline; the message says where."""


@dataclass(frozen=True)
class Node:
    key: str
    kind: str  # TABLE, LOCATION or STEP
    label: str
    state: str = ""  # a step's last event type


@dataclass
class Graph:
    pipeline: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.key, node)
        return node.key


def dataset_node(dataset: dict[str, str]) -> Node:
    """A table is labelled schema.table (its database and cluster are the same for a
    whole pipeline); an S3 location by its URI."""
    namespace, name = dataset["namespace"], dataset["name"]
    key = f"{namespace}/{name}"
    if namespace.startswith("redshift://"):
        return Node(key, TABLE, name.split(".", 1)[-1])
    return Node(key, LOCATION, key if name != "/" else namespace + "/")


def graph_of(pipeline: str, events: Iterable[dict[str, Any]]) -> Graph:
    """The lineage of `pipeline`'s steps, each step by its latest run."""
    latest: dict[str, dict[str, Any]] = {}
    prefix = pipeline + "."
    for event in sorted(events, key=lambda e: e.get("eventTime", "")):
        job = event.get("job", {}).get("name", "")
        if job.startswith(prefix):
            latest[job] = event
    graph = Graph(pipeline)
    for job, event in sorted(latest.items()):
        step = graph.add(Node("step:" + job, STEP, job[len(prefix) :], event["eventType"]))
        outputs = {graph.add(dataset_node(d)) for d in event.get("outputs") or []}
        for key in outputs:
            graph.edges.add((step, key))
        for dataset in event.get("inputs") or []:
            key = graph.add(dataset_node(dataset))
            if key not in outputs:
                graph.edges.add((key, step))
    return graph


# ---------------------------------------------------------------- reading events


def read_events(location: str, s3: Any = None) -> list[dict[str, Any]]:
    """Every event under an s3:// prefix or a file:// directory (or a plain path)."""
    parts = urlsplit(location)
    if parts.scheme == "s3":
        if s3 is None:
            import boto3

            s3 = boto3.client("s3")
        bucket, prefix = parts.netloc, parts.path.lstrip("/")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        texts = [
            (f"s3://{bucket}/{key}", s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            for key in keys
            if key.endswith(".json")
        ]
    elif parts.scheme in ("file", ""):
        root = Path(parts.path if parts.scheme else location)
        if not root.is_dir():
            raise LineagePictureError(f"{location}: no such directory of lineage events")
        texts = [(str(path), path.read_bytes()) for path in sorted(root.rglob("*.json"))]
    else:
        raise LineagePictureError(f"{location}: expected s3://bucket/prefix/ or file:///dir")
    events = []
    for where, text in texts:
        try:
            events.append(json.loads(text))
        except ValueError as exc:
            raise LineagePictureError(f"{where} is not an OpenLineage event: {exc}") from None
    return events


# ---------------------------------------------------------------- mermaid

_SHAPES = {TABLE: ('[("', '")]'), LOCATION: ('[/"', '"/]'), STEP: ('["', '"]')}


def mermaid(graph: Graph) -> str:
    """A `flowchart LR`: steps as boxes, tables as cylinders, S3 locations as
    parallelograms; a failed step in red."""
    ids = {key: f"n{i}" for i, key in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    for key in sorted(graph.nodes):
        node = graph.nodes[key]
        left, right = _SHAPES[node.kind]
        label = node.label.replace('"', "#quot;")
        lines.append(f"    {ids[key]}{left}{label}{right}:::{node.kind}")
    for source, target in sorted(graph.edges):
        lines.append(f"    {ids[source]} --> {ids[target]}")
    lines += [
        "    classDef step fill:#dbe9ff,stroke:#2f6fd1",
        "    classDef table fill:#e3f4e1,stroke:#3b8a35",
        "    classDef location fill:#fff0d9,stroke:#c77c12",
    ]
    failed = [ids[k] for k, n in sorted(graph.nodes.items()) if n.state == "FAIL"]
    if failed:
        lines.append("    classDef failed fill:#ffd9d9,stroke:#c0392b")
        lines.append(f"    class {','.join(failed)} failed")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- SVG

_CHAR_W, _NODE_H, _PAD_X, _GAP_X, _GAP_Y, _MARGIN = 7.2, 30, 12, 70, 16, 20
_FILL = {
    TABLE: ("#e3f4e1", "#3b8a35"),
    LOCATION: ("#fff0d9", "#c77c12"),
    STEP: ("#dbe9ff", "#2f6fd1"),
}
_STATE_FILL = {"FAIL": ("#ffd9d9", "#c0392b"), "START": ("#f4f4f4", "#888888")}


def layers(graph: Graph) -> list[list[str]]:
    """Nodes by column: each node one column right of its furthest predecessor, rows
    ordered by their predecessors' mean row (fewer crossings)."""
    preds: dict[str, set[str]] = defaultdict(set)
    for source, target in graph.edges:
        preds[target].add(source)
    column: dict[str, int] = {}

    def depth(key: str, seen: frozenset[str]) -> int:
        if key not in column:
            earlier = [depth(p, seen | {key}) for p in preds[key] if p not in seen]
            column[key] = 1 + max(earlier) if earlier else 0
        return column[key]

    for key in sorted(graph.nodes):
        depth(key, frozenset())
    result: list[list[str]] = [[] for _ in range(max(column.values(), default=-1) + 1)]
    for key in sorted(graph.nodes, key=lambda k: graph.nodes[k].label):
        result[column[key]].append(key)
    row: dict[str, float] = {}
    for nodes in result:
        nodes.sort(
            key=lambda k: (
                sum(row[p] for p in preds[k] if p in row) / max(1, len(preds[k] & row.keys())),
                graph.nodes[k].label,
            )
        )
        row.update((key, float(i)) for i, key in enumerate(nodes))
    return result


def svg(graph: Graph) -> str:
    columns = layers(graph)
    widths = [
        max((len(graph.nodes[k].label) * _CHAR_W + 2 * _PAD_X for k in nodes), default=0)
        for nodes in columns
    ]
    tallest = max((len(nodes) for nodes in columns), default=0)
    height = 2 * _MARGIN + tallest * (_NODE_H + _GAP_Y)
    where: dict[str, tuple[float, float, float]] = {}  # key -> x, y, width
    x = _MARGIN
    for nodes, width in zip(columns, widths, strict=True):
        top = (height - len(nodes) * (_NODE_H + _GAP_Y)) / 2
        for i, key in enumerate(nodes):
            where[key] = (x, top + i * (_NODE_H + _GAP_Y), width)
        x += width + _GAP_X
    total_width = max(x - _GAP_X + _MARGIN, 2 * _MARGIN)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" '
        f'height="{height:.0f}" font-family="Menlo, Consolas, monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker>'
        "</defs>",
    ]
    for source, target in sorted(graph.edges):
        sx, sy, sw = where[source]
        tx, ty, _ = where[target]
        x1, y1, x2, y2 = sx + sw, sy + _NODE_H / 2, tx, ty + _NODE_H / 2
        bend = max(30.0, (x2 - x1) / 2)
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} '
            f'{x2:.1f},{y2:.1f}" fill="none" stroke="#888" marker-end="url(#arrow)"/>'
        )
    for key, (nx, ny, width) in sorted(where.items()):
        node = graph.nodes[key]
        fill, stroke = _STATE_FILL.get(node.state, _FILL[node.kind])
        radius = 14 if node.kind == TABLE else 3
        tip = {TABLE: "table", LOCATION: "S3 location", STEP: f"step, last run {node.state}"}
        parts.append(
            f"<g><title>{html.escape(key)} ({tip[node.kind]})</title>"
            f'<rect x="{nx:.1f}" y="{ny:.1f}" width="{width:.1f}" height="{_NODE_H}" '
            f'rx="{radius}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2 if node.kind == STEP else 1}"/>'
            f'<text x="{nx + width / 2:.1f}" y="{ny + _NODE_H / 2 + 4:.1f}" '
            f'text-anchor="middle">{html.escape(node.label)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def page(graph: Graph) -> str:
    steps = [n for n in graph.nodes.values() if n.kind == STEP]
    failed = sorted(n.label for n in steps if n.state == "FAIL")
    status = f"; failed in their last run: {', '.join(failed)}" if failed else ""
    title = f"Lineage of {graph.pipeline}"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:24px}"
        ".key span{display:inline-block;padding:2px 8px;margin-right:8px;border:1px solid}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{len(steps)} steps, each by its latest run, with the tables and S3 locations "
        f"they read (left) and write (right){html.escape(status)}.</p>"
        "<p class='key'><span style='background:#dbe9ff;border-color:#2f6fd1'>step</span>"
        "<span style='background:#e3f4e1;border-color:#3b8a35;border-radius:10px'>table</span>"
        "<span style='background:#fff0d9;border-color:#c77c12'>S3 location</span>"
        "<span style='background:#ffd9d9;border-color:#c0392b'>failed step</span></p>"
        f"{svg(graph)}\n</body></html>\n"
    )


# ---------------------------------------------------------------- command line


def _local_events() -> tuple[str, Any]:
    from infra.local.stack import StackState

    state = StackState.load()
    return f"s3://{state.outputs['DataBucket']}/lineage/", state.client("s3")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.lineage_picture", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("pipeline", help="the spec's name, e.g. reviews_etl")
    parser.add_argument("--events", help="s3://bucket/prefix/ or file:///dir (default: local)")
    parser.add_argument(
        "--mermaid", type=Path, help="write the mermaid text here (default: stdout)"
    )
    parser.add_argument("--html", type=Path, help="default: lineage-<pipeline>.html")
    options = parser.parse_args(argv)
    try:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", options.pipeline):
            raise LineagePictureError(f"{options.pipeline!r} is not a pipeline name")
        if options.events:
            events = read_events(options.events)
            where = options.events
        else:
            where, s3 = _local_events()
            events = read_events(where, s3)
        graph = graph_of(options.pipeline, events)
        if not graph.nodes:
            raise LineagePictureError(
                f"no lineage events of pipeline {options.pipeline} under {where}: run it with "
                "lineage on first"
            )
    except (InfraError, LocalAwsError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    text = mermaid(graph)
    if options.mermaid:
        options.mermaid.write_text(text)
    else:
        print(text, end="")
    out = options.html or Path(f"lineage-{options.pipeline}.html")
    out.write_text(page(graph))
    steps = sum(1 for n in graph.nodes.values() if n.kind == STEP)
    print(f"{out}: {steps} steps, {len(graph.nodes) - steps} datasets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    exit_with(main())
