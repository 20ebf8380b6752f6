"""`python -m infra.lineage_picture`: events the runner's emitter wrote become a mermaid
flowchart and a self-contained HTML page; a step's latest run counts, a failed one shows."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from infra import REPO_ROOT
from infra.lineage_picture import LOCATION, STEP, TABLE, graph_of, mermaid, read_events
from sqlrunner.lineage import Emitter, Target, run_id_of

NS = "redshift://examplecluster.eu-west-1:5439"


def emit(root, job, inputs, outputs, ending="COMPLETE", run="jr"):
    emitter = Emitter(Target("file", str(root)), job, run_id_of(run), log=print)
    emitter.inputs = [tuple(d) for d in inputs]
    emitter.outputs = [tuple(d) for d in outputs]
    emitter.start()
    emitter.fail("boom") if ending == "FAIL" else emitter.complete()
    assert len(emitter.sent) == 2


def arrange(root):
    emit(root, "shop.load", [("s3://lake", "in/orders.csv")], [(NS, "dev.shop.orders")])
    emit(
        root,
        "shop.daily",
        [(NS, "dev.shop.orders"), (NS, "dev.shop.daily")],
        [(NS, "dev.shop.daily")],
    )
    emit(root, "shop.report", [(NS, "dev.shop.daily")], [("s3://lake", "out/run_date=1/")])
    emit(root, "other.step", [], [(NS, "dev.other.t")])


def test_the_graph_links_reads_to_steps_to_writes(tmp_path):
    arrange(tmp_path)
    graph = graph_of("shop", read_events(f"file://{tmp_path}"))
    labels = {key: node.label for key, node in graph.nodes.items()}
    edges = {(labels[a], labels[b]) for a, b in graph.edges}
    assert edges == {
        ("s3://lake/in/orders.csv", "load"),
        ("load", "shop.orders"),
        ("shop.orders", "daily"),
        ("daily", "shop.daily"),  # read and written: drawn as its output only
        ("shop.daily", "report"),
        ("report", "s3://lake/out/run_date=1/"),
    }
    kinds = {node.label: node.kind for node in graph.nodes.values()}
    assert (kinds["load"], kinds["shop.orders"], kinds["s3://lake/in/orders.csv"]) == (
        STEP,
        TABLE,
        LOCATION,
    )


def test_the_latest_run_of_a_step_counts_and_a_failure_shows(tmp_path):
    arrange(tmp_path)
    emit(tmp_path, "shop.report", [(NS, "dev.shop.daily")], [], ending="FAIL", run="jr2")
    graph = graph_of("shop", read_events(str(tmp_path)))
    report = next(n for n in graph.nodes.values() if n.label == "report")
    assert report.state == "FAIL"
    assert "s3://lake/out/run_date=1/" not in {n.label for n in graph.nodes.values()}
    text = mermaid(graph)
    assert text.startswith("flowchart LR\n") and "class " in text and "failed" in text


def test_the_command_writes_mermaid_and_a_self_contained_page(tmp_path):
    arrange(tmp_path / "events")
    done = subprocess.run(
        [
            sys.executable, "-m", "infra.lineage_picture", "shop",
            "--events", f"file://{tmp_path}/events",
            "--mermaid", str(tmp_path / "shop.mmd"), "--html", str(tmp_path / "shop.html"),
        ],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 steps, 4 datasets" in done.stderr
    text = (tmp_path / "shop.mmd").read_text()
    assert text.count("-->") == 6 and '[("shop.orders")]' in text
    page = (tmp_path / "shop.html").read_text()
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    drawn = ET.fromstring(svg)  # noqa: S314 - our own output: checks it is well-formed SVG
    texts = {t.text for t in drawn.iter("{http://www.w3.org/2000/svg}text")}
    assert {"load", "daily", "report", "shop.orders", "shop.daily"} <= texts


def test_no_events_for_the_pipeline_is_an_error_naming_where(tmp_path):
    arrange(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "infra.lineage_picture", "nothing", "--events", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"no lineage events of pipeline nothing under {tmp_path}" in done.stderr
    assert json.loads((next(tmp_path.rglob("*.json"))).read_text())["eventType"]
