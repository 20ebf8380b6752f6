"""What Amazon MWAA's Airflow image already installs: one table the bundle, its test and the
docker-compose image read.

    python -m infra.mwaa.image <Python-Packages-BOM.txt> > infra/mwaa/mwaa-image-3.3.1.txt

`mwaa-image-<airflow>.txt` lists every Python distribution of MWAA's image as `name==version`
(names normalised as PEP 503 does). It is made from the image's bill of materials, which
aws/amazon-mwaa-docker-images publishes per image
(images/airflow/<version>/BillOfMaterials/<version>/Python-Packages-BOM.txt, the output of
`pip-licenses --format=plain-vertical`): each package is a block that starts after a blank
line with its name, then its version, then licence lines. Regenerate it when MWAA's image
changes; `make package` refuses a requirement the image already has, and the bundle test
installs exactly this list as the image it installs the bundle into.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from infra import REPO_ROOT

AIRFLOW_VERSION = "3.3.1"
PACKAGES = REPO_ROOT / "infra" / "mwaa" / f"mwaa-image-{AIRFLOW_VERSION}.txt"

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_VERSION = re.compile(r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?(?:\+[\w.]+)?")


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def packages(path: Path = PACKAGES) -> dict[str, str]:
    """{normalised name: version} of MWAA's image."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[normalize(name)] = version
    return found


def from_bill_of_materials(text: str) -> dict[str, str]:
    """{normalised name: version} from a pip-licenses plain-vertical bill of materials."""
    lines = text.splitlines()
    found = {}
    for index in range(1, len(lines) - 1):
        starts_block = index == 1 or not lines[index - 1].strip()
        if starts_block and _NAME.fullmatch(lines[index]) and _VERSION.fullmatch(lines[index + 1]):
            found[normalize(lines[index])] = lines[index + 1]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m infra.mwaa.image <Python-Packages-BOM.txt>", file=sys.stderr)
        return 2
    found = from_bill_of_materials(Path(args[0]).read_text(encoding="utf-8"))
    print(f"# Python distributions of Amazon MWAA's Airflow {AIRFLOW_VERSION} image, from")
    print(f"# {Path(args[0]).name} of aws/amazon-mwaa-docker-images (python -m infra.mwaa.image).")
    for name, version in sorted(found.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
