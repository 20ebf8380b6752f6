"""TLS everywhere data moves, and a database session that dies under the runner.

- engine redshift: the runner asks libpq for `sslmode=verify-full` against a CA bundle,
  so a server must prove who it is before the password is sent: a fake PostgreSQL server
  (below, speaking the protocol up to the password) with a self-signed certificate never
  receives it, and one with a certificate from a CA given as `--sslrootcert` (a path or
  an S3 object) does; a server that does not speak TLS is refused, not used in clear;
- every S3 bucket in every template (platform and MWAA) denies requests without TLS for
  the bucket and its objects, and the Redshift cluster's parameter group sets
  `require_ssl`;
- a session the server terminates inside a transaction block is reported as the
  transient database error it is (so the orchestrator's retry is the right answer),
  not as a crash of the runner with a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg
import pytest
from cfnlint.decode import cfn_yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infra import REPO_ROOT
from infra.local.server import LocalAws
from sqlrunner.connection import ConnectOptions, conninfo
from sqlrunner.secret import DatabaseSecret
from tests.chaos.platform import PGHOST, PGPORT, PGUSER, own_database

PASSWORD = "tlsCanaryPw-" + uuid.uuid4().hex[:12]
TEMPLATES = sorted((REPO_ROOT / "infra" / "templates").glob("*.yaml")) + sorted(
    (REPO_ROOT / "infra" / "mwaa").glob("*.yaml")
)


def _secret(engine: str) -> DatabaseSecret:
    return DatabaseSecret(engine, "cluster.example", 5439, "etl", PASSWORD, None)


def test_conninfo_verifies_the_server_for_redshift_only() -> None:
    options = ConnectOptions(dbname="etl", sslrootcert="/bundle.pem")
    redshift = conninfo(_secret("redshift"), options).split()
    assert "sslmode='verify-full'" in redshift and "sslrootcert='/bundle.pem'" in redshift
    local = conninfo(_secret("postgres"), ConnectOptions(dbname="etl"))
    assert "sslmode" not in local


# ---------------------------------------------------------------- a real connection


@pytest.fixture(scope="module")
def runner_env(local_aws: LocalAws) -> Iterator[dict[str, Any]]:
    with own_database("chaos_tls") as database:
        db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGUSER)
        db.query("CREATE TABLE canary (note text)")
        db.close()
        secrets = local_aws.client("secretsmanager")
        names = {}
        for engine in ("redshift", "postgres"):
            names[engine] = f"tls/{engine}-{uuid.uuid4().hex[:6]}"
            value = {
                "engine": engine,
                "host": PGHOST,
                "port": PGPORT,
                "username": PGUSER,
                "password": PASSWORD,
            }
            secrets.create_secret(Name=names[engine], SecretString=json.dumps(value))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(local_aws.environment())
        yield {"database": database, "secrets": names, "env": env}


def _run(
    runner_env: dict[str, Any], engine: str, sql_file: Path, *extra: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "sqlrunner", "run", "--db", runner_env["database"],
            "--db_creds", runner_env["secrets"][engine], "--file", str(sql_file), *extra,
        ],
        env=runner_env["env"], capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _server_ssl() -> bool:
    admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        return admin.query("SHOW ssl").getresult()[0][0] == "on"
    finally:
        admin.close()


def test_engine_redshift_never_talks_to_the_database_in_clear(
    runner_env: dict[str, Any], tmp_path: Path
) -> None:
    sql = tmp_path / "probe.sql"
    sql.write_text(
        "INSERT INTO canary SELECT 'ssl=' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n"
    )
    done = _run(runner_env, "redshift", sql)
    db = pg.DB(dbname=runner_env["database"], host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        notes = [row[0] for row in db.query("SELECT note FROM canary").getresult()]
    finally:
        db.close()
    assert PASSWORD not in done.stdout + done.stderr
    # Without TLS the server is refused; with it, its certificate is not one the runner's
    # Amazon Trust Services roots sign: refused too. Either way at once, nothing runs.
    assert done.returncode == 1
    problem = (
        "certificate verify failed"
        if _server_ssl()
        else "server does not support SSL, but SSL was required"
    )
    assert problem in done.stderr
    assert "after 1 attempt(s) (not retried)" in done.stderr
    assert done.stderr.strip().endswith("(failure: permanent)")
    assert "Traceback" not in done.stderr
    assert notes == []


# ---------------------------------------------------------------- a fake server


class FakePostgres:
    """Speaks PostgreSQL's protocol up to the password (SSLRequest, TLS with the given
    certificate, StartupMessage, cleartext password request), records what it gets, and
    answers FATAL 28P01. https://www.postgresql.org/docs/current/protocol-flow.html"""

    SSL_REQUEST, GSS_REQUEST = 80877103, 80877104

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.passwords: list[str] = []
        self.handshake_errors: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                try:
                    self._session(conn)
                except (ssl.SSLError, OSError, struct.error) as exc:
                    self.handshake_errors.append(str(exc))

    def _session(self, conn: socket.socket) -> None:
        while True:
            length, code = struct.unpack("!ii", _read(conn, 8))
            _read(conn, length - 8)
            if code == self.SSL_REQUEST:
                conn.sendall(b"S")
                break
            conn.sendall(b"N")  # GSSENCRequest: no
            if code != self.GSS_REQUEST:
                return
        with self.context.wrap_socket(conn, server_side=True) as tls:
            (length,) = struct.unpack("!i", _read(tls, 4))
            _read(tls, length - 4)  # StartupMessage
            tls.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
            _, length = struct.unpack("!ci", _read(tls, 5))
            self.passwords.append(_read(tls, length - 4).rstrip(b"\0").decode())
            fields = b"SFATAL\0C28P01\0Mfake server: password received\0\0"
            tls.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)

    def close(self) -> None:
        self.listener.close()


