"""Shared by every test leg, including the runner's Python 3.9 leg: keep it 3.9-valid
and free of Airflow imports (imports of the dev-only packages stay inside fixtures)."""

import pytest

# Tests shorten Glue's Timeout minutes to seconds on the local AWS server.
GLUE_MINUTE_SECONDS = 1.0


@pytest.fixture
def moto_env(monkeypatch):
    """The environment in-process moto tests run in: dummy credentials, us-east-1, and no
    endpoint or profile from the user's shell that would send calls elsewhere."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    """The local AWS server (moto + real Glue runs + executing Step Functions), one per
    test session: moto keeps one state per process, so suites share it and use unique
    names. Credentials come from the environment as in a user's shell; any will do."""
    from infra.local.server import LocalAws

    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            patch.delenv(key, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        aws = LocalAws.start(
            port=0,
            state_dir=tmp_path_factory.mktemp("localaws"),
            glue_minute_seconds=GLUE_MINUTE_SECONDS,
        )
        try:
            yield aws
        finally:
            aws.stop()
