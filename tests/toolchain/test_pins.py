"""The development environment runs what Amazon MWAA runs: every locked package that
MWAA's Airflow 3.3.1 constraints pin is locked at MWAA's version, and the pins the
issues name are exact."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _constraints():
    pins = {}
    for line in (REPO / "infra/mwaa/constraints-3.3.1-py3.12.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def _locked():
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    return {_norm(package["name"]): package.get("version") for package in lock["package"]}


def test_lock_follows_mwaa_constraints():
    pins, locked = _constraints(), _locked()
    drift = {
        name: (version, pins[name])
        for name, version in locked.items()
        if name in pins and pins[name] != version
    }
    assert drift == {}, f"locked vs MWAA 3.3.1: {drift}"


def test_named_pins():
    locked = _locked()
    assert locked["apache-airflow"] == "3.3.1"
    assert locked["apache-airflow-providers-amazon"] == "9.34.0"
    assert locked["boto3"] == "1.43.56"
    assert locked["sqlalchemy"] == "2.0.51"
    assert locked["pendulum"] == "3.2.0"
    assert locked["moto"] == "5.2.5"
