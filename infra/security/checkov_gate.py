"""`python -m infra.security.checkov_gate`: checkov over every CloudFormation template,
failing on any finding that is not written down, with its reason, in suppressions.yaml.

    python -m infra.security.checkov_gate [--checkov PATH]

Why a gate around checkov rather than checkov's own suppressions: checkov's
`--skip-check` is global (it would also hide the same problem in a new resource) and its
per-resource skips live in the templates' Metadata, mixing the scanner's bookkeeping into
production templates. Here each accepted finding names the check, the template and the
resource, and carries a reason; an entry that no longer matches a finding fails the gate
too, so the list cannot outlive what it excuses.

checkov is heavy and pins its own dependency set, so it lives in its own virtualenv
(`.venv-checkov`, made by `make setup`) and is run as a subprocess. Offline checkov
(no Prisma Cloud API key) reports no severities: every failed check counts.

Exit codes: 0 clean, 1 unaccepted findings or stale suppressions, 2 checkov unusable.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from infra import REPO_ROOT
from infra.errors import InfraError

SUPPRESSIONS = Path(__file__).with_name("suppressions.yaml")
CHECKOV_VENV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
# Every CloudFormation template the kit deploys.
TEMPLATE_GLOBS = ("infra/templates/*.yaml", "infra/mwaa/*.yaml")


class CheckovUnavailable(InfraError):
    """checkov cannot be found or did not produce a report."""


@dataclass(frozen=True)
class Finding:
    check: str
    template: str  # repo-relative path
    resource: str  # checkov's "<Type>.<LogicalId>"
    title: str


@dataclass(frozen=True)
class Suppression:
    check: str
    template: str
    resource: str
    reason: str


def templates() -> list[Path]:
    return sorted(path for pattern in TEMPLATE_GLOBS for path in REPO_ROOT.glob(pattern))


def find_checkov(explicit: str | None = None) -> str:
    for candidate in (explicit, os.environ.get("CHECKOV"), str(CHECKOV_VENV)):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("checkov")
    if on_path:
        return on_path
    raise CheckovUnavailable(
        f"checkov is not installed: `make setup` puts it in {CHECKOV_VENV.parent.parent} "
        "(or set CHECKOV=/path/to/checkov)"
    )


def scan(checkov: str, paths: Sequence[Path]) -> list[Finding]:
    """Failed checks of `paths`, from checkov's JSON report."""
    argv = [checkov, "--framework", "cloudformation", "--output", "json", "--quiet"]
    argv += ["--skip-download", "--compact"]
    for path in paths:
        argv += ["--file", str(path)]
    done = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise CheckovUnavailable(
            f"checkov exited {done.returncode} without a JSON report: "
            f"{(done.stderr or done.stdout).strip()[-500:]}"
        ) from None
    reports = report if isinstance(report, list) else [report]
    findings = []
    for part in reports:
        if part.get("summary", {}).get("parsing_errors"):
            raise CheckovUnavailable(
                f"checkov could not parse: {part['results']['parsing_errors']}"
            )
        for failed in part.get("results", {}).get("failed_checks", []):
            findings.append(
                Finding(
                    check=failed["check_id"],
                    template=_relative(failed["file_abs_path"]),
                    resource=failed["resource"],
                    title=failed["check_name"],
                )
            )
    return sorted(set(findings), key=lambda f: (f.template, f.resource, f.check))


def load_suppressions(path: Path = SUPPRESSIONS) -> list[Suppression]:
    entries = yaml.safe_load(path.read_text()) or []
    suppressions = []
    for number, entry in enumerate(entries, 1):
        reason = str(entry.get("reason") or "").strip()
        if len(reason) < 40:
            raise ValueError(f"{path.name}: entry {number} ({entry.get('check')}) needs a reason")
        for item in entry["resources"]:
            ((template, resource),) = item.items()
            suppressions.append(Suppression(entry["check"], template, resource, reason))
    return suppressions


def judge(
    findings: Sequence[Finding], suppressions: Sequence[Suppression]
) -> tuple[list[Finding], list[Suppression]]:
    """(findings nobody accepted, suppressions that match no finding)."""
    accepted = {(s.check, s.template, s.resource) for s in suppressions}
    found = {(f.check, f.template, f.resource) for f in findings}
    open_findings = [f for f in findings if (f.check, f.template, f.resource) not in accepted]
    stale = [s for s in suppressions if (s.check, s.template, s.resource) not in found]
    return open_findings, stale


def _relative(path: str) -> str:
    try:
        return Path(path).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.security.checkov_gate")
    parser.add_argument("--checkov", default=None, help="path of the checkov executable")
    options = parser.parse_args(argv)
    try:
        findings = scan(find_checkov(options.checkov), templates())
    except CheckovUnavailable as exc:
        print(f"checkov gate: {exc}", file=sys.stderr)
        return 2
    suppressions = load_suppressions()
    open_findings, stale = judge(findings, suppressions)
    print(
        f"checkov: {len(templates())} templates, {len(findings)} failed check(s), "
        f"{len(findings) - len(open_findings)} accepted in {SUPPRESSIONS.name}"
    )
    for finding in open_findings:
        print(
            f"NOT ACCEPTED {finding.check} {finding.template} {finding.resource}: {finding.title}"
        )
    for suppression in stale:
        print(
            f"STALE SUPPRESSION {suppression.check} {suppression.template} "
            f"{suppression.resource}: no such finding any more; remove it"
        )
    return 1 if open_findings or stale else 0


if __name__ == "__main__":
    sys.exit(main())
