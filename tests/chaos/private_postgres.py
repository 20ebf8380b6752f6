"""A private PostgreSQL cluster that a test may stop, start and restart.

The shared server at 127.0.0.1:5432 serves other work and must never be restarted, so
the fault "PostgreSQL restarts while a pipeline runs" gets a cluster of its own, made
from the installed binaries (initdb + pg_ctl) on a free port with trust authentication.
PostgreSQL refuses to run as root: as root, every pg_ctl call runs as the OS user
`postgres` (runuser), and the data directory lives in a directory that user owns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pg

from infra.local.stack import pg_bin


class PrivatePostgresUnavailable(Exception):
    """This machine cannot start a private cluster; the message says what is missing."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateCluster:
    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @classmethod
    def create(cls) -> PrivateCluster:
        for name in ("initdb", "pg_ctl"):
            if pg_bin(name) is None:
                raise PrivatePostgresUnavailable(f"no {name} binary (apt-get install postgresql)")
        as_root = os.geteuid() == 0
        if as_root and shutil.which("runuser") is None:
            raise PrivatePostgresUnavailable("running as root without runuser to drop to postgres")
        root = Path(tempfile.mkdtemp(prefix="chaos_pg_"))
        cluster = cls(root=root, port=_free_port())
        if as_root:
            shutil.chown(root, "postgres", "postgres")
        cluster._pg(
            "initdb", "-D", str(cluster.data_dir), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        cluster.start()
        return cluster

    def _pg(self, binary: str, *args: str) -> None:
        argv = [str(pg_bin(binary)), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip() or done.stdout.strip()}")

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses={self.host} -k {self.data_dir}"
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "postgres.log"),
            "-o",
            options,
            "-w",
            *extra,
            action,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are terminated (SQLSTATE 57P01), as in a failover."""
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def connect(self, dbname: str = "postgres") -> pg.DB:
        return pg.DB(dbname=dbname, host=self.host, port=self.port, user=self.user)

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
