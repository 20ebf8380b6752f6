"""checkov over every template: no failed check that is not accepted, with a written
reason, in infra/security/suppressions.yaml; and the gate itself fails when it should."""

from __future__ import annotations

import pytest
from cfnlint.decode import cfn_yaml

from infra import REPO_ROOT
from infra.security import checkov_gate
from infra.security.checkov_gate import CheckovUnavailable, Finding, Suppression


def test_templates_have_no_unaccepted_checkov_findings() -> None:
    try:
        checkov = checkov_gate.find_checkov()
    except CheckovUnavailable as exc:
        pytest.skip(f"SKIPPED checkov scan: {exc}")
    findings = checkov_gate.scan(checkov, checkov_gate.templates())
    open_findings, stale = checkov_gate.judge(findings, checkov_gate.load_suppressions())
    assert open_findings == [], "fix these or accept them with a reason in suppressions.yaml"
    assert stale == [], "these suppressions match no finding any more: remove them"


def test_every_suppression_names_a_real_resource_and_gives_a_reason() -> None:
    suppressions = checkov_gate.load_suppressions()
    assert suppressions
    for suppression in suppressions:
        template = cfn_yaml.loads((REPO_ROOT / suppression.template).read_text())
        kind, logical_id = suppression.resource.rsplit(".", 1)
        assert template["Resources"][logical_id]["Type"] == kind, suppression
        assert len(suppression.reason.split()) >= 10, suppression


def test_the_gate_fails_on_a_new_finding_and_on_a_stale_suppression() -> None:
    known = Finding("CKV_AWS_1", "infra/templates/a.yaml", "AWS::S3::Bucket.A", "t")
    new = Finding("CKV_AWS_1", "infra/templates/a.yaml", "AWS::S3::Bucket.B", "t")
    accepted = Suppression(known.check, known.template, known.resource, "because")
    gone = Suppression("CKV_AWS_2", "infra/templates/a.yaml", "AWS::S3::Bucket.A", "because")
    assert checkov_gate.judge([known], [accepted]) == ([], [])
    assert checkov_gate.judge([known, new], [accepted]) == ([new], [])
    assert checkov_gate.judge([known], [accepted, gone]) == ([], [gone])
