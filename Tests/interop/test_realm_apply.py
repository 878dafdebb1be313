"""`herald realm apply FILE` against a running herald, and `herald serve --config herald.yaml`.

The realm file is edited as an operator would (a client added, a role mapping changed);
`--dry-run` shows the diff and changes nothing; apply changes the running realm (the new
client gets a token at once); a client created through the admin API is not dropped by a
file that lacks it unless `--force`. Then herald.yaml: the server starts from it, a flag
overrides it, and a bad file fails with every problem and its line.
"""
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import free_port, herald_binary
from herald_helpers import REALMS_DIR

REALM = "acme"
NEW_SECRET = "apply-bot-secret-0123456789"


@pytest.fixture(scope="module")
def world(start_herald, tmp_path_factory):
    root = tmp_path_factory.mktemp("apply")
    realms = root / "realms"
    shutil.copytree(REALMS_DIR, realms, ignore=shutil.ignore_patterns("ldap"))
    herald = start_herald(realms_dir=realms)
    work = root / "work"
    work.mkdir()
    shutil.copytree(realms / "secrets", work / "secrets")
    home = root / "home"
    env = dict(os.environ, XDG_CONFIG_HOME=str(home), HOME=str(home))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(herald_binary()), *args], env=env, capture_output=True, text=True, timeout=60)

    done = cli("login", "--server", herald.base, "--credentials", str(herald.data_dir / "admin-credentials"))
    assert done.returncode == 0, done.stderr
    return herald, realms, work, cli


def edited_file(realms: Path, work: Path) -> Path:
    """acme.yaml with one client added and payment-bots mapped to mcps-l2 instead of mcps-l3."""
    text = (realms / "acme.yaml").read_text()
    assert "{group: payment-bots, role: mcps-l3}" in text
    text = text.replace("{group: payment-bots, role: mcps-l3}", "{group: payment-bots, role: mcps-l2}")
    text = text.replace("clients:\n", "clients:\n  - client_id: apply-bot\n    subject: agent-observer\n"
                        f"    auth: client_secret_post\n    secret: {NEW_SECRET}\n", 1)
    path = work / "acme.yaml"
    path.write_text(text)
    return path


def token(herald, client_id: str, secret: str) -> requests.Response:
    return requests.post(herald.token_endpoint(REALM), timeout=10,
                         data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})


def export(cli) -> dict:
    done = cli("realm", "export", "--realm", REALM, "--format", "json")
    assert done.returncode == 0, done.stderr
    import json
    return json.loads(done.stdout)


def mappings(document: dict) -> set[tuple[str, str]]:
    return {(m["group"], m["role"]) for m in document.get("role_mappings", [])}


def test_apply_dry_run_apply_refuse_force(world):
    herald, realms, work, cli = world
    file = edited_file(realms, work)

    dry = cli("realm", "apply", str(file), "--dry-run")
    assert dry.returncode == 0, dry.stderr + dry.stdout
    out = dry.stdout
    assert "realm acme: 2 to add, 0 to change, 1 to remove" in out, out
    assert "+ client apply-bot" in out and "+     subject: \"agent-observer\"" in out, out
    assert "- role mapping payment-bots → mcps-l3" in out and "+ role mapping payment-bots → mcps-l2" in out, out
    assert "dry run: nothing applied" in out, out
    assert token(herald, "apply-bot", NEW_SECRET).status_code == 401
    assert ("payment-bots", "mcps-l3") in mappings(export(cli))

    applied = cli("realm", "apply", str(file))
    assert applied.returncode == 0, applied.stderr + applied.stdout
    assert "applied 3 changes to realm acme" in applied.stdout, applied.stdout
    r = token(herald, "apply-bot", NEW_SECRET)
    assert r.status_code == 200, r.text
    assert mappings(export(cli)) == {("payment-bots", "mcps-l2"), ("treasury", "mcps-l4")}
    again = cli("realm", "apply", str(file))
    assert again.returncode == 0 and "no changes" in again.stdout, again.stdout + again.stderr

    # An admin-API change the file does not have: not dropped without --force.
    created = cli("client", "create", "cli-bot", "--realm", REALM, "--subject", "agent-observer", "--auth",
                  "client_secret_post")
    assert created.returncode == 0, created.stderr
    refused = cli("realm", "apply", str(file))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "- client cli-bot: changed through the admin API (admin.client.created" in refused.stderr, refused.stderr
    assert "nothing applied" in refused.stderr and "--force" in refused.stderr, refused.stderr
    assert any(c["client_id"] == "cli-bot" for c in export(cli)["clients"])
    # The dry run says the same, and still exits 0 only when apply would go ahead.
    dry = cli("realm", "apply", str(file), "--dry-run")
    assert dry.returncode == 1 and "cli-bot" in dry.stderr, dry.stderr

    forced = cli("realm", "apply", str(file), "--force")
    assert forced.returncode == 0, forced.stderr + forced.stdout
    assert "--force: dropping changes made through the admin API" in forced.stderr
    assert not any(c["client_id"] == "cli-bot" for c in export(cli)["clients"])
    assert token(herald, "apply-bot", NEW_SECRET).status_code == 200

    # Every apply is an audited import.
    audit = cli("audit", "query", "--realm", REALM, "--type", "admin.realm.imported", "--output", "json")
    assert audit.returncode == 0, audit.stderr
    assert audit.stdout.count("admin.realm.imported") == 2, audit.stdout


