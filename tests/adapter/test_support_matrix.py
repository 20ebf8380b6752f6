"""The support matrix in the docs is generated from the tables the emulation reads and must
be regenerated when they change; the tables agree with the code that acts on them; and
the emulation never reaches the wheel that runs on AWS (issue 13, item 7)."""

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from local_redshift import compat, load_history, matrix
from local_redshift.functions import EMULATED, FUNCTIONS, TRANSLATED
from local_redshift.translate import _HANDLERS

REPO = Path(__file__).resolve().parents[2]
MATRIX = REPO / "glue_job/local_redshift/SUPPORT.md"


def test_the_committed_support_matrix_is_current():
    assert MATRIX.read_text() == matrix.render(), (
        "the support matrix is stale: run "
        "`.venv/bin/python -m local_redshift.matrix > glue_job/local_redshift/SUPPORT.md`"
    )


def test_every_emulated_function_has_a_compat_definition():
    defined = {d.name for d in compat.DEFINITIONS}
    defined |= {name.upper() for name in load_history.FUNCTIONS}  # COPY's own session facts
    missing = [f.name for f in FUNCTIONS if f.status == EMULATED and f.name not in defined]
    assert missing == []


def test_every_translated_function_has_a_rewrite_or_a_compat_definition():
    defined = {d.name for d in compat.DEFINITIONS} | set(_HANDLERS)
    keywords = {"APPROXIMATE COUNT", "APPROXIMATE PERCENTILE_DISC", "SYSDATE"}
    missing = [
        f.name
        for f in FUNCTIONS
        if f.status == TRANSLATED and f.name not in defined and f.name not in keywords
    ]
    assert missing == []


def test_every_row_cites_an_aws_page():
    for function in FUNCTIONS:
        assert function.doc.startswith("https://docs.aws.amazon.com/redshift/latest/dg/")
    for definition in compat.DEFINITIONS:
        assert definition.doc.startswith("https://docs.aws.amazon.com/redshift/latest/dg/")


@pytest.fixture(scope="module")
def sqlrunner_wheel(tmp_path_factory):
    uv = next(
        (c for c in (os.environ.get("UV"), shutil.which("uv"), str(REPO / ".tools/bin/uv")) if c),
        None,
    )
    if uv is None or not os.path.exists(uv):
        pytest.skip("uv is not available to build the wheel (make setup installs it)")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [uv, "build", "--wheel", "--no-config", "--out-dir", str(out), str(REPO / "glue_job")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("sqlrunner-*.whl")
    return path


def test_the_production_wheel_contains_no_emulation(sqlrunner_wheel):
    with zipfile.ZipFile(sqlrunner_wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert not [n for n in names if n.startswith("local_redshift")]
    assert [n for n in names if n.startswith("sqlrunner/")]
    # optional extras (sqlrunner[lineage]) are not installed on Glue unless asked for
    requires = [
        line
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert not [r for r in requires if "sqlglot" in r or "pyarrow" in r or "local" in r]
