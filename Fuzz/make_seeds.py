#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under Fuzz/corpus/<target>/.

Run once by hand (`python3 Fuzz/make_seeds.py`); its output is committed, and `make fuzz`
grows it (libFuzzer -merge=1 keeps it minimal). Seeds are real inputs: the MCPS golden
vectors, the demo realm files, tokens and bundles signed with fresh keys. Needs
cryptography and PyJWT (Tests/interop/requirements.txt).
"""
import base64
import hashlib
import json
import os
import pathlib
import re
import zlib

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
VECTORS = json.loads((ROOT.parent / "shared" / "vectors" / "mcps-vectors.json").read_text()) \
    if (ROOT.parent / "shared" / "vectors" / "mcps-vectors.json").exists() else None
ENTITY = "https://peer.example/realms/peer"  # FuzzFederation.entity in the harness
NOW = 1767225600                             # FuzzFederation.now: 2026-01-01T00:00:00Z


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write(target: str, name: str, data) -> None:
    directory = FUZZ / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (directory / name).write_bytes(data)


def ec_jwk(key) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big"))}


def ed_jwk(key) -> dict:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def thumbprint(jwk: dict) -> str:
    members = {k: jwk[k] for k in (("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("crv", "kty", "x"))}
    return b64url(hashlib.sha256(canonical(members)).digest())


# Fixed keys (seeds only, never used elsewhere), so that re-running changes little.
ec_key = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"herald fuzz seed ec").digest(), "big") % (2**255),
                               ec.SECP256R1())
ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"herald fuzz seed ed25519").digest())
EC_JWK, ED_JWK = ec_jwk(ec_key), ed_jwk(ed_key)


def jcs_seeds():
    write("jcs", "rfc8785-order.json", '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet '
          'With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small '
          'Letter O With Diaeresis"}')
    write("jcs", "nested.json", ' { "b" : [ 1 , { "z":null, "a":true } ] , "a" : "x", "n": -9007199254740992 } ')
    write("jcs", "escapes.json", '["\\u0000\\u001f\\"\\\\\\n\\t\\b\\f\\r\\/", "\\ud83d\\ude00", "é€😀", 0, -0, 7]')
    write("jcs", "ambiguous-order.json", '{"\\ue000":1,"\\ud83d\\ude00":2,"signature":"x"}')
    write("jcs", "deep.json", "[" * 60 + "{}" + "]" * 60)
    if VECTORS:
        write("jcs", "passport.json", canonical(VECTORS["passport_signed"]))
        write("jcs", "envelope.json", json.dumps(VECTORS["envelope"], indent=1))
        write("jcs", "message.json", VECTORS["message_jcs"])


def jose_seeds():
    claims = {"iss": "http://127.0.0.1:8080/realms/acme", "sub": "agent-payments", "aud": "https://payments.acme.test",
              "iat": NOW, "exp": NOW + 300, "jti": "a1b2c3", "scope": "payment_initiate",
              "client_id": "payments-bot", "trust_level": 3,
              "status": {"status_list": {"idx": 12, "uri": "http://127.0.0.1:8080/realms/acme/statuslists/1"}}}
    pem_ec = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    pem_ed = ed_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    tokens = {
        "es256-at.jwt": jwt.encode(claims, pem_ec, algorithm="ES256", headers={"typ": "at+jwt", "kid": thumbprint(EC_JWK)}),
        "eddsa.jwt": jwt.encode(claims, pem_ed, algorithm="EdDSA", headers={"typ": "JWT"}),
        "none.jwt": b64url(b'{"alg":"none"}') + "." + b64url(canonical(claims)) + ".",
        "hs256.jwt": jwt.encode(claims, "secret", algorithm="HS256"),
        "crit.jwt": b64url(b'{"alg":"ES256","crit":["exp"],"exp":1}') + "." + b64url(b"{}") + "." + b64url(bytes(64)),
        "dup-alg.jwt": b64url(b'{"alg":"ES256","alg":"none"}') + "." + b64url(b"{}") + "." + b64url(bytes(64)),
        "jku.jwt": b64url(canonical({"alg": "ES256", "jku": "https://evil.example/jwks", "jwk": EC_JWK})) + "."
                   + b64url(b"{}") + "." + b64url(bytes(64)),
    }
    for name, token in tokens.items():
        write("jws", name, token)
    # Header NUL payload: the harness signs these with its own key.
    write("jws", "header-es256.bin", b'{"alg":"ES256","typ":"at+jwt"}\x00' + canonical(claims))
    write("jws", "header-kid.bin", b'{"alg":"ES256","kid":"x","typ":null,"crit":null}\x00{}')
    write("jws", "header-escaped.bin", b'{"alg":"ES\\u0032\\u00356", "typ" : "JWT"}\x00[]')
    for name, token in list(tokens.items())[:3]:
        for position, part in enumerate(token.split(".")):
            if part:
                write("base64url", f"{name}-{position}.txt", part)
    write("base64url", "short.txt", "QQ")
    write("base64url", "three.txt", "QUI")

    write("jwk", "ec.json", canonical(EC_JWK))
    write("jwk", "ed25519.json", json.dumps({**ED_JWK, "kid": "k1", "alg": "EdDSA", "use": "sig"}))
    write("jwk", "jwks.json", canonical({"keys": [EC_JWK, ED_JWK]}))
    write("jwk", "private.json", canonical({**EC_JWK, "d": b64url(bytes(32))}))
    write("jwk", "ec.pem", ec_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo))
    if VECTORS:
        write("jwk", "vector.json", json.dumps(VECTORS["public_jwk"]))
        write("jwk", "vector.pem", VECTORS["public_key_pem"])


def mcps_seeds():
    if not VECTORS:
        return
    signed = VECTORS["passport_signed"]
    write("mcps", "vector-canonical.json", canonical(signed))
    write("mcps", "vector-python.json", json.dumps(signed))
    rotated = dict(signed, key_rotation={"previous": "x", "at": "2026-01-01T00:00:00+01:00"},
                   origin=None, issuer_chain=["QUJD"], scan={"score": 90})
    write("mcps", "extra-members.json", json.dumps(rotated, indent=2))
    micro = dict(signed, issued_at="2026-01-01T00:00:00.123456+00:00", expires_at="2099-12-31t23:59:59z")
    write("mcps", "microseconds.json", canonical(micro))


def form_seeds():
    write("form", "client-credentials.txt",
          "grant_type=client_credentials&client_id=payments-bot&client_secret=demo%2Bsecret&scope=payment_initiate+sanctions_screen")
    write("form", "assertion.txt", "grant_type=client_credentials&client_assertion_type="
          "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJFUzI1NiJ9.e30.AAAA")
    write("form", "token-exchange.txt", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
          "&subject_token=abc&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&audience=x&audience=y")
    write("form", "unicode.txt", "name=%C3%A9t%C3%A9&empty=&flag&=nameless&%E2%82%AC=%F0%9F%98%80")
    write("form", "fields.bin", b"grant_type\x00client_credentials\x00scope\x00a b&c=d%\x00")


def realm_seeds():
    secrets = ROOT / "realms" / "secrets"
    for path in [ROOT / "realms" / "acme.yaml", ROOT / "realms" / "globex.yaml", ROOT / "realms" / "ldap" / "acme-ldap.yaml"]:
        text = path.read_text()
        # Loaded like the admin API loads a document: no files, so inline the demo secrets.
        text = re.sub(r"secret_file: secrets/([\w-]+)",
                      lambda m: "secret: " + json.dumps((secrets / m.group(1)).read_text().strip()
                                                        if (secrets / m.group(1)).exists() else "demo-secret-0123456789"),
                      text)
        text = re.sub(r"bind_password_file: \S+", "bind_password_env: HERALD_FUZZ_SECRET", text)
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        write("realm", path.name, text + "\n")
    write("realm", "federation.yaml", """realm: peer
