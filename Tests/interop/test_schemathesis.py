"""schemathesis against a live herald with docs/openapi.yaml: every operation, bounded
examples, the admin routes with a real admin token.

The server is a throwaway instance (its own data directory, a copy of the repository's
realms acme and globex, and the LDAP demo realm acme-ldap over its own slapd), because the
run calls every destructive admin operation: it deletes clients and
agents, revokes keys, kills agents and organisations, replaces realms. Before the run the
test gives it something to find: a federation peer (acme follows globex on the same
server), passports, tokens; their identifiers go into schemathesis dictionaries, so
generated path parameters and bodies hit real objects most of the time and random ones the
rest. One ``client_secret_basic`` client per realm calls the realm's own APIs and is left out
of the dictionaries, with its agent, so the admin operations cannot lock it out.

Every check schemathesis has runs (``--checks all``) on every operation, in all four phases
(examples, coverage, fuzzing, stateful). The run fails on any failure: a 5xx, a status code,
content type, header or body the spec does not declare, a schema-violating request
accepted, a schema-valid request refused, authentication not enforced, a method not
allowed answered otherwise than 405, … One check is narrowed, for the operations in
STATE_DEPENDENT_400 only: there a 400 to a schema-valid request is accepted, because the
400 depends on what the server holds (see the reasons there).

Bounds: ``HERALD_SCHEMATHESIS_EXAMPLES`` examples per operation and phase (default 10, for
``make test``; ``make fuzz-api`` runs 1000), seed ``HERALD_SCHEMATHESIS_SEED`` (default 1, so
``make test`` is reproducible; ``make fuzz-api`` draws one and prints it). With
``HERALD_SCHEMATHESIS_RESULTS`` set (``make fuzz-api``: bench/results) the run's numbers go to
``fuzz-api-<stamp>.md`` and ``fuzz-api-latest.md`` there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from herald_helpers import REALMS_DIR, REPO, Admin, client_secret

SPEC = REPO / "docs" / "openapi.yaml"
HOOKS_DIR = Path(__file__).resolve().parent
MAX_EXAMPLES = int(os.environ.get("HERALD_SCHEMATHESIS_EXAMPLES", "10"))
SEED = int(os.environ.get("HERALD_SCHEMATHESIS_SEED", "1"))
# A whole run must end; make test's run takes about a minute.
RUN_TIMEOUT = int(os.environ.get("HERALD_SCHEMATHESIS_TIMEOUT", "900"))

# The realms' callers: client_secret_basic clients left out of every dictionary.
CALLERS = {"acme": "procurement-bot", "globex": "globex-scout", "acme-ldap": "treasury-bot"}
CALLER_AGENTS = {"agent-procurement", "agent-scout", "agent-treasury"}
LDAP_DIR = REALMS_DIR / "ldap"
SLAPD_FIXTURE = REPO / "scripts" / "slapd-fixture.sh"
# The LDAP realm's agents, from realms/ldap/acme-ldap.ldif (the admin API lists static agents only).
LDAP_AGENTS = ["agent-research", "agent-payments", "agent-treasury", "agent-intern", "agent-retired"]
# Passports are asked for this agent (it has a registered P-256 key), which the lifecycle
# operations do not reach: stopped, it would get 403 only.
PASSPORT_AGENT = "agent-ledger"

# The run sends thousands of wrong credentials (its ignored_auth check, random client ids
# and secrets), which would lock the callers and the loopback address out within seconds
# and leave every later request a 429. The limiter still runs on every request; only its
# thresholds are out of reach. Lockouts themselves are test_brute_force.py's.
BRUTE_FORCE = """
brute_force:
  max_failures: 100000
  per_address: {max_failures: 100000}
  event_rate: 1000/s
