"""What the token endpoint refuses, and how: RFC 6749 §5.2 JSON errors with the RFC's
status codes, never a 5xx (wire-formats.md §1, §3). Bad client assertions that JOSE
libraries refuse to produce are built by hand (base64url + cryptography / hmac)."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from herald_helpers import (ASSERTION_TYPE, CLIENT_CREDENTIALS, assert_json, assert_not_5xx,
                            assert_oauth_error, assertion_claims, assertion_form, b64url,
                            b64url_json, client_public_jwk, client_secret, demo_private_key,
                            describe, es256_signer, hs256_signer, jws_compact, public_key_pem,
                            signed_assertion)

FORM = "application/x-www-form-urlencoded"
BASIC_CLIENT = "procurement-bot"   # client_secret_basic, acme
POST_CLIENT = "observer-bot"       # client_secret_post, acme
JWT_CLIENT = "ledger-agent"        # private_key_jwt ES256, acme


def post(url, **kw) -> requests.Response:
    kw.setdefault("timeout", 10)
    r = requests.post(url, **kw)
    assert_not_5xx(r)
    return r


def post_raw(url, body: bytes | str, content_type: str | None = FORM, auth=None, **kw):
    headers = dict(kw.pop("headers", {}))
    if content_type is not None:
        headers["Content-Type"] = content_type
    return post(url, data=body, headers=headers, auth=auth, **kw)


@pytest.fixture(scope="module")
def acme_token(herald):
    return herald.token_endpoint("acme")


@pytest.fixture(scope="module")
def basic_auth():
    return (BASIC_CLIENT, client_secret(BASIC_CLIENT))


# -- client secrets --------------------------------------------------------------------------

def test_wrong_secret_basic(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS}, auth=(BASIC_CLIENT, "demo-wrong"))
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_wrong_secret_post(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS, "client_id": POST_CLIENT,
                               "client_secret": client_secret(POST_CLIENT) + "x"})
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_secret_of_another_client(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS},
             auth=(BASIC_CLIENT, client_secret("screening-bot")))
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_secret_of_same_client_in_another_realm(herald):
    """globex-scout's secret is not valid at acme's endpoint (clients are per realm)."""
    r = post(herald.token_endpoint("acme"), data={"grant_type": CLIENT_CREDENTIALS},
             auth=("globex-scout", client_secret("globex-scout")))
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_unknown_client_basic(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS}, auth=("nobody-bot", "demo-secret"))
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_unknown_client_post(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS, "client_id": "nobody-bot",
                               "client_secret": "demo-secret"})
    assert_oauth_error(r, 401, "invalid_client")


def test_no_client_authentication(acme_token):
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS})
    assert_not_5xx(r)
    assert r.status_code in (400, 401), describe(r)
    assert assert_json(r)["error"] in ("invalid_client", "invalid_request")


# -- realms and grants -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/realms/nope/protocol/openid-connect/token",
])
def test_unknown_realm_token(herald, path, basic_auth):
    r = post(herald.base + path, data={"grant_type": CLIENT_CREDENTIALS}, auth=basic_auth)
    assert r.status_code == 404, describe(r)
    assert isinstance(assert_json(r).get("error"), str)


@pytest.mark.parametrize("path", [
    "/realms/nope/.well-known/openid-configuration",
    "/realms/nope/.well-known/agent-trust-keys",
    "/realms/nope/protocol/openid-connect/certs",
    "/.well-known/oauth-authorization-server/realms/nope",
])
def test_unknown_realm_get(herald, path):
    r = requests.get(herald.base + path, timeout=10)
    assert_not_5xx(r)
    assert r.status_code == 404, describe(r)
    assert isinstance(assert_json(r).get("error"), str)


@pytest.mark.parametrize("grant_type", [
    "password", "authorization_code", "refresh_token", "urn:example:not-a-grant",
])
def test_unsupported_grant_type(acme_token, basic_auth, grant_type):
    r = post(acme_token, data={"grant_type": grant_type, "username": "u", "password": "p",
                               "code": "c", "refresh_token": "r"}, auth=basic_auth)
    assert_oauth_error(r, 400, "unsupported_grant_type")


def test_missing_grant_type(acme_token, basic_auth):
    r = post(acme_token, data={"scope": "sanctions_screen"}, auth=basic_auth)
    assert_oauth_error(r, 400, "invalid_request")


def test_empty_grant_type(acme_token, basic_auth):
    r = post_raw(acme_token, "grant_type=", auth=basic_auth)
    assert_not_5xx(r)
    assert r.status_code == 400, describe(r)
    assert assert_json(r)["error"] in ("invalid_request", "unsupported_grant_type")


# -- private_key_jwt -------------------------------------------------------------------------------

def test_hand_built_assertion_is_accepted(acme_token):
    """Sanity check of the hand-built path the rejections below vary."""
    key = demo_private_key(JWT_CLIENT)
    a = jws_compact({"alg": "ES256", "typ": "JWT"}, assertion_claims(JWT_CLIENT, acme_token),
                    es256_signer(key))
    r = post(acme_token, data=assertion_form(JWT_CLIENT, a))
    assert r.status_code == 200, describe(r)


def test_assertion_aud_issuer_is_accepted(herald, acme_token):
    a = signed_assertion(JWT_CLIENT, herald.issuer("acme"))
    r = post(acme_token, data=assertion_form(JWT_CLIENT, a))
    assert r.status_code == 200, describe(r)


def test_assertion_without_client_id_param_is_accepted(acme_token):
    form = assertion_form(JWT_CLIENT, signed_assertion(JWT_CLIENT, acme_token))
    del form["client_id"]
    r = post(acme_token, data=form)
    assert r.status_code == 200, describe(r)


def test_replayed_assertion(acme_token):
    a = signed_assertion(JWT_CLIENT, acme_token)
    first = post(acme_token, data=assertion_form(JWT_CLIENT, a))
    assert first.status_code == 200, describe(first)
    again = post(acme_token, data=assertion_form(JWT_CLIENT, a))
    assert_oauth_error(again, 401, "invalid_client")


def test_replayed_jti_in_a_new_assertion(acme_token):
    """Single-use is about the jti, not the exact bytes."""
    first = signed_assertion(JWT_CLIENT, acme_token, jti="interop-fixed-jti-" + str(time.time_ns()))
    jti = json.loads(base64.urlsafe_b64decode(first.split(".")[1] + "=="))["jti"]
    assert post(acme_token, data=assertion_form(JWT_CLIENT, first)).status_code == 200
    second = signed_assertion(JWT_CLIENT, acme_token, jti=jti, lifetime=110)
    assert second != first
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, second)), 401,
                       "invalid_client")


def test_expired_assertion(acme_token):
    now = int(time.time())
    a = signed_assertion(JWT_CLIENT, acme_token, iat=now - 600, exp=now - 300)
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


@pytest.mark.parametrize("aud_of", ["globex_token", "globex_issuer", "acme_introspect",
                                    "acme_revoke", "base"])
def test_assertion_audience_of_another_realm_or_endpoint(herald, acme_token, aud_of):
    aud = {
        "globex_token": herald.token_endpoint("globex"),
        "globex_issuer": herald.issuer("globex"),
        "acme_introspect": herald.token_endpoint("acme") + "/introspect",
        "acme_revoke": herald.issuer("acme") + "/protocol/openid-connect/revoke",
        "base": herald.base,
    }[aud_of]
    a = signed_assertion(JWT_CLIENT, aud)
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


def test_assertion_alg_none(acme_token):
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "none"}, {"alg": "None"}, {"alg": "NONE"}):
        a = jws_compact(header, assertion_claims(JWT_CLIENT, acme_token), None)
        assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401,
                           "invalid_client")


def _hmac_key_variants():
    pem = public_key_pem(demo_private_key(JWT_CLIENT))
    jwk = client_public_jwk(JWT_CLIENT)
    return {
        "pem": pem,
        "pem-no-trailing-newline": pem.rstrip(b"\n"),
        "jwk-json-compact": json.dumps(jwk, separators=(",", ":")).encode(),
        "jwk-json-spaced": json.dumps(jwk).encode(),
        "jwk-json-sorted": json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode(),
        "jwks-json": json.dumps({"keys": [jwk]}, separators=(",", ":")).encode(),
    }


@pytest.mark.parametrize("variant", list(_hmac_key_variants()))
def test_assertion_hs256_with_public_key_as_hmac_key(acme_token, variant):
    """Algorithm confusion: HS256 keyed with the client's public key (PEM bytes, JWK JSON)."""
    key = _hmac_key_variants()[variant]
    a = jws_compact({"alg": "HS256", "typ": "JWT"}, assertion_claims(JWT_CLIENT, acme_token),
                    hs256_signer(key))
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


