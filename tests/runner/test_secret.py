"""The database secret, from SecretString and base64 SecretBinary, via moto's Secrets
Manager; problems name the field and never show a value."""

import base64
import json

import pytest

from sqlrunner.errors import SecretError
from sqlrunner.secret import fetch_secret

from .conftest import PASSWORD, secret_fields


def store(secrets, name, **kwargs):
    secrets.create_secret(Name=name, **kwargs)
    return name


def test_secret_string(aws):
    _, secrets = aws
    secret = fetch_secret("reviews/redshift", client=secrets)
    assert (secret.engine, secret.username, secret.password) == (
        "postgres",
        "sqlrunner_tester",
        PASSWORD,
    )
    assert secret.dbname is None
    assert PASSWORD not in repr(secret)


def test_secret_binary_is_base64_json(aws):
    _, secrets = aws
    payload = base64.b64encode(json.dumps(secret_fields(port="5439", dbname="dev")).encode())
    store(secrets, "binary", SecretBinary=payload)
    secret = fetch_secret("binary", client=secrets)
    assert (secret.port, secret.dbname) == (5439, "dev")


@pytest.mark.parametrize(
    "fields, problem",
    [
        (secret_fields(host=None), "field 'host' is missing"),
        (
            {k: v for k, v in secret_fields().items() if k != "password"},
            "field 'password' is missing",
        ),
        (
            secret_fields(port="fivefourthreenine"),
            "field 'port' must be an integer from 1 to 65535",
        ),
        (secret_fields(port=70000), "field 'port' must be an integer from 1 to 65535"),
        (secret_fields(port=True), "field 'port' must be an integer from 1 to 65535"),
        (secret_fields(engine="mysql"), "field 'engine' must be one of redshift, postgres"),
        (secret_fields(username=42), "field 'username' must be a non-empty string"),
        (secret_fields(password=["x"]), "field 'password' must be a non-empty string"),
        (secret_fields(password=""), "field 'password' must be a non-empty string"),
    ],
)
def test_malformed_fields_are_named_not_shown(aws, fields, problem):
    _, secrets = aws
    store(secrets, "bad", SecretString=json.dumps(fields))
    with pytest.raises(SecretError) as caught:
        fetch_secret("bad", client=secrets)
    assert str(caught.value) == f"secret 'bad': {problem}"
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"SecretString": "host=x password=" + PASSWORD}, "SecretString is not JSON"),
        ({"SecretString": json.dumps([1, 2])}, "SecretString must be a JSON object"),
        ({"SecretBinary": b"\x00\xffnot base64"}, "SecretBinary is not base64 of UTF-8 JSON"),
        ({"SecretBinary": base64.b64encode(b"not json")}, "SecretBinary is not JSON"),
    ],
)
def test_malformed_secrets(aws, kwargs, problem):
    _, secrets = aws
    store(secrets, "bad", **kwargs)
    with pytest.raises(SecretError) as caught:
        fetch_secret("bad", client=secrets)
    assert str(caught.value) == f"secret 'bad': {problem}"
    assert PASSWORD not in str(caught.value)


def test_missing_secret_names_the_argument(aws):
    _, secrets = aws
    with pytest.raises(
        SecretError, match=r"secret 'reviews/redshfit' does not exist \(--db_creds\)"
    ):
        fetch_secret("reviews/redshfit", client=secrets)
