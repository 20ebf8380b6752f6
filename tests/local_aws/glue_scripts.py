"""Tiny Glue Python shell scripts and a wheel for the local AWS tests (Python 3.9-valid)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path
from typing import Any

# Writes what it saw (argv, endpoint, a value imported from the wheel) to S3 at --out.
REPORT = """
import json, os, sys
import boto3
import tinylib

args = sys.argv[1:]
out = args[args.index("--out") + 1]
bucket, key = out[len("s3://"):].split("/", 1)
print("hello stdout")
print("hello stderr", file=sys.stderr)
seen = {
    "argv": args,
    "script": sys.argv[0],
    "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
    "region": os.environ.get("AWS_DEFAULT_REGION"),
    "tinylib": tinylib.VALUE,
    "tinylib_file": tinylib.__file__,
}
boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(seen).encode())
"""

FAIL = """
print("working on it")
def load():
    raise RuntimeError("table missing: reviews")
load()
"""


# Says it is working, then ends as the runner does on failure: its error line last on stderr,
# then the exit code of the failure class (1 permanent, 2 bad input, 3 transient).
def exiting(code: int, line: str = "sqlrunner: error: stand-in failure") -> str:
    return (
        "import sys\n"
        'print("working on it", flush=True)\n'
        f"print({line!r}, file=sys.stderr, flush=True)\n"
        f"sys.exit({code})\n"
    )


# Ended by a signal, as when the host runs out of memory.
KILLED = """
import os, signal
print("working on it", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""

SLEEP = """
import time
print("sleeping", flush=True)
time.sleep(60)
"""

# Fails on its first run (no marker yet), writes the marker, succeeds afterwards.
FLAKY = """
import sys
import boto3
from botocore.exceptions import ClientError

args = sys.argv[1:]
marker = args[args.index("--marker") + 1]
bucket, key = marker[len("s3://"):].split("/", 1)
s3 = boto3.client("s3")
try:
    s3.head_object(Bucket=bucket, Key=key)
except ClientError:
    s3.put_object(Bucket=bucket, Key=key, Body=b"seen")
    raise SystemExit("transient failure: first attempt")
print("second attempt succeeds")
"""

SUCCEED = """
print("ok")
"""

# Stands in for the SQL runner as a Glue job's script, so the orchestrators' handling of
# each failure class is tested without depending on what the runner decides. It takes the
# runner's arguments; the SQL file's name says what to do (`--file sql/x/<behaviour>.sql`):
#   ok            exit 0
#   exit<N>       exit N after printing the runner's error line for N's class (1 permanent,
#                 2 bad input, 3 transient)
#   exit<N>_once  the same on the first run for these --params only (a marker object in
#                 --bucket records it), exit 0 after
#   sleep<S>      sleep S seconds, exit 0
STAND_IN_RUNNER = """
import json, sys, time
import boto3
from botocore.exceptions import ClientError

args = {}
argv = sys.argv[1:]
for i, item in enumerate(argv):
    if item.startswith("--") and i + 1 < len(argv):
        args[item] = argv[i + 1]
behaviour = args["--file"].rsplit("/", 1)[-1][: -len(".sql")]
print("stand-in runner: " + behaviour + " " + args.get("--params", "{}"), flush=True)
CLASSES = {"1": "permanent", "2": "bad_input", "3": "transient"}

def fail(code):
    print("working on it", file=sys.stderr)
    print(
        "sqlrunner: error: s3://" + args["--bucket"] + "/" + args["--file"]
        + ":1: statement 1: stand-in " + behaviour + " (failure: " + CLASSES.get(code, "?") + ")",
        file=sys.stderr,
        flush=True,
    )
    sys.exit(int(code))

if behaviour.startswith("sleep"):
    time.sleep(float(behaviour[len("sleep"):]))
elif behaviour.startswith("exit"):
    code, _, once = behaviour[len("exit"):].partition("_")
    if not once:
        fail(code)
    s3 = boto3.client("s3")
    key = "stand-in-markers/" + args["--file"] + "/" + args.get("--params", "{}")
    try:
        s3.head_object(Bucket=args["--bucket"], Key=key)
    except ClientError:
        s3.put_object(Bucket=args["--bucket"], Key=key, Body=b"failed once")
        fail(code)
print("done", flush=True)
"""


def build_wheel(directory: Path, name: str = "tinylib", version: str = "0.1.0") -> Path:
    """A pure-Python wheel (PEP 427 layout) holding package `name` with VALUE = 'from-wheel'."""
    files = {
        f"{name}/__init__.py": b'VALUE = "from-wheel"\n',
        f"{name}-{version}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        ).encode(),
        f"{name}-{version}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record_lines = []
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
        record_lines.append(f"{path},sha256={digest.decode()},{len(content)}")
    record_path = f"{name}-{version}.dist-info/RECORD"
    record_lines.append(f"{record_path},,")
    files[record_path] = ("\n".join(record_lines) + "\n").encode()
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return wheel


def stand_in_job(glue: Any, s3: Any, like: str, name: str) -> str:
    """A copy of the Glue job `like` (role, arguments, limits) whose script is
    STAND_IN_RUNNER, uploaded beside the runner's in the job's --bucket."""
    job = glue.get_job(JobName=like)["Job"]
    bucket = job["DefaultArguments"]["--bucket"]
    key = "glue/tests/stand_in_runner.py"
    s3.put_object(Bucket=bucket, Key=key, Body=STAND_IN_RUNNER.encode())
    glue.create_job(
        Name=name,
        Role=job["Role"],
        Command={**job["Command"], "ScriptLocation": f"s3://{bucket}/{key}"},
        DefaultArguments={
            arg: value
            for arg, value in job["DefaultArguments"].items()
            if arg != "--extra-py-files"
        },
        MaxCapacity=job["MaxCapacity"],
        ExecutionProperty=job["ExecutionProperty"],
        Timeout=job["Timeout"],
    )
    return name
