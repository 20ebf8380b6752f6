"""`make package`: what Amazon MWAA takes, built into dist/mwaa/, installable with no index.

    python -m infra.mwaa.package [--out dist/mwaa] [--deploy-result deploy.json]

    dist/mwaa/requirements.txt     pip options only MWAA's own paths satisfy, then what the
                                   DAGs need beyond MWAA's image (infra/mwaa/requirements.txt)
    dist/mwaa/plugins.zip          unpacked by MWAA into /usr/local/airflow/plugins:
        constraints-3.3.1-py3.12.txt   the upstream constraints requirements.txt names
        *.whl                          the wheels of those requirements, for MWAA's platform
        etlkit_plugin.py               etlkit's Airflow plugin (registers its timetable)
        etlkit/triggers.py, etlkit/timetables.py, etlkit/run_notes.py
                                       what components import outside DAG parsing
                                       (see "Where code goes")
        .airflowignore                 keeps Airflow's plugin loader out of etlkit/
    dist/mwaa/dags/                synced by MWAA into /usr/local/airflow/dags:
        etlkit_pipelines.py            the DAG file
        etlkit/, etlkit_core/, sqlrunner/
                                       the DAG factory, the spec's Airflow-free core and
                                       the runner's parameter types
        pipelines/<dir>/pipeline.yaml  every pipeline spec (the SQL goes to S3 with
                                       `python -m infra.deploy`, which Glue reads) and its
        pipelines/<dir>/pipeline.graph.json  generated step graph (the DAG's dependencies
                                       and Assets; no SQL is analysed at parse time)
        pipelines/<dir>/*.sql          the steps' SQL, for Rendered Templates only (Glue
                                       runs the copy in S3)
        .airflowignore                 etlkit/, etlkit_core/ and sqlrunner/ hold no DAG
    dist/mwaa/mwaa-environment-parameters.json
                                   with --deploy-result: mwaa-environment.yaml's parameters
                                   wired to the stacks' outputs

Private networks. An environment in private subnets without a NAT reaches neither PyPI nor
the constraints URL, so requirements.txt names neither: `--no-index`, `--find-links` and
`--constraint` all point into /usr/local/airflow/plugins, where MWAA unpacks plugins.zip
before it runs `pip install -r requirements.txt` (MWAA user guide, "Managing Python
dependencies in requirements.txt", wheels in plugins.zip). The wheels are downloaded at
package time for MWAA's platform (Amazon Linux 2023: glibc 2.34, x86_64, CPython 3.12) by
`pip download --only-binary :all:` and cached in .local/cache/mwaa-wheels/. A requirement
MWAA's image already has (infra/mwaa/mwaa-image-3.3.1.txt) is refused: listing it only
risks a conflict with the image; wheels of image packages a requirement pulls in are
left out, pip finds them installed.

Where code goes. MWAA applies plugins.zip and requirements.txt only by updating the
environment (every component restarts), while it syncs the dags folder continuously
(MWAA user guide, "Installing custom plugins": custom operators and integrations belong in
the dags folder, plugins.zip is for files that should not change during execution, such
as wheels). So the DAG factory, the operators and the runner's parameter table travel in
dags/ and a new etlkit takes effect at the next parse. The exception is what the triggerer
runs: Airflow adds the dags folder to sys.path only where it parses DAGs (dag processor,
task runner), and the triggerer imports a trigger by class path, so etlkit's triggers live
in plugins.zip. Neither half carries etlkit/__init__.py: `etlkit` is then a namespace
package whose portions Python joins from the plugins and dags folders.

plugins.zip is written byte for byte the same from the same sources (fixed timestamps and
order), so re-uploading an unchanged build leaves its S3 version, and the environment, alone.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from etlkit_core.pipeline_graph import GRAPH_FILENAME, graph_path, stale_files
from etlkit_core.spec import SPEC_FILENAME, SpecError, discover, verify_sql
from infra import REPO_ROOT, artifacts
from infra.errors import DeployError, InfraError
from infra.mwaa import image

AIRFLOW_VERSION = image.AIRFLOW_VERSION
PYTHON_VERSION = "3.12"
SQL_ROOT = REPO_ROOT / "sql"
DAGS = REPO_ROOT / "dags"
PLUGINS = REPO_ROOT / "plugins"
ETLKIT = PLUGINS / "etlkit"
ETLKIT_CORE = PLUGINS / "etlkit_core"
SQLRUNNER = REPO_ROOT / "glue_job" / "src" / "sqlrunner"
REQUIREMENTS = REPO_ROOT / "infra" / "mwaa" / "requirements.txt"
CONSTRAINTS = REPO_ROOT / "infra" / "mwaa" / f"constraints-{AIRFLOW_VERSION}-py{PYTHON_VERSION}.txt"
OUT = REPO_ROOT / "dist" / "mwaa"
WHEEL_CACHE = REPO_ROOT / ".local" / "cache" / "mwaa-wheels"

# Where MWAA puts the bundle in each container (MWAA user guide, "Installing custom plugins").
MWAA_HOME = PurePosixPath("/usr/local/airflow")
MWAA_PLUGINS = MWAA_HOME / "plugins"
# etlkit modules imported outside DAG parsing, with only the plugins folder on sys.path:
# the triggers (the triggerer imports them by class path) and the timetable (etlkit's
# Airflow plugin registers it for every component that deserializes DAGs). They go to
# plugins.zip with the plugin module; the rest of etlkit goes to dags/.
PLUGINS_FOLDER_MODULES = ("triggers.py", "timetables.py", "run_notes.py")
PLUGIN_MODULE = PLUGINS / "etlkit_plugin.py"
PIPELINES_SUBDIR = "pipelines"
PARAMETERS_FILE = "mwaa-environment-parameters.json"
# MWAA 3.3.1 runs Amazon Linux 2023 (glibc 2.34) on x86_64. pip takes the platforms a wheel
# may carry literally, so every manylinux level the image's glibc runs is listed.
WHEEL_PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(34, 16, -1)),
    "manylinux2014_x86_64",  # pip adds manylinux2010 and manylinux1 to it
)
PIP = "pip==26.3"  # what downloads the wheels (MWAA's image upgrades pip when it is built)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_SKIPPED = {"__pycache__", ".DS_Store"}


class PackageError(InfraError):
    """The MWAA bundle cannot be built; the message names the file at fault."""


def build(
    out: Path = OUT,
    deploy_result: Mapping[str, Any] | None = None,
    requirements: Path = REQUIREMENTS,
) -> list[Path]:
    """Build the bundle into `out` (swapped in whole); return the files written."""
    specs = _checked_specs()
    wanted = read_requirements(requirements)
    _check_etlkit_split()
    wheels = download_wheels(wanted)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (staging / "requirements.txt").write_text(requirements_text(wanted), encoding="utf-8")
        write_plugins_zip(staging / "plugins.zip", wheels)
        _write_dags(staging / "dags", specs)
        if deploy_result is not None:
            parameters = environment_parameters(deploy_result)
            (staging / PARAMETERS_FILE).write_text(
                json.dumps(parameters, indent=2) + "\n", encoding="utf-8"
            )
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(path for path in out.rglob("*") if path.is_file())


def _checked_specs() -> list:
    try:
        specs = discover(SQL_ROOT)
        for spec in specs:
            verify_sql(spec)
        stale = stale_files(specs)
    except SpecError as exc:
        raise PackageError(f"pipeline spec: {exc}") from None
    if stale:
        raise PackageError(
            "stale step graph(s), run `python -m etlkit_core graph --write`: " + "; ".join(stale)
        )
    if not specs:
        raise PackageError(f"no {SQL_ROOT}/*/{SPEC_FILENAME}: nothing to package")
    return specs


def _check_etlkit_split() -> None:
    init = ETLKIT / "__init__.py"
    if init.exists() and init.read_text(encoding="utf-8").strip():
        raise PackageError(
            f"{init} must stay empty: the bundle ships etlkit as a namespace package split "
            "between plugins.zip (the triggers) and dags/ (the rest), without __init__.py"
        )
    for path in (*(ETLKIT / name for name in PLUGINS_FOLDER_MODULES), PLUGIN_MODULE):
        if not path.is_file():
            raise PackageError(f"{path} is missing (infra.mwaa.package.PLUGINS_FOLDER_MODULES)")


# ---------------------------------------------------------------- requirements


def read_requirements(path: Path = REQUIREMENTS) -> list[str]:
    """The requirement lines of infra/mwaa/requirements.txt (what the DAGs need beyond
    MWAA's image), checked: no pip options (the bundle writes its own), nothing the image
    already has, and a version pinned by `==` or by the shipped constraints."""
    installed = image.packages()
    constrained = _constraint_names()
    wanted = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        if line.startswith("-"):
            raise PackageError(
                f"{where}: {line!r}: no pip options here; the bundle's requirements.txt "
                "writes --constraint, --no-index and --find-links itself"
            )
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            raise PackageError(f"{where}: {line!r} is not a requirement: {exc}") from None
        name = image.normalize(requirement.name)
        if name in installed:
            raise PackageError(
                f"{where}: {name} is already in MWAA's Airflow {AIRFLOW_VERSION} image "
                f"({name}=={installed[name]}, infra/mwaa/{image.PACKAGES.name}): drop the line"
            )
        pinned = any(spec.operator == "==" for spec in requirement.specifier)
        if not pinned and name not in constrained:
            raise PackageError(
                f"{where}: pin {name} with == (it is not in {CONSTRAINTS.name}), or pip would "
                "take whatever is newest when the bundle is built"
            )
        wanted.append(line)
    return wanted


def _constraint_names() -> set[str]:
    return {
        image.normalize(line.split("==", 1)[0])
        for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }


def requirements_text(wanted: Sequence[str]) -> str:
    """The bundle's requirements.txt: every source is a file plugins.zip brings along."""
    lines = [
        "# Installed by Amazon MWAA with pip when each Airflow container starts, after it has",
        f"# unpacked plugins.zip into {MWAA_PLUGINS}: no package index is used, so an",
        "# environment without internet access installs it too (infra/mwaa/package.py).",
        f"--constraint {MWAA_PLUGINS / CONSTRAINTS.name}",
        "--no-index",
        f"--find-links {MWAA_PLUGINS}",
    ]
    if not wanted:
        lines.append("# Nothing beyond MWAA's image is needed (infra/mwaa/requirements.txt).")
    return "\n".join([*lines, *wanted]) + "\n"


def download_wheels(wanted: Sequence[str], cache: Path = WHEEL_CACHE) -> list[Path]:
    """Wheels of `wanted` and of their dependencies that MWAA's image lacks, for MWAA's
    platform, resolved against the shipped constraints; cached by what decides them."""
    if not wanted:
        return []
    key = hashlib.sha256(
        json.dumps(
            [list(wanted), CONSTRAINTS.read_text(encoding="utf-8"), WHEEL_PLATFORMS, PIP]
        ).encode()
    ).hexdigest()[:16]
    target = cache / key
    if not (target / ".complete").exists():
        cache.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
        try:
            _pip_download(wanted, scratch)
            (scratch / ".complete").touch()
            # Another build may have filled the same entry meanwhile: keep that one.
            with contextlib.suppress(OSError):
                scratch.rename(target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    installed = image.packages()
    return sorted(wheel for wheel in target.glob("*.whl") if not _in_image(wheel.name, installed))


def _in_image(wheel_name: str, installed: Mapping[str, str]) -> bool:
    name, version = wheel_name.split("-")[:2]
    return installed.get(image.normalize(name)) == version


def _pip_download(wanted: Sequence[str], into: Path) -> None:
    requirements = into / "requirements.in"
    requirements.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    platforms = [arg for platform in WHEEL_PLATFORMS for arg in ("--platform", platform)]
    command = [
        uv_executable(),
        "tool",
        "run",
        "--no-config",
        "--from",
        PIP,
        "pip",
        "download",
        "--disable-pip-version-check",
        "--quiet",
        "--only-binary=:all:",
        *platforms,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--constraint",
        str(CONSTRAINTS),
        "--dest",
        str(into),
        "--requirement",
        str(requirements),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    requirements.unlink()
    if done.returncode != 0:
        raise PackageError(
            "downloading the requirements' wheels for MWAA (manylinux x86_64, CPython "
            f"{PYTHON_VERSION}) failed; a requirement with no such wheel needs one built:\n"
            + (done.stderr.strip() or done.stdout.strip())
        )


def uv_executable() -> str:
    """The uv `make setup` installed (infra.artifacts finds it for the wheel build too)."""
    try:
        return artifacts._find_uv()
    except DeployError as exc:
        raise PackageError(str(exc)) from None


# ---------------------------------------------------------------- plugins.zip and dags/


def write_plugins_zip(path: Path, wheels: Sequence[Path] = ()) -> None:
    """plugins.zip as MWAA unpacks it into the plugins folder."""
    members = {
        ".airflowignore": PLUGINS / ".airflowignore",
        CONSTRAINTS.name: CONSTRAINTS,
        PLUGIN_MODULE.name: PLUGIN_MODULE,
        **{f"etlkit/{name}": ETLKIT / name for name in PLUGINS_FOLDER_MODULES},
        **{wheel.name: wheel for wheel in wheels},
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name].read_bytes())


def dags_ignore() -> str:
    """dags/.airflowignore: the packages beside the DAG file hold no DAG. Each pattern
    ends in / so it means the same to the glob (3.x default) and regexp syntaxes."""
    return "etlkit/\netlkit_core/\nsqlrunner/\n"


def _write_dags(dags: Path, specs: Sequence[Any]) -> None:
    dags.mkdir()
    (dags / ".airflowignore").write_text(dags_ignore(), encoding="utf-8")
    for dag_file in sorted(DAGS.glob("*.py")):
        shutil.copy2(dag_file, dags / dag_file.name)
    skipped = {"__init__.py", *PLUGINS_FOLDER_MODULES}
    _copy_package(ETLKIT, dags / "etlkit", skip_top=skipped)
    _copy_package(ETLKIT_CORE, dags / "etlkit_core")
    _copy_package(SQLRUNNER, dags / "sqlrunner")
    for spec in specs:
        # The directory name is part of each step's S3 key (StepSpec.s3_key): keep it.
        target = dags / PIPELINES_SUBDIR / spec.directory.name / SPEC_FILENAME
        target.parent.mkdir(parents=True)
        shutil.copy2(spec.path, target)
        shutil.copy2(graph_path(spec), target.parent / GRAPH_FILENAME)
        for step in spec.steps:  # shown rendered in each task's Rendered Templates
            shutil.copy2(spec.directory / step.file, target.parent / step.file)


def _copy_package(source: Path, target: Path, skip_top: set[str] = frozenset()) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if not path.is_file() or _SKIPPED.intersection(relative.parts) or path.suffix == ".pyc":
            continue
        if len(relative.parts) == 1 and relative.name in skip_top:
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)


def _swap_in(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` with two renames, so a reader (docker compose's bind
    mount of dist/, a sync) never sees a half-written bundle."""
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- the template's parameters


def environment_parameters(deploy_result: Mapping[str, Any]) -> list[dict[str, str]]:
    """infra/mwaa/mwaa-environment.yaml parameters from a `python -m infra.deploy` result."""
    try:
        outputs = deploy_result["outputs"]
        storage_stack = deploy_result["stacks"]["storage"]
        values = {
            "GlueJobName": outputs["GlueJobName"],
            "DataBucket": outputs["DataBucket"],
            "AlertTopicArn": outputs["AlertTopicArn"],
            "StateMachineArns": json.dumps(deploy_result["state_machines"], sort_keys=True),
            "StateMachineNamePrefix": storage_stack.removesuffix("-storage"),
        }
    except (KeyError, TypeError) as exc:
        raise PackageError(f"deploy result: missing {exc} (expected infra.deploy's JSON)") from None
    if outputs.get("VpcId") and outputs.get("SubnetIds"):
        values["VpcId"] = outputs["VpcId"]
        values["SubnetIds"] = outputs["SubnetIds"]
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.mwaa.package",
        description="Build the Amazon MWAA bundle (requirements, plugins.zip, DAGs) into dist/mwaa.",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--deploy-result",
        type=Path,
        help="JSON printed by `python -m infra.deploy`: also write the MWAA template's parameters",
    )
    args = parser.parse_args(argv)
    try:
        result = None
        if args.deploy_result is not None:
            try:
                result = json.loads(args.deploy_result.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise PackageError(f"{args.deploy_result}: {exc}") from None
        files = build(args.out.resolve(), result)
    except PackageError as exc:
        print(f"package failed: {exc}", file=sys.stderr)
        return 1
    for path in files:
        print(f"{path.relative_to(args.out.resolve())}\t{path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
