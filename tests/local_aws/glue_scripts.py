"""Tiny Glue Python shell scripts and a wheel for the local AWS tests (Python 3.9-valid)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

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
