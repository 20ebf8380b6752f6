"""A pipeline's step graph from its SQL, and the committed file that carries it.

`graph_of(spec)` reads every step's SQL file with the runner's analysis
(`sqlrunner.analysis`, sqlglot's Redshift dialect): what each step reads, writes and
needs to exist, with `${param}` placeholders left in the names (one analysis serves every
run), temporary tables kept inside their step, and Spectrum tables one step defines read
through their S3 locations by the others. With each step's `after:` it becomes the graph
(etlkit_core.graph: data edges, cycles and unordered writers refused).

Analysing SQL costs tens of milliseconds a file and needs sqlglot, so it never runs where
DAG files are parsed: `python -m etlkit_core graph --write` stores the result next to the
spec as `pipeline.graph.json` (committed, like the state machines; `--check` fails on a
stale one), and `load_graph(spec)` rebuilds the graph from that file alone, for the DAG
factory and the state machine generator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlrunner.analysis.model import Dataset

from .errors import GraphError
from .graph import Edge, Graph, Step, graph
from .spec import SPEC_FILENAME, PipelineSpec, SpecError, compile_spec, discover, load_spec

GRAPH_FILENAME = "pipeline.graph.json"
COMMAND = "python -m etlkit_core graph --write"
# OpenLineage naming of a dataset with the deployment's values left as `{...}` (what a
# consumer fills from its deployment config; see sqlrunner.analysis.naming).
DEPLOYMENT_FIELDS = ("cluster", "region", "database")


def graph_path(spec: PipelineSpec) -> Path:
    return spec.directory / GRAPH_FILENAME


def graph_of(spec: PipelineSpec) -> Graph:
    """The graph of `spec`'s steps from their SQL (slow: analyses every file). A cycle or
    two unordered writers of one dataset is a SpecError naming the steps and the dataset."""
    steps = _analysed_steps(spec)
    try:
        return graph(steps, overlaps=Dataset.overlaps)
    except GraphError as exc:
        raise SpecError(spec.path, "steps", str(exc)) from exc


def load_graph(spec: PipelineSpec) -> Graph:
    """The graph stored in the spec's `pipeline.graph.json` (fast: no SQL is read). The file
    must describe the spec's steps as they are, or it is refused as stale."""
    path = graph_path(spec)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise SpecError(path, "file", f"is missing: run `{COMMAND} {spec.directory}`") from None
    except ValueError as exc:
        raise SpecError(path, "file", f"is not JSON ({exc}): run `{COMMAND}`") from None
    steps = [
        Step(
            body["id"],
            reads=frozenset(_dataset(d) for d in body["reads"]),
            writes=frozenset(_dataset(d) for d in body["writes"]),
            after=tuple(body["after"]),
        )
        for body in stored["steps"]
    ]
    described = [(body["id"], body["file"], tuple(body["after"])) for body in stored["steps"]]
    expected = [(step.id, step.file, step.after) for step in spec.steps]
    if stored.get("pipeline") != spec.name or described != expected:
        raise SpecError(
            path, "steps", f"describes other steps than {spec.path}: run `{COMMAND}` and commit it"
        )
    edges = [Edge(e["before"], e["after"], e["reason"]) for e in stored["edges"]]
    return Graph([step.id for step in steps], edges, steps)


