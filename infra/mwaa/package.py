"""`make package`: what Amazon MWAA takes, built into dist/mwaa/.

    python -m infra.mwaa.package [--out dist/mwaa] [--deploy-result deploy.json]

    dist/mwaa/requirements.txt    infra/mwaa/requirements.txt: MWAA's --constraint line, then
                                  only what the DAGs need beyond MWAA's image
    dist/mwaa/plugins.zip         the etlkit package (the DAG factory), the runner's pure-Python
                                  sqlrunner package (etlkit reads its one table of parameter
                                  types), and the .airflowignore that keeps Airflow's plugin
                                  loader out of both
    dist/mwaa/dags/*.py           the DAG files
    dist/mwaa/dags/pipelines/<dir>/pipeline.yaml
                                  every pipeline spec, where the DAG file looks on MWAA; the
                                  SQL files are not here (Glue reads them from the scripts
                                  bucket, `python -m infra.deploy` uploads them)
    dist/mwaa/mwaa-environment-parameters.json
                                  with --deploy-result (the JSON `python -m infra.deploy`
                                  prints): infra/mwaa/mwaa-environment.yaml's parameters
                                  wired to the stacks' outputs

Sync `dist/mwaa/` to the environment's bucket (see infra/mwaa/README.md). The specs are
validated against their SQL files first, so a broken spec fails here, not on MWAA.

No runner wheel: MWAA never runs the runner, Glue does; plugins.zip carries the sqlrunner
package only for its parameter types. No startup script: the DAGs'
settings are Airflow Variables (the environment template serves them from Secrets Manager)
and AWS access is the execution role.

plugins.zip is written byte for byte the same from the same sources (fixed timestamps and
order), so re-uploading an unchanged build leaves MWAA's plugins version where it was.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from etlkit.spec import SPEC_FILENAME, SpecError, discover, verify_sql
from infra import REPO_ROOT

SQL_ROOT = REPO_ROOT / "sql"
DAGS = REPO_ROOT / "dags"
PLUGINS = REPO_ROOT / "plugins"
PLUGIN_PACKAGE = "etlkit"
# Packages plugins.zip carries beside etlkit: (source folder, name in the zip).
SHIPPED_PACKAGES = ((REPO_ROOT / "glue_job" / "src" / "sqlrunner", "sqlrunner"),)
REQUIREMENTS = REPO_ROOT / "infra" / "mwaa" / "requirements.txt"
OUT = REPO_ROOT / "dist" / "mwaa"
# The first line MWAA needs in requirements.txt: the constraints of its Airflow and Python
# (MWAA user guide, "Installing Python dependencies").
CONSTRAINT_LINE = (
    '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.3.1/'
    'constraints-3.12.txt"'
)
PIPELINES_SUBDIR = "pipelines"
PARAMETERS_FILE = "mwaa-environment-parameters.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_SKIPPED = {"__pycache__", ".DS_Store"}


class PackageError(Exception):
    """The MWAA bundle cannot be built; the message names the file at fault."""


def build(out: Path = OUT, deploy_result: Mapping[str, Any] | None = None) -> list[Path]:
    """Build the bundle into `out` (replacing it); return the files written."""
    specs = _checked_specs()
    requirements = REQUIREMENTS.read_text(encoding="utf-8")
    if requirements.splitlines()[:1] != [CONSTRAINT_LINE]:
        raise PackageError(f"{REQUIREMENTS}: the first line must be {CONSTRAINT_LINE}")
    with tempfile.TemporaryDirectory(prefix="etlkit-mwaa-") as scratch:
        staging = Path(scratch) / "mwaa"
        (staging / "dags" / PIPELINES_SUBDIR).mkdir(parents=True)
        (staging / "requirements.txt").write_text(requirements, encoding="utf-8")
        write_plugins_zip(staging / "plugins.zip")
        for dag_file in sorted(DAGS.glob("*.py")):
            shutil.copy2(dag_file, staging / "dags" / dag_file.name)
        for spec in specs:
            # The directory name is part of each step's S3 key (StepSpec.s3_key): keep it.
            target = staging / "dags" / PIPELINES_SUBDIR / spec.directory.name / SPEC_FILENAME
            target.parent.mkdir()
            shutil.copy2(spec.path, target)
        if deploy_result is not None:
            parameters = environment_parameters(deploy_result)
            (staging / PARAMETERS_FILE).write_text(
                json.dumps(parameters, indent=2) + "\n", encoding="utf-8"
            )
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, out)
    return sorted(path for path in out.rglob("*") if path.is_file())


def _checked_specs() -> list:
    try:
        specs = discover(SQL_ROOT)
        for spec in specs:
            verify_sql(spec)
    except SpecError as exc:
        raise PackageError(f"pipeline spec: {exc}") from None
    if not specs:
        raise PackageError(f"no {SQL_ROOT}/*/{SPEC_FILENAME}: nothing to package")
    return specs


def write_plugins_zip(path: Path) -> None:
    """plugins.zip as MWAA unpacks it into the plugins folder: etlkit/, sqlrunner/ and
    .airflowignore."""
    members = [(PLUGINS / ".airflowignore", ".airflowignore")]
    for folder, name in ((PLUGINS / PLUGIN_PACKAGE, PLUGIN_PACKAGE), *SHIPPED_PACKAGES):
        members += [
            (p, f"{name}/{p.relative_to(folder).as_posix()}") for p in _package_files(folder)
        ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, name in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.read_bytes())


def _package_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not _SKIPPED.intersection(p.parts) and p.suffix != ".pyc"
    )


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