def _read(conn: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("client closed the connection")
        data += chunk
    return data


def _certificate(subject: str, key: Any, issuer: x509.Name, issuer_key: Any, ca: bool) -> Any:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, *items: Any) -> Path:
    data = b""
    for item in items:
        if isinstance(item, x509.Certificate):
            data += item.public_bytes(serialization.Encoding.PEM)
        else:
            data += item.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed server certificate, and a test CA with a server certificate it
    signed; both for host `localhost`."""
    folder = tmp_path_factory.mktemp("certs")
    self_key = ec.generate_private_key(ec.SECP256R1())
    self_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    self_signed = _certificate("localhost", self_key, self_name, self_key, ca=False)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "etlkit test CA")])
    ca = _certificate("etlkit test CA", ca_key, ca_name, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("localhost", server_key, ca_name, ca_key, ca=False)
    return {
        "self_signed": _write(folder / "self.pem", self_signed),
        "self_signed_key": _write(folder / "self.key", self_key),
        "ca": _write(folder / "ca.pem", ca),
        "server": _write(folder / "server.pem", server),
        "server_key": _write(folder / "server.key", server_key),
    }


def _fake_secret(runner_env: dict[str, Any], local_aws: LocalAws, port: int) -> str:
    name = f"tls/fake-{uuid.uuid4().hex[:6]}"
    value = {
        "engine": "redshift",
        "host": "localhost",
        "port": port,
        "username": "etl",
        "password": PASSWORD,
    }
    local_aws.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(value))
    runner_env["secrets"][name] = name
    return name


def test_a_server_with_a_certificate_no_trusted_ca_signed_never_gets_the_password(
    runner_env: dict[str, Any], local_aws: LocalAws, certificates: dict[str, Path], tmp_path: Path
) -> None:
    """What sslmode=require allowed: a server in the middle with any certificate at all."""
    server = FakePostgres(certificates["self_signed"], certificates["self_signed_key"])
    try:
        sql = tmp_path / "probe.sql"
        sql.write_text("SELECT 1;\n")
        secret = _fake_secret(runner_env, local_aws, server.port)
        done = _run(runner_env, secret, sql)
    finally:
        server.close()
    assert server.passwords == []
    assert done.returncode == 1
    assert "certificate verify failed" in done.stderr
    assert done.stderr.strip().endswith("(failure: permanent)")
    assert PASSWORD not in done.stdout + done.stderr


@pytest.mark.parametrize("where", ["path", "s3"])
def test_a_server_signed_by_the_ca_given_as_sslrootcert_is_trusted(
    runner_env: dict[str, Any],
    local_aws: LocalAws,
    certificates: dict[str, Path],
    tmp_path: Path,
    where: str,
) -> None:
    server = FakePostgres(certificates["server"], certificates["server_key"])
    bundle = str(certificates["ca"])
    if where == "s3":
        bucket = f"tls-{uuid.uuid4().hex[:8]}"
        s3 = local_aws.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="certs/ca.pem", Body=certificates["ca"].read_bytes())
        bundle = f"s3://{bucket}/certs/ca.pem"
    try:
        sql = tmp_path / "probe.sql"
        sql.write_text("SELECT 1;\n")
        secret = _fake_secret(runner_env, local_aws, server.port)
        done = _run(runner_env, secret, sql, "--sslrootcert", bundle)
    finally:
        server.close()
    assert server.passwords == [PASSWORD]  # verified, so the password went to it
    assert done.returncode == 1 and "fake server: password received" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def test_a_bundle_that_is_not_pem_is_bad_input(
    runner_env: dict[str, Any], local_aws: LocalAws, tmp_path: Path
) -> None:
    junk = tmp_path / "bundle.txt"
    junk.write_text("not a certificate\n")
    sql = tmp_path / "probe.sql"
    sql.write_text("SELECT 1;\n")
    done = _run(runner_env, "redshift", sql, "--sslrootcert", str(junk))
    assert done.returncode == 2
    assert f"--sslrootcert {junk} holds no PEM certificate (failure: bad_input)" in done.stderr


def test_a_session_terminated_inside_a_block_is_a_transient_failure_not_a_crash(
    runner_env: dict[str, Any], tmp_path: Path
) -> None:
    """The server ends the session (what a restart or failover does) in the middle of a
    transaction block: the runner must report the server's reason, exit 3 (transient), and leave
    nothing of the block behind. (It used to die on the ROLLBACK it sends to a dead
    connection: PyGreSQL raises LookupError there, not a pg.Error.)"""
    sql = tmp_path / "terminated.sql"
    sql.write_text(
        "BEGIN;\n"
        "INSERT INTO canary VALUES ('inside the block');\n"
        "SELECT pg_terminate_backend(pg_backend_pid());\n"
        "COMMIT;\n"
    )
    done = _run(runner_env, "postgres", sql)
    assert done.returncode == 3, done.stderr  # transient: a retry is the right answer
    assert f"{sql}:3: statement 3:" in done.stderr
    assert "terminating connection due to administrator command" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "failed" and summary["failed_statement"] == 3
    assert summary["failure"] == "transient"
    db = pg.DB(dbname=runner_env["database"], host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        assert db.query("SELECT count(*) FROM canary").getresult() == [(0,)]
    finally:
        db.close()


# ---------------------------------------------------------------- templates


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: body.get("Properties", {})
        for name, body in template.get("Resources", {}).items()
        if body["Type"] == kind
    }


def _refers_to(value: Any, logical_id: str) -> bool:
    """True if a CloudFormation value (Ref, GetAtt, Sub) names the resource."""
    text = json.dumps(value)
    return any(
        token in text
        for token in (
            f'{{"Ref": "{logical_id}"}}',
            f'["{logical_id}", "Arn"]',
            f"${{{logical_id}.Arn}}",
            f"${{{logical_id}}}",
        )
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_every_bucket_denies_requests_without_tls(path: Path) -> None:
    template = cfn_yaml.loads(path.read_text())
    buckets = _resources(template, "AWS::S3::Bucket")
    policies = _resources(template, "AWS::S3::BucketPolicy")
    for bucket in buckets:
        denies = [
            statement
            for policy in policies.values()
            if _refers_to(policy["Bucket"], bucket)
            for statement in policy["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Deny"
            and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ]
        assert denies, f"{path.name}: bucket {bucket} accepts requests without TLS"
        (deny,) = denies
        assert deny["Principal"] == "*" and deny["Action"] in ("s3:*", ["s3:*"])
        resources = deny["Resource"] if isinstance(deny["Resource"], list) else [deny["Resource"]]
        texts = [json.dumps(resource) for resource in resources]
        assert any(
            _refers_to(r, bucket) and "/*" not in t for r, t in zip(resources, texts, strict=True)
        )
        assert any("/*" in text for text in texts), f"{bucket}: objects are not covered"


def test_the_redshift_cluster_uses_a_parameter_group_that_requires_tls() -> None:
    template = cfn_yaml.loads((REPO_ROOT / "infra" / "templates" / "platform.yaml").read_text())
    (cluster,) = _resources(template, "AWS::Redshift::Cluster").values()
    groups = _resources(template, "AWS::Redshift::ClusterParameterGroup")
    (name,) = [g for g in groups if _refers_to(cluster["ClusterParameterGroupName"], g)]
    assert {"ParameterName": "require_ssl", "ParameterValue": "true"} in groups[name]["Parameters"]
