"""The corpus runs on the real PostgreSQL with S3 and Glue from moto, in process."""

from __future__ import annotations

import boto3
import pytest


@pytest.fixture
def corpus_aws(moto_env):
    from moto import mock_aws

    with mock_aws():
        yield (
            boto3.client("s3", region_name="us-east-1"),
            boto3.client("glue", region_name="us-east-1"),
        )