@pytest.mark.parametrize("ahead", [600, 3600])
def test_assertion_exp_too_far_ahead(acme_token, ahead):
    now = int(time.time())
    a = signed_assertion(JWT_CLIENT, acme_token, iat=now, exp=now + ahead)
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


@pytest.mark.parametrize("sub", ["agent-ledger", "payments-bot", "someone-else"])
def test_assertion_iss_not_sub(acme_token, sub):
    a = signed_assertion(JWT_CLIENT, acme_token, sub=sub)
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


def test_assertion_signed_with_another_key(acme_token):
    a = signed_assertion(JWT_CLIENT, acme_token, key=ec.generate_private_key(ec.SECP256R1()))
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, a)), 401, "invalid_client")


def test_assertion_signature_tampered(acme_token):
    a = signed_assertion(JWT_CLIENT, acme_token)
    h, p, s = a.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    claims["sub"] = claims["iss"] = "ledger-agent"
    claims["scope"] = "treasury_manage"
    forged = f"{h}.{b64url_json(claims)}.{s}"
    assert_oauth_error(post(acme_token, data=assertion_form(JWT_CLIENT, forged)), 401,
                       "invalid_client")


def test_assertion_for_a_secret_client(acme_token):
    """payments-bot has no registered key."""
    key = ec.generate_private_key(ec.SECP256R1())
    a = signed_assertion("payments-bot", acme_token, key=key)
    assert_oauth_error(post(acme_token, data=assertion_form("payments-bot", a)), 401,
                       "invalid_client")


