"""The command line server: prints its endpoint when ready, answers, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest

from infra.local.errors import ServerStartError
from infra.local.server import LocalAws

REPO = Path(__file__).resolve().parents[2]


def test_second_server_in_one_process_is_refused(local_aws: LocalAws, tmp_path: Path) -> None:
    with pytest.raises(ServerStartError, match="already runs"):
        LocalAws.start(state_dir=tmp_path)


def test_environment_points_boto3_at_the_server(local_aws: LocalAws) -> None:
    environment = local_aws.environment()
    assert environment["AWS_ENDPOINT_URL"] == local_aws.endpoint_url
    assert (local_aws.state_dir / "endpoint.url").read_text().strip() == local_aws.endpoint_url


@pytest.mark.slow
def test_cli_prints_endpoint_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local.server", "--port", "0", "--state-dir", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        endpoint = process.stdout.readline().strip()
        ready_after = time.monotonic() - started
        assert endpoint.startswith("http://127.0.0.1:"), process.stderr.read()
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket="cli-probe")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["cli-probe"]
        print(f"CLI server ready after {ready_after:.2f} s")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    port = urlparse(endpoint).port
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
    assert not (tmp_path / "endpoint.url").exists()
