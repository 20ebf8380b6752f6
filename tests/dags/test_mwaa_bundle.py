"""The MWAA bundle installs with no package index into MWAA's image, and its DAGs load there.

"MWAA's image" is a fresh virtual environment holding exactly the Python distributions of
MWAA's Airflow 3.3.1 image (infra/mwaa/mwaa-image-3.3.1.txt), made with uv from its cache
(a few seconds; the first run on a machine downloads what `make setup` did not, measured
in the README's test table). The bundle is unpacked as MWAA lays it out in
/usr/local/airflow (dags/, plugins.zip unzipped into plugins/, requirements/), and its
requirements.txt is installed the way MWAA does it, `pip install -r`, with pip's
configuration and environment removed so no index or extra find-links can help. The only
change to the file is MWAA's home directory, /usr/local/airflow, mapped onto the test's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from etlkit_core.spec import discover
from infra.mwaa import image, package
from tests.dags.airflow_home import REPO

PROBE = Path(__file__).with_name("bundle_probe.py")
# psycopg2 has no wheel on PyPI (MWAA's image compiles it); the image's psycopg2-binary, of
# the same version, provides the same `psycopg2` module, and the DAGs do not use it.
BUILT_FROM_SOURCE = {"psycopg2"}


def _python312() -> str:
    found = subprocess.run(
        [str(REPO / ".ci/find-python.sh"), "3.12"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return found or sys.executable


def mwaa_image(root: Path) -> Path:
    """A fresh venv with MWAA's image's distributions (and pip, which MWAA runs)."""
    venv = root / "mwaa-image"
    wanted = root / "mwaa-image.txt"
    wanted.write_text(
        "".join(
            f"{name}=={version}\n"
            for name, version in image.packages().items()
            if name not in BUILT_FROM_SOURCE
        )
        + f"{package.PIP}\n"
    )
    uv = package.uv_executable()
    for command in (
        [uv, "venv", "--quiet", "--python", _python312(), str(venv)],
        [uv, "pip", "install", "--no-config", "--quiet", "--only-binary", ":all:",
         "--python", str(venv / "bin/python"), "--requirement", str(wanted)],
    ):  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
    return venv


def unpack(bundle: Path, home: Path) -> Path:
    """The bundle under `home` as MWAA puts it under /usr/local/airflow; returns the
    requirements file with MWAA's home mapped onto `home`."""
    with zipfile.ZipFile(bundle / "plugins.zip") as archive:
        archive.extractall(home / "plugins")
    shutil.copytree(bundle / "dags", home / "dags")
    text = (bundle / "requirements.txt").read_text()
    requirements = home / "requirements" / "requirements.txt"
    requirements.parent.mkdir(parents=True)
    requirements.write_text(text.replace(f"{package.MWAA_HOME}/", f"{home}/"))
    return requirements


