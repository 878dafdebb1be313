"""Schemathesis hooks for test_schemathesis.py: real credentials for the operations that take
them (loaded by schemathesis through `hooks = …` in the generated schemathesis.toml).

The run's herald is described by environment variables the test sets:

* ``HERALD_ST_BASE``: the server's base URL;
* ``HERALD_ST_ADMIN``: its ``data/admin-credentials`` file (master realm, ``herald-admin``);
* ``HERALD_ST_CALLERS``: JSON ``{realm: [client_id, secret]}``, one ``client_secret_basic``
  client per realm that calls the realm's own APIs (token, introspection, revocation, the
  MCP gate, outcome reports). Schemathesis's dictionaries leave these clients and their
  agents out, so the destructive admin operations cannot lock the callers out.

Admin routes and passport issuance get a fresh master-realm admin token (refetched on a 401
and every minute; the master realm's tokens live five minutes). Schemathesis still sends
each authenticated operation without credentials and with wrong ones (its ``ignored_auth``
check), so these providers do not hide missing authentication.
"""

from __future__ import annotations

import json
import os

import requests
import schemathesis

BASE = os.environ["HERALD_ST_BASE"]
CALLERS: dict[str, list[str]] = json.loads(os.environ["HERALD_ST_CALLERS"])


def _admin_credentials() -> tuple[str, str]:
    with open(os.environ["HERALD_ST_ADMIN"]) as f:
        creds = json.load(f)
    return creds["client_id"], creds["client_secret"]


@schemathesis.auth(refresh_interval=60).apply_to(
    path_regex=r"^(/admin/.*|/realms/\{realm\}/agents/\{agent\}/passport)$")
class AdminToken:
    """A master-realm access token carrying role herald-admin."""

    def get(self, case, context):
        response = requests.post(f"{BASE}/realms/master/protocol/openid-connect/token",
                                 data={"grant_type": "client_credentials"}, auth=_admin_credentials(), timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.auth(refresh_interval=None).apply_to(
    path_regex=r"^/realms/\{realm\}/(protocol/openid-connect/(token|token/introspect|revoke)|mcp/verify"
               r"|agents/\{agent\}/events)$")
class RealmCaller:
    """HTTP Basic as the realm's caller client; an unknown realm gets the first realm's."""

    def get(self, case, context):
        realm = (case.path_parameters or {}).get("realm")
        return tuple(CALLERS.get(realm) or next(iter(CALLERS.values())))

    def set(self, case, data, context):
        schemathesis.auths.apply_basic_auth(case, *data)


@schemathesis.deserializer("application/statuslist+jwt", "application/entity-statement+jwt",
                           "application/trust-bundle+jwt")
def compact_jws(ctx, response):
    """The signed documents are compact JWS text; the spec checks their shape as a string."""
    return response.content.decode("ascii")


@schemathesis.hook
def before_call(context, case, kwargs):
    """Keep the run off the master realm: it holds this run's own admin client. The stateful
    phase reads realm names from responses (`GET /admin/realms` lists master), and a deleted
    or re-keyed admin client, or one locked out by guessed secrets, would leave every later
    admin request unauthenticated. Requests for master go to the first caller realm instead;
    the master realm's endpoints are the same code as every realm's."""
    if (case.path_parameters or {}).get("realm") == "master":
        case.path_parameters["realm"] = next(iter(CALLERS))
