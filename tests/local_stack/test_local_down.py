"""`make local-down` names the data it leaves behind in PostgreSQL, and `make local-down
PURGE=1` (`down --purge`) removes it, only if the local stack made it: against the real
local PostgreSQL, with a stack state as `make local-up` writes it (no local AWS needed)."""

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pg
import pytest

from infra.local import stack

REPO = Path(__file__).resolve().parents[2]


def down(*args, state_dir):
    return subprocess.run(
        [sys.executable, "-m", "infra.local.stack", "down", "--state-dir", str(state_dir), *args],
        cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def exists(postgres, sql, name):
    admin = postgres.connect()
    try:
        return bool(admin.query(sql, (name,)).getresult())
    finally:
        admin.close()


def database_exists(postgres, name):
    return exists(postgres, "SELECT 1 FROM pg_database WHERE datname = $1", name)


def role_exists(postgres, name):
    return exists(postgres, "SELECT 1 FROM pg_roles WHERE rolname = $1", name)


@pytest.fixture
def made_by_the_stack(tmp_path):
    """A database and role as `up` makes them, and the stack state `up` leaves."""
    postgres = stack.configured_postgres()
    try:
        postgres.connect().close()
    except pg.Error as exc:
        pytest.skip(f"no PostgreSQL at {postgres.host}:{postgres.port} ({exc}); run `make pg`")
    name = f"etlkit_down_{uuid.uuid4().hex[:8]}"
    stack.create_database(postgres, name, secrets.token_urlsafe(12))
    state = stack.StackState(
        endpoint_url="http://127.0.0.1:1",
        region=stack.REGION,
        database=name,
        postgres=postgres,
        server_pid=0,
        outputs={},
        state_machines={},
    )
    stack.write_state(state, tmp_path)
    yield postgres, name
    stack.drop_database(postgres, name)


def test_down_says_what_it_leaves_and_purge_removes_it(made_by_the_stack, tmp_path):
    postgres, name = made_by_the_stack
    where = f"{postgres.host}:{postgres.port}"

    kept = down(state_dir=tmp_path)
    assert kept.returncode == 0, kept.stderr
    assert (
        f"left: database {name} and role {name}_runner on {where} "
        "(`make local-down PURGE=1` removes them)"
    ) in kept.stdout
    assert database_exists(postgres, name) and role_exists(postgres, f"{name}_runner")
    assert not (tmp_path / "stack.json").exists()

    # The state is gone now: the database is found by name, as LOCAL_DB / --database give it.
    purged = down("--purge", "--database", name, state_dir=tmp_path)
    assert purged.returncode == 0, purged.stderr
    assert f"removed: database {name} and role {name}_runner on {where}" in purged.stdout
    assert not database_exists(postgres, name)
    assert not role_exists(postgres, f"{name}_runner")


def test_purge_with_the_stack_state_drops_its_database(made_by_the_stack, tmp_path):
    postgres, name = made_by_the_stack
    purged = down("--purge", state_dir=tmp_path)
    assert purged.returncode == 0, purged.stderr
    assert f"removed: database {name}" in purged.stdout
    assert not database_exists(postgres, name)


def test_purge_leaves_a_database_the_stack_did_not_make(tmp_path):
    postgres = stack.configured_postgres()
    try:
        admin = postgres.connect()
    except pg.Error as exc:
        pytest.skip(f"no PostgreSQL at {postgres.host}:{postgres.port} ({exc}); run `make pg`")
    name = f"etlkit_foreign_{uuid.uuid4().hex[:8]}"
    admin.query(f'CREATE DATABASE "{name}"')
    try:
        purged = down("--purge", "--database", name, state_dir=tmp_path)
        assert purged.returncode == 0, purged.stderr
        assert name not in purged.stdout
        assert database_exists(postgres, name)
    finally:
        admin.query(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