def render(spec: PipelineSpec) -> str:
    """The committed file's text: the graph, each step's reads and writes (logical names,
    with each one's OpenLineage name where no param is in it), and the spec's checked
    document with its digest, 2-space JSON."""
    result = graph_of(spec)
    document = {
        "comment": f"generated from {spec.directory.name}/*.sql by `{COMMAND}`; do not edit",
        "pipeline": spec.name,
        "steps": [
            {
                "id": step.id,
                "file": step.file,
                "after": list(step.after),
                "reads": _datasets(result.nodes[step.id].reads),
                "writes": _datasets(result.nodes[step.id].writes),
            }
            for step in spec.steps
        ],
        "edges": [
            {"before": edge.before, "after": edge.after, "reason": edge.reason}
            for edge in result.edges
        ],
        # the spec itself, checked: what the DAG processor loads while the spec is unchanged
        "spec": compile_spec(spec.path),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def discover_compiled(sql_root: Path | str) -> list[PipelineSpec]:
    """The specs under `sql_root` as a DAG file loads them (step files not looked for: on
    MWAA they are in S3): each from the compiled copy in its graph file while the spec's
    text is the one it was made from, else from the YAML as usual."""
    return discover(sql_root, check_files=False, compiled=_compiled_copy)


def _compiled_copy(spec_path: Path) -> Mapping[str, Any] | None:
    try:
        stored = json.loads((spec_path.parent / GRAPH_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # load_graph names the problem with the graph file itself
    return stored.get("spec") if isinstance(stored, dict) else None


def stale_files(specs: Iterable[PipelineSpec]) -> list[str]:
    """What `--check` reports: graph files that differ from their SQL, or are missing."""
    return [
        f"{graph_path(spec)}: {'differs from' if graph_path(spec).exists() else 'missing for'} "
        f"its spec and SQL"
        for spec in specs
        if _current(spec) != render(spec)
    ]


def write(specs: Iterable[PipelineSpec]) -> list[Path]:
    """(Re)writes each spec's graph file; returns those that changed."""
    changed = []
    for spec in specs:
        text = render(spec)
        if _current(spec) != text:
            graph_path(spec).write_text(text, encoding="utf-8")
            changed.append(graph_path(spec))
    return changed


def describe(spec: PipelineSpec, result: Graph, unknown: Iterable[str] = ()) -> str:
    """The graph for a person: steps by layer (a layer's steps may run at once), the edges
    and why, each step's reads and writes, and the statements of unknown effect."""
    lines = [f"pipeline {spec.name} ({spec.path})", "", "layers (steps in one layer run at once):"]
    lines += [f"  {n}. {', '.join(layer)}" for n, layer in enumerate(result.layers(), start=1)]
    lines += ["", "edges:"]
    lines += [f"  {e.before} -> {e.after}  ({e.reason})" for e in result.edges] or ["  (none)"]
    for step in spec.steps:
        node = result.nodes[step.id]
        lines += ["", f"{step.id} ({step.file})"]
        lines += [f"  reads  {dataset}" for dataset in sorted(node.reads, key=_order)]
        lines += [f"  writes {dataset}" for dataset in sorted(node.writes, key=_order)]
    unknown = list(unknown)
    if unknown:
        lines += ["", "effects unknown (add after: where a step depends on one):"]
        lines += [f"  {statement}" for statement in unknown]
    return "\n".join(lines) + "\n"


def unknown_statements(spec: PipelineSpec) -> list[str]:
    """The statements whose effects the analysis cannot know (a CALL, something it does not
    understand), as `file:line: statement N: why: text`: the graph cannot see what they
    read or write, so a step holding one may need `after:`."""
    return [str(unknown) for analysis in _analyses(spec) for unknown in analysis.unknown]


def _analyses(spec: PipelineSpec) -> list[Any]:
    from sqlrunner.analysis import analyse

    analyses = []
    for index, step in enumerate(spec.steps):
        path = spec.directory / step.file
        try:
            analyses.append(analyse(path.read_text(encoding="utf-8"), str(path)))
        except OSError as exc:
            raise SpecError(spec.path, f"steps[{index}].file", f"cannot be read ({exc})") from None
        except Exception as exc:  # the runner's ParamError / SqlSyntaxError name the line
            raise SpecError(spec.path, f"steps[{index}].file", str(exc)) from None
    return analyses


def _analysed_steps(spec: PipelineSpec) -> list[Step]:
    from sqlrunner.analysis import external_tables, with_locations

    analyses = _analyses(spec)
    tables = external_tables(analyses)
    steps = []
    for step, analysis in zip(spec.steps, analyses, strict=True):
        analysis = with_locations(analysis, tables)
        steps.append(
            Step(
                step.id,
                reads=analysis.reads | analysis.requires,
                writes=analysis.writes,
                after=step.after,
            )
        )
    return steps


def _order(dataset: Dataset) -> tuple[str, str]:
    return dataset.kind, dataset.name


def _datasets(datasets: Iterable[Any]) -> list[dict[str, str]]:
    from sqlrunner.analysis import AnalysisError, Deployment, dataset_uri

    template = Deployment(*(f"{{{field}}}" for field in DEPLOYMENT_FIELDS))
    listed = []
    for dataset in sorted(datasets, key=_order):
        entry = {"kind": dataset.kind, "name": dataset.name}
        if dataset.default_schema:
            entry["default_schema"] = dataset.default_schema
        if not dataset.params:
            try:
                uri = dataset_uri(dataset, template)
            except AnalysisError:
                uri = None
            if uri:
                entry["openlineage"] = uri
        listed.append(entry)
    return listed


def _dataset(entry: Mapping[str, str]) -> Dataset:
    return Dataset(entry["kind"], entry["name"], entry.get("default_schema", ""))


def _current(spec: PipelineSpec) -> str | None:
    path = graph_path(spec)
    return path.read_text(encoding="utf-8") if path.exists() else None


def specs_in(directory: Path) -> list[PipelineSpec]:
    """The specs a command names by directory: one pipeline's, or every one under a root."""
    if (directory / SPEC_FILENAME).is_file():
        return [load_spec(directory / SPEC_FILENAME)]
    return discover(directory)
