"""Infrastructure as code for etlkit: CloudFormation templates, the generated state
machines and the deploy command (`python -m infra.deploy`). `infra/local` is the local
AWS server; `infra/mwaa` holds what Amazon MWAA takes."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
