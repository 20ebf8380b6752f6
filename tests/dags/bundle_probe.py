"""Loads an unpacked MWAA bundle the way two Airflow components do; prints a JSON report.

Run by the interpreter of the MWAA image stand-in (tests/dags/test_mwaa_bundle.py), with
AIRFLOW_HOME holding dags/ and plugins/ as MWAA lays them out, never with this repository
on sys.path:

    python bundle_probe.py dag-processor     parse (and serialize) what the DAG processor would
    python bundle_probe.py triggerer CLASS…  import trigger classes by class path

Airflow puts the plugins folder on sys.path when it is imported; the DAG processor (and
the task runner) add the dags folder while they parse, through BundleDagBag; the triggerer
adds nothing and imports a deferred task's trigger by its class path.
"""

import json
import sys
from pathlib import Path

MARK = "BUNDLE-PROBE "


def dag_processor() -> dict:
    from airflow.configuration import conf
    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.dag_processing.processor import _serialize_dags
    from airflow.triggers.base import BaseTrigger
    from airflow.utils.file import list_py_file_paths

    folder = Path(conf.get("core", "dags_folder"))
    # Without the safe-mode heuristic: .airflowignore alone must keep the packages out.
    files = list_py_file_paths(folder, safe_mode=False)
    errors, dags = {}, []
    for path in files:
        bag = BundleDagBag(dag_folder=path, bundle_path=folder, bundle_name="dags-folder")
        serialized, serialization_errors = _serialize_dags(bag, log=_Log())
        errors.update({str(k): str(v) for k, v in bag.import_errors.items()})
        errors.update(serialization_errors)
        dags += [dag.dag_id for dag in serialized]
    import sqlrunner.params

    triggers = sorted(
        f"{value.__module__}.{value.__qualname__}"
        for module in list(sys.modules.values())
        if getattr(module, "__name__", "").startswith("etlkit.")
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseTrigger)
        and value.__module__ == module.__name__
    )
    return {
        "files": sorted(str(Path(path).relative_to(folder)) for path in files),
        "dags": sorted(dags),
        "import_errors": errors,
        "sqlrunner_params": sqlrunner.params.__file__,
        "triggers": triggers,
        "modules": _module_files(),
    }


def triggerer(classpaths: list[str]) -> dict:
    import airflow  # noqa: F401 - sets up sys.path (plugins folder) as in every component
    from airflow._shared.module_loading import import_string
    from airflow._shared.plugins_manager.plugins_manager import (
        _load_plugins_from_plugin_directory,
    )
    from airflow.configuration import conf

    before = set(sys.modules)
    plugins, errors = _load_plugins_from_plugin_directory(conf.get("core", "plugins_folder"))
    return {
        "plugin_loader": {
            "plugins": [str(plugin) for plugin in plugins],
            "errors": {str(key): str(value) for key, value in errors.items()},
            "new_top_level_modules": sorted(
                name for name in set(sys.modules) - before if "." not in name
            ),
        },
        "triggers": {
            path: sys.modules[import_string(path).__module__].__file__ for path in classpaths
        },
        "modules": _module_files(),
    }


class _Log:
    def exception(self, message: str, *args: object) -> None:
        print(message % args, file=sys.stderr)


def _module_files() -> list[str]:
    return sorted({str(getattr(m, "__file__", None)) for m in list(sys.modules.values())})


if __name__ == "__main__":
    role, arguments = sys.argv[1], sys.argv[2:]
    report = dag_processor() if role == "dag-processor" else triggerer(arguments)
    sys.stdout.write("\n" + MARK + json.dumps(report) + "\n")
