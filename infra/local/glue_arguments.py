"""How a Glue Python shell run turns job and run arguments into the script's command line.

Glue merges the job's DefaultArguments, the run's Arguments (winning) and the job's
NonOverridableArguments (winning over both); moto already does that merge. What Glue
then does with the merged map is data below, one row per key that has a local effect;
every other key is passed to the script untouched.

Sources:
- Special parameters: https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html
- Python shell jobs (library-set, --extra-py-files, no --additional-python-modules
  download without network): https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html
- The command line itself follows `sys.argv` dumps printed by real Python shell jobs:
  `[script, '--job-bookmark-option', 'job-bookmark-disable', '--scriptLocation', 's3://..',
  '--job-language', 'python', '--KEY', 'VALUE', ...]`, keys with an empty value appear as a
  bare flag, `--extra-py-files` is passed through too, and unlike Spark (glueetl) jobs no
  `--JOB_ID`/`--JOB_RUN_ID`/`--JOB_NAME` are added, so a script must not rely on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from infra.local.errors import UnsupportedGlueFeature

PYTHON_SHELL_COMMAND = "pythonshell"


class Effect(Enum):
    SCRIPT_LOCATION = "overrides Command.ScriptLocation"
    PYTHON_PATH = "S3 files downloaded and put on PYTHONPATH"
    WORKING_DIR_FILES = "S3 files downloaded into the script's working directory"
    LANGUAGE = "must be python"
    CONSUMED = "read by Glue, not passed to the script"
    UNSUPPORTED = "not emulated locally: the run fails naming it"


@dataclass(frozen=True)
class SpecialParameter:
    key: str
    effect: Effect
    note: str


SPECIAL_PARAMETERS: dict[str, SpecialParameter] = {
    p.key: p
    for p in (
        SpecialParameter("--scriptLocation", Effect.SCRIPT_LOCATION, "S3 URI of the script"),
        SpecialParameter(
            "--extra-py-files",
            Effect.PYTHON_PATH,
            "comma-separated S3 URIs of .whl/.zip/.py; a pure-Python wheel imports as a zip",
        ),
        SpecialParameter("--extra-files", Effect.WORKING_DIR_FILES, "comma-separated S3 URIs"),
        SpecialParameter("--job-language", Effect.LANGUAGE, "Python shell runs Python only"),
        SpecialParameter(
            "library-set",
            Effect.CONSUMED,
            "'analytics' preinstalls Glue's library set; locally the interpreter has what it has",
        ),
        SpecialParameter(
            "--additional-python-modules",
            Effect.UNSUPPORTED,
            "pip at run start; ship the libraries as wheels via --extra-py-files instead",
        ),
        SpecialParameter(
            "--python-modules-installer-option",
            Effect.UNSUPPORTED,
            "goes with --additional-python-modules",
        ),
    )
}

# Added by Glue to every Python shell run when the arguments do not set them.
GLUE_ADDED_DEFAULTS: dict[str, str] = {
    "--job-bookmark-option": "job-bookmark-disable",
    "--job-language": "python",
}


def s3_uris(value: str) -> list[str]:
    """The comma-separated S3 URIs of --extra-py-files / --extra-files, blanks dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class RunCommandLine:
    script_location: str
    extra_py_files: list[str]
    extra_files: list[str]
    argv_tail: list[str]


def resolve(command: Mapping[str, str], merged_arguments: Mapping[str, str]) -> RunCommandLine:
    """The script, the files to fetch and the arguments after the script path.

    Raises UnsupportedGlueFeature (naming the key or command) for what is not emulated.
    """
    command_name = command.get("Name", "")
    if command_name != PYTHON_SHELL_COMMAND:
        raise UnsupportedGlueFeature(
            f"Command.Name {command_name!r}: the local Glue runs Python shell jobs "
            f"(Command.Name {PYTHON_SHELL_COMMAND!r}) only"
        )
    for key in merged_arguments:
        special = SPECIAL_PARAMETERS.get(key)
        if special is not None and special.effect is Effect.UNSUPPORTED:
            raise UnsupportedGlueFeature(f"job argument {key}: {special.note}")
    language = merged_arguments.get("--job-language", "python")
    if language != "python":
        raise UnsupportedGlueFeature(f"job argument --job-language {language!r}: must be python")

    script_location = merged_arguments.get("--scriptLocation") or command.get("ScriptLocation")
    if not script_location:
        raise UnsupportedGlueFeature("the job has no Command.ScriptLocation nor --scriptLocation")

    arguments: dict[str, str] = {}
    for key, value in GLUE_ADDED_DEFAULTS.items():
        arguments[key] = merged_arguments.get(key, value)
    arguments["--scriptLocation"] = script_location
    for key, value in merged_arguments.items():
        special = SPECIAL_PARAMETERS.get(key)
        if special is not None and special.effect is Effect.CONSUMED:
            continue
        arguments[key] = value

    argv_tail: list[str] = []
    for key, value in arguments.items():
        argv_tail.append(key)
        if value != "":
            argv_tail.append(value)
    return RunCommandLine(
        script_location=script_location,
        extra_py_files=s3_uris(merged_arguments.get("--extra-py-files", "")),
        extra_files=s3_uris(merged_arguments.get("--extra-files", "")),
        argv_tail=argv_tail,
    )