tools: {database-mcp/query: L2, "payments-mcp/charge": L3}
default_tool_level: L1
trust_policy: {pipeline: required, earned_levels: on}
federation:
  bundle_lifetime: 1h
  refresh_hint: 5m
  peers:
    - {entity: "https://globex.example/realms/globex", pin: "%s", max_level: L2, refresh: 5m, max_staleness: 1h}
brute_force:
  enabled: true
  max_failures: 5
  wait_increment: 30s
  max_wait: 15m
  failure_reset: 12h
  per_address: {max_failures: 20}
  event_rate: 60/min
directory:
  static:
    agents:
      - {id: a1, name: "Agent \\u00e9", org: x, roles: [mcps-l2], groups: [g], code_hash: "sha256:%s"}
""" % (thumbprint(EC_JWK), "ab" * 32))
    write("realm", "minimal.json", '{"realm": "j", "clients": [{"client_id": "c", "subject": "a", "auth": '
          '"private_key_jwt", "jwks": %s}], "directory": {"static": {"agents": [{"id": "a"}]}}}'
          % json.dumps({"keys": [EC_JWK]}))
    write("realm", "files.yaml", """realm: files
clients:
  - {client_id: c1, subject: a, auth: client_secret_basic, secret_file: missing/secret}
  - {client_id: c2, subject: a, auth: client_secret_post, secret_env: HERALD_FUZZ_SECRET}
  - {client_id: c3, subject: a, auth: client_secret_post, secret_digest: "v1:c2FsdHNhbHQ=:%s"}