def test_apply_creates_a_realm_the_server_lacks(world):
    herald, realms, work, cli = world
    file = work / "beta.yaml"
    file.write_text("realm: beta\nclients:\n  - {client_id: beta-bot, subject: agent-beta, auth: client_secret_post,\n"
                    "     secret: beta-bot-secret-0123456789}\ndirectory:\n  static:\n    agents:\n      - {id: agent-beta}\n")
    dry = cli("realm", "apply", str(file), "--dry-run")
    assert dry.returncode == 0 and "+ client beta-bot" in dry.stdout and "+ agent agent-beta" in dry.stdout, dry.stdout
    assert "beta" not in cli("realm", "list", "--output", "json").stdout
    done = cli("realm", "apply", str(file))
    assert done.returncode == 0, done.stderr + done.stdout
    r = requests.post(f"{herald.base}/realms/beta/protocol/openid-connect/token", timeout=10,
                      data={"grant_type": "client_credentials", "client_id": "beta-bot",
                            "client_secret": "beta-bot-secret-0123456789"})
    assert r.status_code == 200, r.text


def test_apply_bad_file_lists_every_problem_with_its_line(world):
    herald, realms, work, cli = world
    bad = work / "bad.yaml"
    bad.write_text("realm: acme\ntoken: {lifetime: forever}\nclients:\n  - client_id: x\n    subject: agent-observer\n    auth: nope\n")
    done = cli("realm", "apply", str(bad))
    assert done.returncode == 1
    assert f"{bad}:2:" in done.stderr and "token.lifetime" in done.stderr, done.stderr
    assert f"{bad}:6:" in done.stderr and "clients[0].auth" in done.stderr, done.stderr


def serve(config: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    log = config.parent / f"serve-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(herald_binary()), "serve", "--config", str(config), *args], stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(config.parent))
    return proc, log


def wait_ready(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if requests.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"not ready: {log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_from_herald_yaml_and_a_flag_overrides_it(tmp_path):
    port, other = free_port(), free_port()
    shutil.copytree(REALMS_DIR, tmp_path / "realms", ignore=shutil.ignore_patterns("ldap"))
    config = tmp_path / "herald.yaml"
    # Relative paths resolve against the file's directory, not the working directory.
    config.write_text(f"""
server:
  listen: 127.0.0.1:{port}
  default_realm: acme
realms:
  directory: realms
storage:
  data_directory: data
logging:
  format: json
""")
    check = subprocess.run([str(herald_binary()), "config", "check", str(config)], capture_output=True, text=True,
                           timeout=30, env={k: v for k, v in os.environ.items() if not k.startswith("HERALD_")})
    assert check.returncode == 0, check.stderr
    assert f"listen: 127.0.0.1:{port}  # file" in check.stdout and "log: durable  # default" in check.stdout, check.stdout

    proc, log = serve(config)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}", log)
        assert (tmp_path / "data" / "herald.sqlite").exists()
        # The host-root discovery answers for default_realm from the file.
        r = requests.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=10)
        assert r.status_code == 200 and r.json()["issuer"].endswith("/realms/acme"), r.text
        assert log.read_text().lstrip().startswith("{"), log.read_text()[:300]  # logging.format: json
    finally:
        stop(proc)

    proc, log = serve(config, "--listen", f"127.0.0.1:{other}")
    try:
        wait_ready(proc, f"http://127.0.0.1:{other}", log)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
    finally:
        stop(proc)


def test_bad_herald_yaml_fails_with_every_problem_and_its_line(tmp_path):
    config = tmp_path / "herald.yaml"
    config.write_text("server:\n  listen: 8080\n  lisen: x\nlogging:\n  level: loud\n")
    for argv in (["serve", "--config", str(config)], ["config", "check", str(config)]):
        done = subprocess.run([str(herald_binary()), *argv], capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert done.returncode != 0, done.stdout
        assert f"{config}:2:11: server.listen: '8080' is not HOST:PORT" in done.stderr, done.stderr
        assert f"{config}:3:3: server.lisen: unknown key (did you mean listen?)" in done.stderr, done.stderr
        assert f"{config}:5:10: logging.level: 'loud' is not allowed" in done.stderr, done.stderr
    env = dict(os.environ, HERALD_CONFIG=str(config))
    done = subprocess.run([str(herald_binary()), "serve"], capture_output=True, text=True, timeout=30, env=env,
                          cwd=tmp_path)
    assert done.returncode != 0 and "server.lisen" in done.stderr, done.stderr
