"""Who may import whom: etlkit_core (what a pipeline is) imports no Airflow, no etlkit and,
until SQL is analysed, no sqlglot; infra/ (generators, deploy, local AWS) takes the spec
from etlkit_core and never imports the Airflow plugin package etlkit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_etlkit_core_loads_without_airflow_etlkit_or_sqlglot():
    code = (
        "import sys, pkgutil, importlib, etlkit_core\n"
        "for m in pkgutil.walk_packages(etlkit_core.__path__, 'etlkit_core.'):\n"
        "    if m.name != 'etlkit_core.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "from etlkit_core.spec import load_spec\n"
        "from etlkit_core.pipeline_graph import load_graph\n"
        f"load_graph(load_spec({str(REPO / 'sql/reviews/pipeline.yaml')!r}))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'airflow', 'etlkit', 'sqlglot'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_infra_never_imports_the_airflow_package():
    offenders = []
    for path in sorted((REPO / "infra").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(REPO)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0] == "etlkit"
            ]
    assert offenders == []