def isolated_env(home: Path) -> dict[str, str]:
    """No pip configuration, no PIP_* variable, nothing from this checkout on the path."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "AIRFLOW", "ETLKIT_", "PYTHON", "VIRTUAL_ENV", "UV_"))
    }
    return env | {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


def pip_install(venv: Path, requirements: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-r", str(requirements)],
        env=isolated_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def probe(venv: Path, home: Path, *args: str) -> dict:
    script = home / PROBE.name
    shutil.copy(PROBE, script)  # run from the home: sys.path[0] must not be this checkout
    done = subprocess.run(
        [str(venv / "bin/python"), str(script), *args],
        env=isolated_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BUNDLE-PROBE ")]
    assert done.returncode == 0 and lines, done.stderr[-4000:]
    return json.loads(lines[-1].removeprefix("BUNDLE-PROBE "))


def test_requirements_name_no_network_location(tmp_path):
    package.build(tmp_path / "mwaa")
    lines = (tmp_path / "mwaa" / "requirements.txt").read_text().splitlines()
    options = [line for line in lines if line.startswith("-")]
    assert "--no-index" in options
    assert not [line for line in lines if "://" in line], "MWAA without internet fetches nothing"
    with zipfile.ZipFile(tmp_path / "mwaa" / "plugins.zip") as archive:
        shipped = set(archive.namelist())
    for option in options:
        flag, _, value = option.partition(" ")
        if flag in ("--constraint", "--find-links"):
            path = Path(value)
            assert path.is_relative_to(package.MWAA_PLUGINS), option
            inside = path.relative_to(package.MWAA_PLUGINS).as_posix()
            assert inside == "." or inside in shipped, f"{option}: not in plugins.zip"


def test_bundle_installs_with_no_index_and_its_dags_load_as_on_mwaa(tmp_path):
    venv = mwaa_image(tmp_path)
    package.build(tmp_path / "dist")
    home = tmp_path / "usr-local-airflow"
    requirements = unpack(tmp_path / "dist", home)

    installed = pip_install(venv, requirements, home)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    parsed = probe(venv, home, "dag-processor")
    assert parsed["import_errors"] == {}
    assert parsed["files"] == sorted(p.name for p in (REPO / "dags").glob("*.py"))
    expected = sorted(
        f"{s.name}_{kind}" for s in discover(REPO / "sql") for kind in ("glue", "stepfunctions")
    )
    assert parsed["dags"] == expected
    assert Path(parsed["sqlrunner_params"]) == home / "dags" / "sqlrunner" / "params.py"
    assert parsed["triggers"], "the deferrable operators' triggers were not found"
    leaked = [path for path in parsed["modules"] if path.startswith(str(REPO))]
    assert leaked == [], "the bundle imported from the checkout"

    # The triggerer never adds the dags folder to sys.path: every trigger etlkit defines
    # must import from plugins.zip alone.
    triggered = probe(venv, home, "triggerer", *parsed["triggers"])
    # Airflow's plugin loader, which imports every .py under plugins/ as a top-level module,
    # stays out of etlkit/ (plugins.zip's .airflowignore) and finds etlkit's one plugin,
    # which registers the timetable of the DAGs that are not their pipeline's scheduler.
    loader = triggered["plugin_loader"]
    assert loader["errors"] == {}
    assert [plugin.split(" object")[0] for plugin in loader["plugins"]] == [
        "<etlkit_plugin.EtlkitPlugin"
    ]
    assert "triggers" not in loader["new_top_level_modules"]
    assert "timetables" not in loader["new_top_level_modules"]
    for classpath, module_file in triggered["triggers"].items():
        assert Path(module_file).is_relative_to(home / "plugins"), classpath
    assert not [path for path in triggered["modules"] if path.startswith(str(home / "dags"))]


def test_a_requirement_beyond_the_image_ships_as_wheels_for_mwaa(tmp_path):
    """A held-out requirement: orjson (a compiled extension) and sqlglot (pure Python),
    neither in MWAA's image, both pinned by the constraints."""
    wanted = tmp_path / "requirements.txt"
    wanted.write_text("orjson\nsqlglot  # parses SQL\n")
    package.build(tmp_path / "dist", requirements=wanted)
    with zipfile.ZipFile(tmp_path / "dist" / "plugins.zip") as archive:
        wheels = sorted(name for name in archive.namelist() if name.endswith(".whl"))
    constraints = dict(
        line.split("==") for line in package.CONSTRAINTS.read_text().splitlines() if "==" in line
    )
    assert [wheel.split("-")[:2] for wheel in wheels] == [
        ["orjson", constraints["orjson"]],
        ["sqlglot", constraints["sqlglot"]],
    ]
    assert "-cp312-" in wheels[0] and "manylinux" in wheels[0] and "x86_64" in wheels[0]
    lines = (tmp_path / "dist" / "requirements.txt").read_text().splitlines()
    assert lines[-2:] == ["orjson", "sqlglot"]

    venv = mwaa_image(tmp_path)
    home = tmp_path / "usr-local-airflow"
    installed = pip_install(venv, unpack(tmp_path / "dist", home), home)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    done = subprocess.run(
        [str(venv / "bin/python"), "-c", "import orjson, sqlglot; print(orjson.__version__, sqlglot.__version__)"],
        env=isolated_env(home), cwd=home, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.stdout.split() == [constraints["orjson"], constraints["sqlglot"]], done.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("apache-airflow-providers-amazon[aiobotocore]==9.34.0", "already in MWAA's Airflow 3.3.1 image"),
        ("PyYAML", "pyyaml is already in MWAA's Airflow 3.3.1 image"),
        ("left-pad-for-python", "pin left-pad-for-python with =="),
        ("--index-url https://pypi.org/simple", "no pip options here"),
        ("orjson>=", "is not a requirement"),
    ],
)  # fmt: skip
def test_requirements_are_refused_with_the_line_at_fault(tmp_path, line, message):
    wanted = tmp_path / "requirements.txt"
    wanted.write_text(f"# what the DAGs need\n{line}\n")
    with pytest.raises(package.PackageError, match=rf"requirements.txt:2: .*{message}"):
        package.build(tmp_path / "out", requirements=wanted)
    assert not (tmp_path / "out").exists()