def test_assertion_client_id_param_mismatch(acme_token):
    """RFC 7521 §4.2: a client_id parameter must name the assertion's client."""
    a = signed_assertion(JWT_CLIENT, acme_token)
    assert_oauth_error(post(acme_token, data=assertion_form("payments-bot", a)), 401,
                       "invalid_client")


def test_eddsa_assertion_with_wrong_key(herald):
    endpoint = herald.token_endpoint("globex")
    a = signed_assertion("globex-auditor", endpoint, key=ed25519.Ed25519PrivateKey.generate(),
                         alg="EdDSA")
    assert_oauth_error(post(endpoint, data=assertion_form("globex-auditor", a)), 401,
                       "invalid_client")


@pytest.mark.parametrize("assertion", [
    "", "not-a-jwt", "a.b", "a.b.c", "....",
    b64url(b"not json") + "." + b64url_json({"iss": "ledger-agent"}) + ".AAAA",
    b64url_json({"alg": "ES256"}) + "." + b64url(b"[1,2]") + ".AAAA",
    b64url_json({"alg": "ES256"}) + "." + b64url_json({"iss": 5, "sub": [], "aud": {}, "exp": "x"}) + ".AAAA",
])
def test_garbage_assertion(acme_token, assertion):
    r = post(acme_token, data=assertion_form(JWT_CLIENT, assertion))
    assert r.status_code in (400, 401), describe(r)
    assert assert_json(r)["error"] in ("invalid_client", "invalid_request")


def test_wrong_client_assertion_type(acme_token):
    form = assertion_form(JWT_CLIENT, signed_assertion(JWT_CLIENT, acme_token))
    form["client_assertion_type"] = "urn:example:not-jwt-bearer"
    r = post(acme_token, data=form)
    assert r.status_code in (400, 401), describe(r)
    assert assert_json(r)["error"] in ("invalid_client", "invalid_request")


# -- request bodies -----------------------------------------------------------------------------

def test_body_over_64_kib(acme_token, basic_auth):
    body = "grant_type=client_credentials&pad=" + "a" * (64 * 1024 + 100)
    r = post_raw(acme_token, body, auth=basic_auth)
    assert r.status_code == 413, describe(r)


def test_body_over_64_kib_chunked(acme_token, basic_auth):
    def chunks():
        yield b"grant_type=client_credentials&pad="
        for _ in range(17):
            yield b"a" * 4096
    r = post_raw(acme_token, chunks(), auth=basic_auth)
    assert r.status_code == 413, describe(r)


def test_body_just_under_64_kib_is_fine(acme_token, basic_auth):
    """The limit is 64 KiB, not something smaller (an unknown parameter is ignored, RFC 6749 §3.2)."""
    prefix = "grant_type=client_credentials&pad="
    body = prefix + "a" * (60 * 1024)
    r = post_raw(acme_token, body, auth=basic_auth)
    assert r.status_code == 200, describe(r)


@pytest.mark.parametrize("body", [
    "grant_type=%ZZ",
    "grant_type=client_credentials%",
    "grant_type=client_credentials&scope=%G1",
])
def test_malformed_form_body(acme_token, basic_auth, body):
    assert_oauth_error(post_raw(acme_token, body, auth=basic_auth), 400, "invalid_request")