directory:
  ldap:
    url: ldaps://ldap.example
    bind_dn: "uid=herald,ou=services,dc=acme,dc=test"
    bind_password_file: /nonexistent/bind
    ca_file: certs/ca.pem
    users: {base_dn: "ou=agents,dc=acme,dc=test", filter: "(objectClass=inetOrgPerson)"}
""" % base64.b64encode(bytes(32)).decode())
    write("realm", "anchors.yaml", "realm: &n x\ndisplay_name: *n\ntoken: {lifetime: 45s}\n")


def ldap_seeds():
    write("ldap", "injection.txt", "*)(uid=*))(|(uid=*")
    write("ldap", "dn.txt", "cn=mcps-l4 , ou=groups,dc=acme,dc=test")
    write("ldap", "escaped-dn.txt", "cn=Smith\\, John+uid=js,ou=people")
    write("ldap", "unicode.txt", "agent-é€😀\\00\x00")


def bundle_seeds():
    agents = [{"sub": "billing-bot", "trust_level": 2, "trust_score": 71, "pipeline_stage": "ACTIVE",
               "status": "active", "updated_at": NOW - 100},
              {"sub": "scout", "trust_level": 4, "trust_score": 100, "pipeline_stage": "REVIEW",
               "status": "suspended", "updated_at": 0}]
    full = {"iss": ENTITY, "iat": NOW - 60, "exp": NOW + 3600, "sequence": 42, "refresh_hint": 300,
            "issuer_keys": {"keys": [dict(EC_JWK, kid=thumbprint(EC_JWK), alg="ES256", use="sig")]},
            "federation_keys": {"keys": [ED_JWK]}, "agents": agents}
    write("bundle", "full.json", canonical(full))
    delta = dict(full, sequence=43, since=42, removed=["gone-bot"], agents=agents[:1])
    write("bundle", "delta.json", json.dumps(delta, indent=1))
    statement = {"iss": ENTITY, "sub": ENTITY, "iat": NOW - 60, "exp": NOW + 86400, "jwks": {"keys": [EC_JWK]},
                 "metadata": {"agent_trust_issuer": {"issuer": ENTITY, "jwks_uri": ENTITY + "/.well-known/agent-trust-keys",
                                                     "federation_bundle_endpoint": ENTITY + "/federation/bundle"}}}
    write("bundle", "entity-statement.json", canonical(statement))
    pem = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    token = jwt.encode(full, pem, algorithm="ES256", headers={"typ": "trust-bundle+jwt", "kid": thumbprint(EC_JWK)})
    write("bundle", "compact.jwt", token + "\n")


def statuslist_seeds():
    packed = bytes([0b00011011, 0, 0xFF, 0x40]) + bytes(60)
    lst = b64url(zlib.compress(packed, 9))
    claims = {"iss": "http://127.0.0.1:8080/realms/acme", "sub": "http://127.0.0.1:8080/realms/acme/statuslists/1",
              "iat": NOW, "exp": NOW + 86400, "ttl": 300, "status_list": {"bits": 2, "lst": lst},
              "status": {"status_list": {"idx": 3, "uri": "x"}}}
    write("statuslist", "claims.json", canonical(claims))
    write("statuslist", "raw-bits2.txt", b"\x01" + lst.encode())
    write("statuslist", "raw-bits8.txt", b"\x03" + b64url(zlib.compress(bytes(range(256)))).encode())
    write("statuslist", "packed.bin", b"\x00" + packed)


if __name__ == "__main__":
    for make in (jcs_seeds, jose_seeds, mcps_seeds, form_seeds, realm_seeds, ldap_seeds, bundle_seeds, statuslist_seeds):
        make()
    for target in sorted(os.listdir(FUZZ / "corpus")):
        print(target, len(os.listdir(FUZZ / "corpus" / target)))
