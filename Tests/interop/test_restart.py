"""A restart on the same --data keeps the realms' signing keys (they live in the store,
realm-file.md): a token issued before the restart still verifies against the JWKS after it."""

from __future__ import annotations

import signal

import jwt as pyjwt
import requests

from herald_helpers import client_secret, describe


def _token_and_jwks(h):
    r = requests.post(h.token_endpoint("acme"), data={"grant_type": "client_credentials"},
                      auth=("screening-bot", client_secret("screening-bot")), timeout=10)
    assert r.status_code == 200, describe(r)
    jwks = requests.get(h.discovery("acme")["jwks_uri"], timeout=10).json()
    return r.json()["access_token"], jwks


def test_restart_keeps_keys(start_herald):
    first = start_herald()
    token, jwks_before = _token_and_jwks(first)
    assert any(first.data_dir.iterdir()), "nothing written to --data on first start"
    rc = first.stop()
    assert rc != -signal.SIGKILL, "herald ignored SIGTERM for 10 s"

    second = start_herald(data_dir=first.data_dir)
    _, jwks_after = _token_and_jwks(second)
    assert {k["kid"] for k in jwks_before["keys"]} <= {k["kid"] for k in jwks_after["keys"]}

    # the pre-restart token verifies with the post-restart JWKS (public URL changed with
    # the port, so only the signature is checked here)
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = pyjwt.PyJWK(next(k for k in jwks_after["keys"] if k["kid"] == kid))
    pyjwt.decode(token, key.key, algorithms=["ES256"], options={"verify_aud": False})
    second.stop()