@pytest.mark.parametrize("body", [
    "grant_type=client_credentials&grant_type=client_credentials",
    "grant_type=client_credentials&scope=sanctions_screen&scope=sanctions_screen",
])
def test_duplicated_parameter(acme_token, basic_auth, body):
    assert_oauth_error(post_raw(acme_token, body, auth=basic_auth), 400, "invalid_request")


def test_duplicated_client_id_post(acme_token):
    secret = client_secret(POST_CLIENT)
    body = (f"grant_type=client_credentials&client_id={POST_CLIENT}&client_id={POST_CLIENT}"
            f"&client_secret={secret}")
    r = post_raw(acme_token, body)
    assert r.status_code in (400, 401), describe(r)
    assert assert_json(r)["error"] in ("invalid_request", "invalid_client")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_wrong_content_type(acme_token, basic_auth, content_type):
    body = (json.dumps({"grant_type": CLIENT_CREDENTIALS}) if content_type == "application/json"
            else "grant_type=client_credentials")
    r = post_raw(acme_token, body, content_type=content_type, auth=basic_auth)
    assert_oauth_error(r, 400, "invalid_request")


# -- every 401 carries WWW-Authenticate (RFC 7235 §3.1) -----------------------------------------

def test_every_401_has_www_authenticate(acme_token):
    cases = {
        "post-wrong-secret": {"grant_type": CLIENT_CREDENTIALS, "client_id": POST_CLIENT,
                              "client_secret": "demo-wrong"},
        "post-unknown-client": {"grant_type": CLIENT_CREDENTIALS, "client_id": "nobody-bot",
                                "client_secret": "demo-wrong"},
        "bad-assertion": assertion_form(JWT_CLIENT, signed_assertion(
            JWT_CLIENT, acme_token, key=ec.generate_private_key(ec.SECP256R1()))),
    }
    missing = []
    for name, form in cases.items():
        r = post(acme_token, data=form)
        assert r.status_code == 401, f"{name}: {describe(r)}"
        if not r.headers.get("WWW-Authenticate"):
            missing.append(name)
    assert not missing, f"401 without WWW-Authenticate: {missing}"


# -- odd requests: a 4xx, never a 5xx ------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [
    ("empty-body-no-ctype", {"data": b""}),
    ("empty-form", {"data": b"", "headers": {"Content-Type": FORM}}),
    ("basic-not-base64", {"data": {"grant_type": CLIENT_CREDENTIALS},
                          "headers": {"Authorization": "Basic !!!not-base64!!!"}}),
    ("basic-no-colon", {"data": {"grant_type": CLIENT_CREDENTIALS},
                        "headers": {"Authorization": "Basic " + base64.b64encode(b"nocolon").decode()}}),
    ("basic-empty", {"data": {"grant_type": CLIENT_CREDENTIALS}, "headers": {"Authorization": "Basic "}}),
    ("basic-non-utf8", {"data": {"grant_type": CLIENT_CREDENTIALS},
                        "headers": {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()}}),
    ("bearer-instead", {"data": {"grant_type": CLIENT_CREDENTIALS},
                        "headers": {"Authorization": "Bearer abc.def.ghi"}}),
    ("non-utf8-form", {"data": b"grant_type=client_credentials&client_id=%FF%FE&client_secret=x",
                       "headers": {"Content-Type": FORM}}),
    ("long-client-id", {"data": {"grant_type": CLIENT_CREDENTIALS, "client_id": "x" * 5000,
                                 "client_secret": "y"}}),
    ("nul-in-client-id", {"data": {"grant_type": CLIENT_CREDENTIALS, "client_id": "observer-bot\x00",
                                   "client_secret": "y"}}),
    ("form-ctype-with-charset", {"data": b"grant_type=password",
                                 "headers": {"Content-Type": FORM + "; charset=utf-8"}}),
])
def test_odd_requests_are_4xx(acme_token, name, kwargs):
    r = post(acme_token, **kwargs)
    assert 400 <= r.status_code < 500, describe(r)
    assert isinstance(assert_json(r).get("error"), str), describe(r)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_token_endpoint(acme_token, method):
    r = requests.request(method, acme_token, timeout=10)
    assert_not_5xx(r)
    assert 400 <= r.status_code < 500, describe(r)


def test_two_client_authentication_methods(acme_token, basic_auth):
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method."""
    r = post(acme_token, data={"grant_type": CLIENT_CREDENTIALS, "client_id": BASIC_CLIENT,
                               "client_secret": basic_auth[1]}, auth=basic_auth)
    assert r.status_code in (400, 401), describe(r)
    assert assert_json(r)["error"] in ("invalid_request", "invalid_client")
