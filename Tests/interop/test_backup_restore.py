"""Backup and restore of a data directory (docs/operations.md#backup-and-restore).

`herald backup create` snapshots the database of a running server (tokens are issued
while it runs); `backup verify` checks the file; `backup restore` puts it into a NEW data
directory; a server started there with the same master key publishes the same JWKS,
a token issued before the backup still verifies against it (PyJWT and joserfc), new tokens
issue, and `herald audit verify` passes on the restored data. A tampered backup, a
non-empty target and a database migrated by a newer Herald are refused with clear
messages; `herald migrate --dry-run` lists pending migrations without applying them.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import threading
import base64
from pathlib import Path

import jwt as pyjwt
import pytest
import requests
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from conftest import free_port, herald_binary
from herald_helpers import REALMS_DIR, client_secret, describe

CLIENT = "screening-bot"


def cli(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs the herald binary with `args`; never raises on a non-zero exit."""
    full_env = dict(os.environ)
    full_env.pop("HERALD_MASTER_KEY_FILE", None)
    if env:
        full_env.update(env)
    return subprocess.run([str(herald_binary()), *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def token(h, realm: str = "acme") -> str:
    r = requests.post(h.token_endpoint(realm), data={"grant_type": "client_credentials"},
                      auth=(CLIENT, client_secret(CLIENT)), timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()["access_token"]


def jwks(h, realm: str = "acme") -> dict:
    r = requests.get(h.discovery(realm)["jwks_uri"], timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()


def sorted_keys(key_set: dict) -> list[dict]:
    return sorted(key_set["keys"], key=lambda k: k["kid"])


def verify_with_pyjwt(access_token: str, key_set: dict, issuer: str) -> dict:
    kid = pyjwt.get_unverified_header(access_token)["kid"]
    key = pyjwt.PyJWK(next(k for k in key_set["keys"] if k["kid"] == kid))
    return pyjwt.decode(access_token, key.key, algorithms=[key.algorithm_name], issuer=issuer,
                        options={"verify_aud": False})


def verify_with_joserfc(access_token: str, key_set: dict, issuer: str) -> dict:
    decoded = jose_jwt.decode(access_token, KeySet.import_key_set(key_set))
    jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}).validate(decoded.claims)
    return decoded.claims


def sqlite_member_offset(archive: Path) -> tuple[int, int]:
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", "herald.sqlite"]
        member = tar.getmember("herald.sqlite")
        return member.offset_data, member.size


def restored_copy(backup: Path, target: Path) -> Path:
    r = cli("backup", "restore", backup, "--data-dir", target)
    assert r.returncode == 0, r.stderr
    return target / "herald.sqlite"


@pytest.fixture(scope="module")
def world(start_herald, tmp_path_factory):
    """A server that has run once (its shutdown checkpoint is in the audit log), restarted
    on the same data directory and issuing tokens while `backup create` runs."""
    work = tmp_path_factory.mktemp("backup")
    first = start_herald()
    before = token(first)
    first.stop()
    # the same port throughout, so every token's issuer is the restored server's issuer too
    live = start_herald(data_dir=first.data_dir, port=first.port)
    issued_before = [token(live) for _ in range(3)]

    stop = threading.Event()
    issued_during: list[str] = []
    errors: list[str] = []

    def issue():
        while not stop.is_set():
            try:
                issued_during.append(token(live))
            except AssertionError as e:  # pragma: no cover - reported below
                errors.append(str(e))

    thread = threading.Thread(target=issue)
    thread.start()
    try:
        backup = work / "herald-backup.tar"
        created = cli("backup", "create", "--data-dir", live.data_dir, "--out", backup)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert created.returncode == 0, created.stderr
    assert not errors, errors
    jwks_at_backup = jwks(live)
    return {
        "work": work, "live": live, "backup": backup, "created": created,
        "master_key": first.data_dir / "master.key",
        "token_before": before, "tokens": issued_before + issued_during, "jwks": jwks_at_backup,
    }


def test_backup_create_writes_manifest_and_snapshot_while_serving(world):
    created, backup = world["created"], world["backup"]
    assert created.stdout.startswith(f"backup written to {backup}: schema v"), created.stdout
    assert "MASTER KEY WARNING" in created.stderr and "HERALD_MASTER_KEY_FILE" in created.stderr
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(backup) as tar:
        assert tar.getnames() == ["manifest.json", "herald.sqlite"]
        manifest = json.load(tar.extractfile("manifest.json"))
        database = tar.extractfile("herald.sqlite").read()
    assert manifest["format"] == "herald-backup/1"
    assert manifest["database"] == {"name": "herald.sqlite", "size": len(database),
                                    "sha256": hashlib.sha256(database).hexdigest()}
    assert set(manifest["realms"]) >= {"acme", "globex", "master"}
    assert manifest["schema_version"] == len(manifest["migrations"]) >= 6
    assert manifest["master_key_included"] is False
    assert manifest["audit_log"]["location"] == "database" and manifest["audit_log"]["entries"] >= 5
    assert manifest["herald_version"] and manifest["created_at"].endswith("Z")
    # the master key is nowhere in the archive
    key_text = world["master_key"].read_text().strip().encode()
    assert key_text not in backup.read_bytes() and base64.b64decode(key_text) not in backup.read_bytes()

    again = cli("backup", "create", "--data-dir", world["live"].data_dir, "--out", backup)
    assert again.returncode == 1 and "exists; choose another --out, or pass --force" in again.stderr
    assert cli("backup", "create", "--data-dir", world["live"].data_dir, "--out", backup,
               "--force").returncode == 0


def test_backup_verify_checks_chains_and_keys(world):
    backup = world["backup"]
    plain = cli("backup", "verify", backup)
    assert plain.returncode == 0, plain.stderr
    assert "backup OK" in plain.stdout and "master key: not given" in plain.stdout
    assert "audit chain of realm acme:" in plain.stdout and "1 checkpoint verified" in plain.stdout

    keyed = cli("backup", "verify", backup, "--output", "json", env={"HERALD_MASTER_KEY_FILE": str(world["master_key"])})
    assert keyed.returncode == 0, keyed.stderr
    report = json.loads(keyed.stdout)
    assert report["valid"] is True and report["problems"] == [] and report["keys_opened"] >= 4
    assert all(r["valid"] for r in report["audit"]) and {r["realm"] for r in report["audit"]} >= {"acme", "master"}
    assert '"d"' not in keyed.stdout  # no key material printed

    wrong = world["work"] / "wrong.key"
    wrong.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    refused = cli("backup", "verify", backup, "--master-key", wrong)
    assert refused.returncode == 4
    assert "is not the master key this backup's keys were sealed with" in refused.stderr


def test_restore_round_trip(world, start_herald):
    live, work = world["live"], world["work"]
    target = work / "restored" / "data"
    restored = cli("backup", "restore", world["backup"], "--data-dir", target)
    assert restored.returncode == 0, restored.stderr
    assert f"restored {world['backup']} into {target}" in restored.stdout
    assert "put the master key in place" in restored.stdout
    assert sorted(p.name for p in target.iterdir()) == ["herald.sqlite"]
    assert oct(target.stat().st_mode & 0o777) == "0o700"

    port = live.port
    live.stop()
    again = start_herald(data_dir=target, port=port, env={"HERALD_MASTER_KEY_FILE": str(world["master_key"])})
    restored_jwks = jwks(again)
    assert sorted_keys(restored_jwks) == sorted_keys(world["jwks"])
    issuer = again.issuer("acme")
    for old in [world["token_before"], world["tokens"][0], world["tokens"][-1]]:
        assert verify_with_pyjwt(old, restored_jwks, issuer)["iss"] == issuer
        assert verify_with_joserfc(old, restored_jwks, issuer)["sub"]
    fresh = token(again)
    assert verify_with_pyjwt(fresh, restored_jwks, issuer)["iss"] == issuer
    assert verify_with_joserfc(fresh, restored_jwks, issuer)["jti"] != verify_with_joserfc(
        world["token_before"], restored_jwks, issuer)["jti"]

    for realm in ["acme", "globex"]:
        audit = cli("audit", "verify", "--data", target, "--realm", realm, "--jwks", again.discovery(realm)["jwks_uri"])
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert f"audit chain of realm {realm}:" in audit.stdout and "BROKEN" not in audit.stdout
    again.stop()


def test_serving_a_restore_without_its_master_key_is_refused_and_creates_no_key(world):
    """A restore whose operator forgot the master key: serve must stop with what to do, and
    must not create a fresh master key (which could never open the restored keys and would
    sit in the data directory looking like the right one)."""
    data = world["work"] / "keyless" / "data"
    restored_copy(world["backup"], data)
    serve = cli("serve", "--realms", REALMS_DIR, "--data", data,
                "--listen", f"127.0.0.1:{free_port()}", timeout=60)
    assert serve.returncode != 0
    assert "private key(s) sealed with a master key" in serve.stderr, serve.stderr[-2000:]
    assert f"the master key file {data / 'master.key'} does not exist" in serve.stderr
    assert "copy the master key that belongs with this database there" in serve.stderr
    assert sorted(p.name for p in data.iterdir()) == ["herald.sqlite"]


def test_tampered_backup_is_refused(world):
    work = world["work"]
    tampered = work / "tampered.tar"
    shutil.copyfile(world["backup"], tampered)
    offset, size = sqlite_member_offset(tampered)
    with open(tampered, "r+b") as f:
        f.seek(offset + size // 2)
        byte = f.read(1)
        f.seek(offset + size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    verify = cli("backup", "verify", tampered)
    assert verify.returncode == 4
    assert "FAILED verification: herald.sqlite does not match the manifest" in verify.stderr
    assert "the backup was changed or damaged" in verify.stderr

    target = work / "from-tampered"
    restore = cli("backup", "restore", tampered, "--data-dir", target)
    assert restore.returncode == 4 and "does not match the manifest" in restore.stderr
    assert not target.exists(), "a failed restore must leave nothing behind"
    assert not [p for p in work.iterdir() if p.name.startswith(".herald-restore")]

    truncated = work / "truncated.tar"
    truncated.write_bytes(world["backup"].read_bytes()[: offset + 1000])
    cut = cli("backup", "verify", truncated)
    assert cut.returncode == 4 and "is truncated" in cut.stderr


def test_restore_into_non_empty_directory_is_refused(world):
    target = world["work"] / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    r = cli("backup", "restore", world["backup"], "--data-dir", target)
    assert r.returncode == 1
    assert f"{target} is not empty (keep.txt)" in r.stderr and "pass --force" in r.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]

    forced = cli("backup", "restore", world["backup"], "--data-dir", target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in target.iterdir()) == ["herald.sqlite", "keep.txt"]


def test_newer_schema_is_refused_by_this_binary(world):
    database = restored_copy(world["backup"], world["work"] / "newer" / "data")
    with sqlite3.connect(database) as db:
        known = db.execute("SELECT COUNT(*) FROM grdb_migrations").fetchone()[0]
        db.execute("INSERT INTO grdb_migrations (identifier) VALUES ('0999_from_the_future')")
        db.execute("UPDATE herald_meta SET value = '99.0.0' WHERE key = 'schema_written_by'")
    expected = (f"database schema v{known + 1} was written by a newer Herald (99.0.0); this binary (Herald ")
    advice = (f") knows up to v{known}; upgrade Herald or restore a backup taken before the upgrade "
              "(unknown migrations: 0999_from_the_future)")

    serve = cli("serve", "--realms", REALMS_DIR, "--data", database.parent,
                "--listen", f"127.0.0.1:{free_port()}", timeout=60)
    assert serve.returncode != 0
    assert expected in serve.stderr and advice in serve.stderr, serve.stderr[-2000:]

    dry = cli("migrate", "--data-dir", database.parent, "--dry-run")
    assert dry.returncode == 1 and expected in dry.stderr and advice in dry.stderr

    newer = world["work"] / "newer.tar"
    assert cli("backup", "create", "--data-dir", database.parent, "--out", newer).returncode == 0
    verify = cli("backup", "verify", newer)
    assert verify.returncode == 4 and expected in verify.stderr
    with sqlite3.connect(database) as db:  # nothing was migrated or rewritten
        assert db.execute("SELECT value FROM herald_meta").fetchone()[0] == "99.0.0"


def test_migrate_dry_run_lists_pending_and_migrate_backs_up_first(world):
    database = restored_copy(world["backup"], world["work"] / "older" / "data")
    with sqlite3.connect(database) as db:  # as a Herald before the herald_meta migration left it
        db.execute("DROP TABLE herald_meta")
        db.execute("DELETE FROM grdb_migrations WHERE identifier = '0006_create_herald_meta'")
        applied = db.execute("SELECT COUNT(*) FROM grdb_migrations").fetchone()[0]
    data = database.parent

    dry = cli("migrate", "--data-dir", data, "--dry-run", "--output", "json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["schema_version"] == applied and plan["applied"] is False and plan["backup"] is None
    assert "0006_create_herald_meta" in plan["pending"]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM grdb_migrations").fetchone()[0] == applied

    run = cli("migrate", "--data-dir", data)
    assert run.returncode == 0, run.stderr
    assert "0006_create_herald_meta" in run.stdout and "applied" in run.stdout
    assert "backup written to" in run.stderr and "MASTER KEY WARNING" in run.stderr
    backups = list((data / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith(f"herald-before-v{plan['latest_version']}-")
    taken = cli("backup", "verify", backups[0], "--output", "json")
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["schema_version"] == applied
    up = cli("migrate", "--data-dir", data, "--dry-run")
    assert up.returncode == 0 and "is up to date; nothing to migrate" in up.stdout
