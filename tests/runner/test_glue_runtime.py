"""The runner fits Glue's Python Shell: valid Python 3.9, a pure-Python wheel that
declares only what Glue preinstalls."""

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER_SOURCES = sorted((REPO / "glue_job").rglob("*.py"))


@pytest.mark.parametrize("path", RUNNER_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_source_parses_as_python_3_9(path):
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


def test_no_api_newer_than_python_3_9():
    vermin = shutil.which("vermin") or str(Path(sys.executable).parent / "vermin")
    if not os.path.exists(vermin):
        pytest.skip("vermin is not installed in this interpreter's environment (dev venv has it)")
    done = subprocess.run(
        [vermin, "--target=3.9-", "--violations", "--no-tips", "--eval-annotations",
         "--backport", "typing_extensions", str(REPO / "glue_job")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _uv():
    for candidate in (os.environ.get("UV"), shutil.which("uv"), str(REPO / ".tools/bin/uv")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not available to build the wheel (make setup installs it)")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [uv, "build", "--wheel", "--no-config", "--out-dir", str(out), str(REPO / "glue_job")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.whl")
    return path


def test_wheel_is_pure_python_with_only_glue_preinstalled_dependencies(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith("METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line  # extras: not on Glue
        ]
    sources = {
        p.relative_to(REPO / "glue_job/src").as_posix()
        for p in (REPO / "glue_job/src").rglob("*.py")
    }
    assert sources <= set(names)
    assert "sqlrunner/certs/amazon-trust-services-roots.pem" in names
    assert sorted(r.lower() for r in requires) == ["boto3>=1.20", "pygresql>=5.0.6"]


def test_wheel_imports_from_the_zip_as_glue_loads_it(wheel, tmp_path):
    """Glue puts --extra-py-files wheels on sys.path; a zip import must work, and the CA
    bundle must be readable from inside the zip (written to a file for libpq)."""
    code = (
        "import sqlrunner.cli, sqlrunner.executor; print(sqlrunner.__file__)\n"
        "from sqlrunner.tls import ca_bundle\n"
        "with ca_bundle(None, None) as path:\n"
        "    print('roots', open(path).read().count('BEGIN CERTIFICATE'))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(wheel)!r}); {code}"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert str(wheel) in done.stdout and "roots 5" in done.stdout
