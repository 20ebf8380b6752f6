"""The local AWS: one moto server process with in-process extensions.

Python API (tests, tools)::

    with LocalAws.start(state_dir=Path(".local/aws")) as aws:
        s3 = aws.client("s3")            # boto3 client bound to the server
        env = aws.environment()          # AWS_ENDPOINT_URL, dummy credentials, region

Command line (foreground; prints the endpoint URL on stdout once it answers, stops
cleanly on SIGTERM/SIGINT)::

    python -m infra.local.server --port 0 --state-dir .local/aws [--glue-python PATH]
        [--glue-minute-seconds 60]

The server binds 127.0.0.1 only. moto keeps its state in memory: a restart starts empty.
The state dir holds what runs leave on disk (Glue run work dirs) and `endpoint.url`.
Only one server per process: Step Functions tasks call back through the process-wide
MOTO_PORT.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from infra.local.errors import ServerStartError

LOG = logging.getLogger("infra.local.server")

REPO_ROOT = Path(__file__).resolve().parents[2]
# Glue Python shell runs Python 3.9; .venv-py39 mirrors that runtime where it exists.
GLUE_PYTHON_CANDIDATE = REPO_ROOT / ".venv-py39" / "bin" / "python"
DEFAULT_REGION = "us-east-1"
# Seconds per Glue Timeout minute; tests shorten it to time runs out in seconds.
GLUE_MINUTE_SECONDS_ENV = "LOCALAWS_GLUE_MINUTE_SECONDS"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

_running_lock = threading.Lock()
_running: LocalAws | None = None


def default_glue_python() -> str:
    if GLUE_PYTHON_CANDIDATE.exists():
        return str(GLUE_PYTHON_CANDIDATE)
    return sys.executable


def _minute_seconds(value: float | None) -> float:
    if value is not None:
        return value
    from_env = os.environ.get(GLUE_MINUTE_SECONDS_ENV)
    if not from_env:
        return 60.0
    try:
        return float(from_env)
    except ValueError:
        raise ServerStartError(f"{GLUE_MINUTE_SECONDS_ENV}={from_env!r} is not a number") from None


@dataclass
class LocalAws:
    """A running local AWS server; create it with LocalAws.start()."""

    endpoint_url: str
    port: int
    state_dir: Path
    glue_python: str
    region: str
    startup_seconds: float
    _server: Any = field(repr=False)

    @classmethod
    def start(
        cls,
        port: int = 0,
        state_dir: Path | str = Path(".local/aws"),
        glue_python: str | None = None,
        *,
        glue_minute_seconds: float | None = None,
        region: str = DEFAULT_REGION,
    ) -> LocalAws:
        """Start the server on 127.0.0.1:`port` (0 picks a free port) and return once it answers."""
        global _running
        began = time.monotonic()
        with _running_lock:
            if _running is not None:
                raise ServerStartError(
                    f"a local AWS already runs in this process at {_running.endpoint_url}"
                )
            state_path = Path(state_dir).resolve()
            try:
                state_path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ServerStartError(f"state dir {state_path}: {error}") from error
            interpreter = glue_python or default_glue_python()
            if not os.access(interpreter, os.X_OK):
                raise ServerStartError(f"Glue interpreter {interpreter} is not executable")
            minute_seconds = _minute_seconds(glue_minute_seconds)

            server = _start_moto(port)
            host, bound_port = server.get_host_and_port()
            endpoint_url = f"http://{host}:{bound_port}"
            # Step Functions tasks call this server back at localhost:$MOTO_PORT.
            os.environ["MOTO_PORT"] = str(bound_port)
            from infra.local import glue_runs

            glue_runs.configure(
                glue_runs.GlueRuntime(
                    interpreter=interpreter,
                    work_dir=state_path,
                    endpoint_url=endpoint_url,
                    minute_seconds=minute_seconds,
                )
            )
            (state_path / "endpoint.url").write_text(endpoint_url + "\n")
            instance = cls(
                endpoint_url=endpoint_url,
                port=bound_port,
                state_dir=state_path,
                glue_python=interpreter,
                region=region,
                startup_seconds=time.monotonic() - began,
                _server=server,
            )
            _running = instance
        LOG.info(
            "local AWS at %s (state %s) started in %.2f s; Glue Python shell interpreter: %s%s",
            endpoint_url,
            state_path,
            instance.startup_seconds,
            interpreter,
            "" if minute_seconds == 60.0 else f"; one Glue timeout minute = {minute_seconds} s",
        )
        return instance

    def stop(self) -> None:
        """End running Glue runs, stop serving and release the process slot (idempotent)."""
        global _running
        from infra.local import glue_runs

        with _running_lock:
            if _running is not self:
                return
            glue_runs.stop_all_runs()
            self._server.stop()
            endpoint_file = self.state_dir / "endpoint.url"
            endpoint_file.unlink(missing_ok=True)
            _running = None
        LOG.info("local AWS at %s stopped", self.endpoint_url)

    def __enter__(self) -> LocalAws:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the AWS CLI) at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            **DUMMY_CREDENTIALS,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for `service` bound to this server with dummy credentials."""
        import boto3

        options: Mapping[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            "aws_access_key_id": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            **kwargs,
        }
        return boto3.client(service, **options)


def _start_moto(port: int) -> Any:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.core.config import default_user_config
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from infra.local import extensions

    # Before any state machine exists: executing state machines live in another store.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    extensions.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except OSError as error:
        raise ServerStartError(f"cannot listen on 127.0.0.1:{port}: {error}") from error
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.server", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any)")
    parser.add_argument("--state-dir", type=Path, required=True, help="where runs keep files")
    parser.add_argument(
        "--glue-python",
        default=None,
        help="interpreter of Glue Python shell runs (default: .venv-py39/bin/python if "
        "present, else this interpreter)",
    )
    parser.add_argument(
        "--glue-minute-seconds",
        type=float,
        default=None,
        help=f"seconds per Glue Timeout minute (default 60, or ${GLUE_MINUTE_SECONDS_ENV})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    try:
        aws = LocalAws.start(
            port=args.port,
            state_dir=args.state_dir,
            glue_python=args.glue_python,
            glue_minute_seconds=args.glue_minute_seconds,
        )
    except ServerStartError as error:
        print(f"local AWS failed to start: {error}", file=sys.stderr)
        return 1

    stopped = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    print(aws.endpoint_url, flush=True)
    stopped.wait()
    aws.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
