"""Discovery (OIDC Discovery 1.0), AS metadata (RFC 8414) and JWKS (RFC 7517/7638)
as a third-party client sees them (wire-formats.md §1)."""

from __future__ import annotations

import re

import pytest
import requests
from joserfc import jwk

from herald_helpers import assert_json, assert_not_5xx, describe

REALMS = ["acme", "globex"]
# token.algorithms in the realm files: the realm publishes a key for each.
REALM_ALGS = {"acme": {"ES256"}, "globex": {"EdDSA", "ES256"}}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}
RFC7638_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}


def get(url, **kw):
    r = requests.get(url, timeout=10, **kw)
    assert_not_5xx(r)
    return r


def jwks_paths(herald, realm):
    issuer = herald.issuer(realm)
    paths = [f"{issuer}/.well-known/agent-trust-keys", f"{issuer}/protocol/openid-connect/certs"]
    if realm == herald.default_realm:
        paths.append(f"{herald.base}/.well-known/agent-trust-keys")
    return paths


def assert_jwks_content_type(resp):
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    assert ctype in ("application/json", "application/jwk-set+json"), describe(resp)


def max_age(resp) -> int:
    cc = resp.headers.get("Cache-Control")
    assert cc, f"no Cache-Control: {describe(resp)}"
    directives = [d.strip().lower() for d in cc.split(",")]
    assert "public" in directives, f"Cache-Control {cc!r} lacks public"
    ages = [d for d in directives if d.startswith("max-age=")]
    assert len(ages) == 1 and re.fullmatch(r"max-age=\d+", ages[0]), f"Cache-Control {cc!r}"
    return int(ages[0].split("=", 1)[1])


# -- discovery ---------------------------------------------------------------------------

@pytest.mark.parametrize("realm", REALMS)
def test_openid_configuration(herald, realm):
    r = get(herald.discovery_url(realm))
    assert r.status_code == 200, describe(r)
    doc = assert_json(r)
    issuer = herald.issuer(realm)
    assert doc["issuer"] == issuer
    assert doc["token_endpoint"] == f"{issuer}/protocol/openid-connect/token"
    assert doc["jwks_uri"] == f"{issuer}/.well-known/agent-trust-keys"
    assert "client_credentials" in doc["grant_types_supported"]
    assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(
        doc["token_endpoint_auth_methods_supported"])
    algs = set(doc["token_endpoint_auth_signing_alg_values_supported"])
    assert "none" not in {a.lower() for a in algs}
    assert not {a for a in algs if a.startswith("HS")}, f"symmetric algs advertised: {algs}"
    assert "ES256" in algs
    if realm == "globex":  # globex-auditor authenticates with an Ed25519 key
        assert "EdDSA" in algs


@pytest.mark.parametrize("realm", REALMS)
def test_rfc8414_metadata(herald, realm):
    r = get(herald.as_metadata_url(realm))
    assert r.status_code == 200, describe(r)
    meta = assert_json(r)
    oidc = herald.discovery(realm)
    assert meta["issuer"] == herald.issuer(realm)
    for member in ("token_endpoint", "jwks_uri"):
        assert meta[member] == oidc[member], member
    assert "client_credentials" in meta.get("grant_types_supported", ["client_credentials"])
    assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(
        meta["token_endpoint_auth_methods_supported"])


def test_discovery_documents_differ_per_realm(herald):
    acme, globex = herald.discovery("acme"), herald.discovery("globex")
    assert acme["issuer"] != globex["issuer"]
    assert acme["jwks_uri"] != globex["jwks_uri"]


# -- JWKS --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jwks_by_realm(herald):
    out = {}
    for realm in REALMS:
        r = get(herald.discovery(realm)["jwks_uri"])
        assert r.status_code == 200, describe(r)
        assert_jwks_content_type(r)
        out[realm] = r.json()
    return out


@pytest.mark.parametrize("realm", REALMS)
def test_jwks_keys(jwks_by_realm, realm):
    keys = jwks_by_realm[realm]["keys"]
    assert keys, "empty JWKS"
    kids = [k.get("kid") for k in keys]
    assert len(set(kids)) == len(kids), f"duplicate kids: {kids}"
    for k in keys:
        assert not PRIVATE_MEMBERS & set(k), f"private members in {k}"
        assert k.get("use") == "sig", k
        if k["kty"] == "EC":
            assert k["crv"] == "P-256" and k["alg"] == "ES256", k
        elif k["kty"] == "OKP":
            assert k["crv"] == "Ed25519" and k["alg"] == "EdDSA", k
        else:
            pytest.fail(f"unexpected key type {k}")
        required = {m: k[m] for m in RFC7638_MEMBERS[k["kty"]]}
        assert k["kid"] == jwk.thumbprint(required), f"kid is not the RFC 7638 thumbprint: {k}"
        # and the same through joserfc's key object
        assert k["kid"] == jwk.import_key(k).thumbprint()
    assert REALM_ALGS[realm] <= {k["alg"] for k in keys}


def test_jwks_differ_per_realm(jwks_by_realm):
    acme = {k["kid"] for k in jwks_by_realm["acme"]["keys"]}
    globex = {k["kid"] for k in jwks_by_realm["globex"]["keys"]}
    assert not acme & globex, "realms share signing keys"


@pytest.mark.parametrize("realm", REALMS)
def test_jwks_paths_identical(herald, jwks_by_realm, realm):
    for url in jwks_paths(herald, realm):
        r = get(url)
        assert r.status_code == 200, describe(r)
        assert_jwks_content_type(r)
        assert r.json() == jwks_by_realm[realm], url


def test_host_root_jwks_is_default_realm(herald, jwks_by_realm):
    r = get(f"{herald.base}/.well-known/agent-trust-keys")
    assert r.status_code == 200, describe(r)
    assert r.json() == jwks_by_realm[herald.default_realm]
    assert r.json() != jwks_by_realm["globex"]


@pytest.mark.parametrize("realm", REALMS)
def test_jwks_caching_headers_and_304(herald, realm):
    for url in jwks_paths(herald, realm):
        r = get(url)
        assert r.status_code == 200, describe(r)
        assert max_age(r) > 0
        etag = r.headers.get("ETag")
        assert etag, f"no ETag: {describe(r)}"
        assert re.fullmatch(r'(W/)?"[^"]*"', etag), f"malformed ETag {etag!r}"

        again = get(url)
        assert again.headers.get("ETag") == etag, "ETag not stable"

        r304 = get(url, headers={"If-None-Match": etag})
        assert r304.status_code == 304, describe(r304)
        assert r304.content == b""
        assert r304.headers.get("ETag") == etag

        listed = get(url, headers={"If-None-Match": f'"not-the-etag", {etag}'})
        assert listed.status_code == 304, f"ETag in a list not matched: {describe(listed)}"

        other = get(url, headers={"If-None-Match": '"not-the-etag"'})
        assert other.status_code == 200, describe(other)
        assert other.json()["keys"]


def test_jwks_etags_differ_per_realm(herald):
    a = get(f"{herald.issuer('acme')}/.well-known/agent-trust-keys").headers.get("ETag")
    g = get(f"{herald.issuer('globex')}/.well-known/agent-trust-keys").headers.get("ETag")
    assert a and g and a != g