"""

# positive_data_acceptance: a request valid by the spec must not get 400. For these
# operations 400 also depends on what the server holds or on a relation OpenAPI cannot
# state, so 400 is an accepted answer to a schema-valid request there (every other check,
# the 400 body's schema included, still applies):
STATE_DEPENDENT_400 = {
    # RFC 6749 §5.2 / RFC 7009: invalid_scope, invalid_grant and unauthorized_client depend
    # on the client's registration and the subject token; and a credential in the body next
    # to the HTTP Basic one schemathesis sends is two methods at once (OpenAPI cannot tie a
    # body field to a security scheme).
    "token": "client registration, subject token, body credential beside HTTP Basic",
    "introspect": "body credential beside HTTP Basic",
    "revoke": "the token must have been issued to the caller; body credential beside HTTP Basic",
    "adminImportRealm": "the body's realm must be the path's; realm-file cross-references",
    "adminCreateClient": "subject must be an agent of the realm; jwks must hold valid public keys",
    "adminReplaceClient": "client_id must be the path's; subject must be an agent; valid jwks",
    "adminRotateClientSecret": "only a secret client's secret rotates",
    "adminReplaceAgent": "id must be the path's",
    "adminPrepareKey": "alg must be one of the realm's token.algorithms",
    "adminAddPeer": "refresh and max_staleness ranges; the realm's own issuer is no peer",
    "adminSetLevels": "earned_at_score must rise strictly from L0 to L4 in the merged table",
    "issuePassport": "public_key must be a valid P-256 key, or the agent must have one registered",
    "reportOutcome": "reference is at most 512 bytes of UTF-8 (maxLength counts characters)",
    "consumeCapability": "the capability must be one the realm issued, unused, unrevoked, for a serving agent",
}
POSITIVE_EXPECTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]



def schemathesis_command() -> str:
    """The schemathesis installed beside this Python (the project venv), else the one on PATH:
    running the file as `.venv/bin/python -m pytest ...` works without .venv/bin on PATH."""
    beside = Path(sys.executable).parent / "schemathesis"
    return str(beside) if beside.exists() else (shutil.which("schemathesis") or "schemathesis")

def realm_objects(admin: Admin, realm: str) -> dict:
    def get(path):
        reply = admin.call("GET", f"{realm}/{path}")
        assert reply.status_code == 200, reply.text
        return reply.json()
    return {"agents": get("agents")["agents"], "clients": get("clients")["clients"], "keys": get("keys")["keys"],
            "mappings": get("role-mappings")["role_mappings"], "federation": get("federation")}


def caller_secret(realm: str) -> str:
    if realm == "acme-ldap":
        return (LDAP_DIR / "secrets" / CALLERS[realm]).read_text().rstrip("\r\n")
    return client_secret(CALLERS[realm])


def realms_for_run(directory: Path, slapd: Path) -> Path:
    """A copy of the repository's realms, the LDAP realm pointed at `slapd`, every realm with
    BRUTE_FORCE."""
    realms = directory / "realms"
    shutil.copytree(REALMS_DIR, realms, ignore=shutil.ignore_patterns("ldap"))
    (realms / "ldap-secrets").mkdir()
    shutil.copy(LDAP_DIR / "secrets" / "treasury-bot", realms / "ldap-secrets" / "treasury-bot")
    shutil.copy(slapd / "bind-password", realms / "ldap-secrets" / "ldap-bind")
    text = (LDAP_DIR / "acme-ldap.yaml").read_text()
    for old, new in [("ldap://127.0.0.1:3389", (slapd / "url").read_text().strip()),
                     ("secret_file: secrets/treasury-bot", "secret_file: ldap-secrets/treasury-bot"),
                     ("bind_password_file: secrets/ldap-bind", "bind_password_file: ldap-secrets/ldap-bind")]:
        assert old in text, old
        text = text.replace(old, new)
    (realms / "acme-ldap.yaml").write_text(text)
    for name in ("acme.yaml", "globex.yaml", "acme-ldap.yaml"):
        assert "brute_force" not in (realms / name).read_text()
        with open(realms / name, "a") as f:
            f.write(BRUTE_FORCE)
    return realms


def client_token(herald, realm: str, client_id: str) -> str:
    secret = client_secret(client_id)
    reply = requests.post(f"{herald.issuer(realm)}/protocol/openid-connect/token", auth=(client_id, secret),
                          data={"grant_type": "client_credentials"}, timeout=10)
    if reply.status_code == 401:  # a client_secret_post client
        reply = requests.post(f"{herald.issuer(realm)}/protocol/openid-connect/token", timeout=10,
                              data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def toml_value(value) -> str:
    return json.dumps(value)  # TOML basic strings, arrays and numbers read like JSON


def render_config(base: str, dictionaries: dict[str, list], bindings: dict[str, tuple[str, float]],
                  report_dir: Path) -> str:
    lines = [
        f"hooks = {toml_value('schemathesis_hooks')}",
        f"base-url = {toml_value(base)}",
        "request-timeout = 30",
        "",
        "[reports]",
        f"directory = {toml_value(str(report_dir))}",
        "",
        # Link inference from Location headers also scans response bodies for URLs, and
        # schemathesis 4.32 stops the whole run on one it cannot split (`http://[`, which a
        # free-text member such as a kill reason may echo). Herald sends no Location header;
        # links are inferred from the schema's dependencies alone.
        "[phases.stateful.inference]",
        f"algorithms = {toml_value(['dependency-analysis'])}",
        "",
        "[dictionaries]",
    ]
    lines += [f"{name} = {{ values = {toml_value(values)} }}" for name, values in dictionaries.items()]
    lines += ["", "[parameters]"]
    lines += [f"{toml_value(key)} = {{ dictionary = {toml_value(name)}, probability = {p} }}"
              for key, (name, p) in bindings.items()]
    for operation_id in STATE_DEPENDENT_400:
        lines += ["", "[[operations]]", f"include-operation-id = {toml_value(operation_id)}",
                  f"checks.positive_data_acceptance.expected-statuses = {toml_value(POSITIVE_EXPECTED)}"]
        if operation_id == "issuePassport":
            lines.append('parameters = { "path.agent" = { dictionary = "passport_agents", probability = 0.8 } }')
    return "\n".join(lines) + "\n"


def prepare(herald) -> tuple[dict[str, list], dict[str, tuple[str, float]]]:
    """Objects for the run to find, and the dictionaries naming them."""
    admin = Admin(herald)
    globex = realm_objects(admin, "globex")
    peer = admin.call("POST", "acme/federation/peers", {
        "entity": herald.issuer("globex"), "pin": globex["federation"]["pin"], "max_level": "L2"})
    assert peer.status_code == 201, peer.text
    assert peer.json()["status"] == "ok", peer.json()
    passports = []
    for fmt in ("jwt", "mcps"):
        reply = requests.post(f"{herald.issuer('acme')}/agents/agent-ledger/passport?format={fmt}", json={},
                              headers=admin.headers, timeout=10)
        assert reply.status_code == 200, reply.text
        passports.append(reply.json())
    tokens = [client_token(herald, realm, client) for realm, client in
              [("acme", "screening-bot"), ("acme", "procurement-bot"), ("globex", "globex-scout")]]
    acme = realm_objects(admin, "acme")
    ldap = realm_objects(admin, "acme-ldap")
    objects = [acme, globex, ldap]
    agents = sorted(({a["id"] for o in objects for a in o["agents"]} | set(LDAP_AGENTS)) - CALLER_AGENTS
                    - {PASSPORT_AGENT})
    dictionaries = {
        "realms": ["acme", "globex", "acme-ldap"],
        "agents": agents,
        "clients": sorted({c["client_id"] for o in objects for c in o["clients"]} - set(CALLERS.values())),
        "orgs": sorted({a["org"] for o in objects for a in o["agents"] if "org" in a} | {"research"}),
        "kids": sorted({k["kid"] for o in objects for k in o["keys"]}),
        "mappings": sorted({m["id"] for o in objects for m in o["mappings"]}),
        "peers": [peer.json()["id"]],
        "passport_ids": [passports[0]["passport_id"], passports[1]["passport_id"]],
        "tokens": tokens,
        "jwt_passports": [passports[0]["passport"]],
        "servers": ["database-mcp", "payments-mcp"],
        "tools": ["query", "charge"],
        "passport_agents": [PASSPORT_AGENT],
    }
    bindings = {
        "path.realm": ("realms", 0.9),
        "path.agent": ("agents", 0.7),
        "path.client": ("clients", 0.7),
        "path.org": ("orgs", 0.7),
        "path.kid": ("kids", 0.7),
        "path.id": ("mappings", 0.7),
        "path.peer": ("peers", 0.7),
        "path.passport": ("passport_ids", 0.7),
        "body.token": ("tokens", 0.5),
        "body.subject_token": ("tokens", 0.5),
        "body.agent_id": ("agents", 0.5),
        "body.passport": ("jwt_passports", 0.3),
        "body.mcp_server_id": ("servers", 0.7),
        "body.tool_name": ("tools", 0.7),
        "body.subject": ("agents", 0.5),
    }
    return dictionaries, bindings


def summary(report: dict) -> str:
    cases, operations = report["test_cases"], report["operations"]
    return (f"schemathesis {report['schemathesis_version']}, seed {report['seed']}, {MAX_EXAMPLES} examples: "
            f"{operations['tested']} of {operations['total']} operations tested, "
            f"{cases['generated']} test cases, {cases['with_failures']} with failures "
            f"({cases['unique_failures']} unique), {cases['errored']} errored, "
            f"{report['running_time']:.0f} s")


def write_results(directory: Path, report: dict, command: list[str], passed: bool) -> Path:
    """A results page for bench/results (make fuzz-api): bounds, numbers, phases, warnings."""
    stamp = report["started_at"][:19].replace("-", "").replace(":", "") + "Z"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    cases, operations = report["test_cases"], report["operations"]
    lines = [
        f"# make fuzz-api, {report['started_at'][:19]}Z (git {commit})", "",
        f"schemathesis {report['schemathesis_version']} against a throwaway herald with docs/openapi.yaml: "
        f"**{'no failure' if passed else 'FAILURES'}**.", "",
        "```", " ".join(["schemathesis"] + command[1:]), "```", "",
        "| | |", "|---|---|",
        f"| seed | {report['seed']} |",
        f"| examples per operation and phase | {MAX_EXAMPLES} |",
        f"| operations tested | {operations['tested']} of {operations['total']} |",
        f"| test cases generated | {cases['generated']} |",
        f"| test cases with failures | {cases['with_failures']} ({cases['unique_failures']} unique) |",
        f"| errored | {cases['errored']} |",
        f"| running time | {report['running_time']:.0f} s |", "",
        "Phases: " + ", ".join(f"{name} {phase['status']}" for name, phase in report["phases"].items()) + ".", "",
        "Checks: all (`--checks all`); positive_data_acceptance also accepts 400 for "
        + ", ".join(f"`{op}`" for op in STATE_DEPENDENT_400) + " (see test_schemathesis.py).", "",
    ]
    warnings = {name: ops for name, ops in report["warnings"].items() if ops}
    if warnings:
        lines += ["Warnings (informational):", ""]
        lines += [f"- {name}: {', '.join(map(str, ops))}" for name, ops in warnings.items()]
        lines.append("")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"fuzz-api-{stamp}.md"
    path.write_text("\n".join(lines))
    (directory / "fuzz-api-latest.md").write_text("\n".join(lines))
    return path


@pytest.fixture
def slapd(tmp_path):
    if shutil.which("slapd") is None and not Path("/usr/sbin/slapd").exists():
        pytest.fail("slapd is not installed: run scripts/install-deps.sh --test")
    directory = tmp_path / "slapd"
    subprocess.run([str(SLAPD_FIXTURE), "start", str(directory), "--seed", str(LDAP_DIR / "acme-ldap.ldif")],
                   check=True, capture_output=True, timeout=60)
    yield directory
    subprocess.run([str(SLAPD_FIXTURE), "stop", str(directory)], check=False, timeout=30)


def test_schemathesis_finds_no_failure(start_herald, slapd, tmp_path):
    herald = start_herald(realms_dir=realms_for_run(tmp_path, slapd))
    dictionaries, bindings = prepare(herald)
    report_dir = tmp_path / "report"
    config = tmp_path / "schemathesis.toml"
    config.write_text(render_config(herald.base, dictionaries, bindings, report_dir))
    callers = {realm: [client, caller_secret(realm)] for realm, client in CALLERS.items()}
    env = dict(os.environ, HERALD_ST_BASE=herald.base, HERALD_ST_ADMIN=str(herald.data_dir / "admin-credentials"),
               HERALD_ST_CALLERS=json.dumps(callers),
               PYTHONPATH=os.pathsep.join(filter(None, [str(HOOKS_DIR), os.environ.get("PYTHONPATH")])))
    command = [schemathesis_command(), "--config-file", str(config), "--no-color",
               "run", str(SPEC), "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
               "--report", "json"]
    print("$", " ".join(command[:1] + command[1:]))
    run = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    reports = sorted(report_dir.glob("*.json"))
    assert reports, f"schemathesis wrote no report (exit {run.returncode})\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    report = json.loads(reports[-1].read_text())
    print(summary(report))
    if results := os.environ.get("HERALD_SCHEMATHESIS_RESULTS"):
        print("results:", write_results(Path(results), report, command, run.returncode == 0 and herald.running))
    assert herald.running, f"herald died during the run\n{herald.log_tail()}"
    assert run.returncode == 0, f"{summary(report)}\n{run.stdout[-20000:]}\n{run.stderr[-4000:]}"
    # Every operation of the spec ran (none skipped or errored), each with generated cases.
    operations = report["operations"]
    assert operations["tested"] == operations["total"] == operations["selected"], operations
    assert report["test_cases"]["generated"] >= operations["total"]
