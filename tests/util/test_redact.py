"""Redaction of each credential format, and that ordinary text survives."""

import pytest

from devenv.util.redact import redact_text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("//npm.example/:_authToken=npm_abc", "//npm.example/:_authToken=***"),
        ("_auth = dXNlcjpwdw==", "_auth = ***"),
        ('{"auth": "dXNlcjpwdw=="}', '{"auth": "***"}'),
        ("password=hunter2 for x", "password=*** for x"),
        ("token: abc123", "token: ***"),
        ("NPM_TOKEN=xyz", "NPM_TOKEN=***"),
        ("GET http://u:p@[zz]:1/x", "GET http://***@[zz]:1/x"),
        ("Authorization: Basic dXNlcjpwdw==", "Authorization: Basic ***"),
        ("https://u:secret@host/x?token=abc", "https://***@host/x?token=***"),
    ],
)
def test_formats(text, expected):
    assert redact_text(text) == expected


def test_short_literal_secrets_are_masked_where_they_stand_alone():
    assert redact_text("kube rejected pw1; pwd and pw12 are fine", ("pw1",)) == "kube rejected ***; pwd and pw12 are fine"


@pytest.mark.parametrize("text", ["passwords: 3 checked", "tokens expire daily", "no credentials here: http://npm.example/x"])
def test_ordinary_text_is_kept(text):
    assert redact_text(text) == text
