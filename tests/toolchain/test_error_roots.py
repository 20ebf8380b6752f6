"""One error root per package: every exception class etlkit_core, etlkit and infra define
derives from that package's root, so a caller catches "anything this package raised on
purpose" with one except clause. The only others are AWS API errors the local AWS server
returns over the wire (moto's JsonRESTError family), which belong to AWS's hierarchy."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from moto.core.exceptions import JsonRESTError

from tests.dags.airflow_home import REPO  # noqa: F401  (AIRFLOW_HOME before etlkit loads Airflow)

ROOTS = {
    "etlkit_core": "etlkit_core.errors.EtlkitCoreError",
    "etlkit": "etlkit.errors.EtlkitError",
    "infra": "infra.errors.InfraError",
}


def _modules(package_name):
    package = importlib.import_module(package_name)
    yield package
    for found in pkgutil.walk_packages(package.__path__, package_name + "."):
        yield importlib.import_module(found.name)


@pytest.mark.parametrize("package", ROOTS)
def test_every_error_derives_from_its_package_root(package):
    module_name, _, class_name = ROOTS[package].rpartition(".")
    root = getattr(importlib.import_module(module_name), class_name)
    outside = [
        f"{module.__name__}.{name}"
        for module in _modules(package)
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
        and not issubclass(value, (root, JsonRESTError))
    ]
    assert outside == []
