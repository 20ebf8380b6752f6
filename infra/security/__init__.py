"""IaC security scanning: checkov over the CloudFormation templates, gated by
`python -m infra.security.checkov_gate` with every accepted finding written down, with
its reason, in `suppressions.yaml`."""
