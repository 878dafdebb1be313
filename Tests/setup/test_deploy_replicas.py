"""Checks of the several-replicas deployment files (issue 14 item 3), in the project venv:

* deploy/kubernetes-postgres, the kustomize overlay of deploy/kubernetes for PostgreSQL: every
  file parses, the kustomization lists every file but its Secret, every manifest validates
  against the Kubernetes schemas (strict), and the Deployment agrees with the base (the
  StatefulSet it deletes, the Service's ports, the Secrets' names and keys, probes on the
  routes Herald serves) and with its PodDisruptionBudget.
* deploy/compose.yaml: the five services with health checks, the replicas on one postgres://
  store with the master key as a secret, nginx's config naming the replicas as compose does,
  every file it mounts or builds from present, its realm file valid for `herald realm
  validate`, and compose/make-secrets.sh writing each secret it names (once).
* deploy/nginx/herald.conf passes `nginx -t` once its upstream hosts resolve.

No container engine or cluster runs here: the topology itself runs from scripts/replicas.sh
in Tests/interop/test_replicas.py.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
BASE = DEPLOY / "kubernetes"
OVERLAY = DEPLOY / "kubernetes-postgres"
COMPOSE = DEPLOY / "compose.yaml"
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]


def herald_binary() -> Path:
    binary = Path(os.environ.get("HERALD_BIN") or REPO / ".build" / "debug" / "herald")
    assert binary.exists(), f"herald binary not found at {binary}: run `swift build --product herald` or set HERALD_BIN"
    return binary


def documents(directory: Path) -> dict[str, list]:
    return {p.name: [d for d in yaml.safe_load_all(p.read_text()) if d is not None]
            for p in sorted(directory.glob("*.yaml"))}


def resources(directory: Path) -> dict[tuple[str, str], dict]:
    found = {}
    for name, docs in documents(directory).items():
        for doc in docs:
            if isinstance(doc, dict) and "kind" in doc and name != "kustomization.yaml" and "$patch" not in doc:
                found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def deployment() -> dict:
    return resources(OVERLAY)[("Deployment", "herald")]


def container() -> dict:
    (only,) = deployment()["spec"]["template"]["spec"]["containers"]
    return only


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


# --- Kubernetes -------------------------------------------------------------------------------

def test_the_overlay_lists_every_file_but_its_secret():
    kustomization = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"]) | {p["path"] for p in kustomization["patches"]}
    files = set(documents(OVERLAY)) - {"kustomization.yaml"}
    secrets = {name for name, docs in documents(OVERLAY).items()
               if any(isinstance(d, dict) and d.get("kind") == "Secret" for d in docs)}
    assert secrets == {"secret-store.yaml"}
    assert listed - {"../kubernetes"} == files - secrets, \
        "deploy/kubernetes-postgres/kustomization.yaml must list every file except the Secret"
    assert "../kubernetes" in kustomization["resources"] and (BASE / "kustomization.yaml").exists()


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_overlay_manifest_validates_against_the_kubernetes_schema(version):
    checked = 0
    for (kind, name), doc in resources(OVERLAY).items():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{kind} {name} is not valid Kubernetes {version}: {error.message} at "
                        f"{'.'.join(map(str, error.path))}")
        checked += 1
    assert checked == 3  # Deployment, PodDisruptionBudget, Secret


def test_the_overlay_replaces_the_statefulset_and_reaches_postgres():
    (delete,) = documents(OVERLAY)["delete-statefulset.yaml"]
    assert delete["$patch"] == "delete"
    assert ("StatefulSet", delete["metadata"]["name"]) in resources(BASE)
    (operation,) = documents(OVERLAY)["networkpolicy-postgres.yaml"][0]
    assert operation["op"] == "add" and operation["path"] == "/spec/egress/-"
    assert {"port": 5432, "protocol": "TCP"} in operation["value"]["ports"]
    kustomization = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    target = next(p["target"] for p in kustomization["patches"] if p["path"] == "networkpolicy-postgres.yaml")
    assert (target["kind"], target["name"]) in resources(BASE)


def test_the_deployment_runs_two_replicas_with_a_disruption_budget():
    spec = deployment()["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pdb = resources(OVERLAY)[("PodDisruptionBudget", "herald")]["spec"]
    assert pdb["selector"]["matchLabels"].items() <= labels.items()
    assert 1 <= pdb["minAvailable"] < spec["replicas"]
    service = resources(BASE)[("Service", "herald")]["spec"]
    assert service["selector"].items() <= labels.items()
    assert {p["targetPort"] for p in service["ports"]} <= {p["name"] for p in container()["ports"]}


def test_the_deployment_reads_the_store_and_the_master_key_from_secrets():
    env = {e["name"]: e for e in container()["env"]}
    store = env["HERALD_STORE"]["valueFrom"]["secretKeyRef"]
    secret = resources(OVERLAY)[("Secret", store["name"])]
    assert store["key"] in secret["stringData"]
    # The placeholder is refused at start: it is not a store URL.
    assert not re.match(r"^(postgres|postgresql|sqlite):", secret["stringData"][store["key"]])
    key_file = Path(env["HERALD_MASTER_KEY_FILE"]["value"])
    mounts = {m["name"]: m for m in container()["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment()["spec"]["template"]["spec"]["volumes"]}
    (mount,) = [m for m in mounts.values() if m["mountPath"] == str(key_file.parent)]
    master = resources(BASE)[("Secret", volumes[mount["name"]]["secret"]["secretName"])]
    assert key_file.name in master["stringData"]
    # No data volume claim: the database holds the state.
    assert "emptyDir" in volumes[next(n for n, m in mounts.items() if m["mountPath"] == "/var/lib/herald")]


def test_the_probes_use_routes_herald_serves():
    routes = set(re.findall(r'routes\.get\("(health/[a-z]+)"',
                            (REPO / "Sources/HeraldServer/Endpoints/HealthEndpoint.swift").read_text()))
    assert routes == {"health/live", "health/ready"}
    c = container()
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert c["startupProbe"]["httpGet"]["path"] == "/health/live"
    ports = {p["name"] for p in c["ports"]}
    assert {c[p]["httpGet"]["port"] for p in ("readinessProbe", "livenessProbe", "startupProbe")} <= ports


def test_the_deployment_keeps_the_base_pods_hardening():
    base = resources(BASE)[("StatefulSet", "herald")]["spec"]["template"]["spec"]
    pod = deployment()["spec"]["template"]["spec"]
    (base_container,) = base["containers"]
    for key in ("serviceAccountName", "automountServiceAccountToken", "terminationGracePeriodSeconds"):
        assert pod[key] == base[key], key
    assert pod["securityContext"]["runAsUser"] == base["securityContext"]["runAsUser"]
    assert container()["securityContext"] == base_container["securityContext"]
    assert container()["command"] == base_container["command"]


# --- compose ----------------------------------------------------------------------------------

def test_compose_has_the_five_services_with_health_checks():
    services = compose()["services"]
    assert set(services) == {"postgres", "openldap", "herald-a", "herald-b", "nginx"}
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for replica in ("herald-a", "herald-b"):
        assert "/health/ready" in " ".join(services[replica]["healthcheck"]["test"])
    assert services["herald-b"]["depends_on"]["herald-a"]["condition"] == "service_healthy", \
        "replica b must wait for a, which creates the master realm on an empty database"
    for dependency in ("herald-a", "herald-b"):
        assert services["nginx"]["depends_on"][dependency]["condition"] == "service_healthy"


def test_compose_replicas_share_one_store_and_the_master_key_secret():
    doc = compose()
    a, b = doc["services"]["herald-a"], doc["services"]["herald-b"]
    assert a["environment"] == b["environment"]
    env = a["environment"]
    assert env["HERALD_STORE"].startswith("postgres://") and "@postgres:5432/" in env["HERALD_STORE"]
    assert ":" not in env["HERALD_STORE"].split("//", 1)[1].split("@", 1)[0], "the password belongs in a secret"
    assert env["HERALD_MASTER_KEY_FILE"] == "/run/secrets/master-key"
    for replica in (a, b):
        assert {"master-key", "postgres-password"} <= set(replica["secrets"])
        assert any(v.endswith(":/var/lib/herald") for v in replica["volumes"])
    assert a["volumes"] != b["volumes"], "each replica has its own data volume"
    assert "/run/secrets/postgres-password" in " ".join(a["entrypoint"])
    nginx = doc["services"]["nginx"]
    published = nginx["ports"][0].rsplit(":", 2)
    assert env["HERALD_PUBLIC_URL"] == f"http://{published[0]}:{published[1]}"
    assert env["HERALD_TRUSTED_PROXIES"] == nginx["networks"]["herald"]["ipv4_address"]


def test_compose_nginx_config_names_the_compose_replicas():
    doc = compose()
    (mount,) = doc["services"]["nginx"]["volumes"]
    source = (DEPLOY / mount.split(":")[0]).resolve()
    assert source == DEPLOY / "nginx" / "herald.conf"
    text = source.read_text()
    upstreams = re.findall(r"^\s*server\s+([a-z0-9-]+):(\d+)\b", text, re.M)
    assert sorted(upstreams) == [("herald-a", "8080"), ("herald-b", "8080")]
    assert set(h for h, _ in upstreams) <= set(doc["services"])
    assert re.search(r"^\s*listen 8080;", text, re.M)
    assert doc["services"]["nginx"]["ports"][0].endswith(":8080")


def test_compose_files_it_builds_from_and_mounts_exist():
    doc = compose()
    for name, service in doc["services"].items():
        if "build" in service:
            context = (DEPLOY / service["build"]["context"]).resolve()
            dockerfile = context / service["build"]["dockerfile"]
            assert dockerfile.exists(), f"{name}: {dockerfile}"
            for line in dockerfile.read_text().splitlines():
                if line.startswith("COPY ") and "--from" not in line:
                    for src in line.split()[1:-1]:
                        assert list(context.glob(src)), f"{name}: {dockerfile.name} copies {src}, which is missing"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name} mounts {source}, which is missing"
    script = (DEPLOY / "compose" / "make-secrets.sh").read_text()
    for name, secret in doc["secrets"].items():
        assert secret["file"] == f"./compose/secrets/{name}"
        assert name in script, f"compose/make-secrets.sh does not write {name}"
    assert "secrets/" in (DEPLOY / "compose" / ".gitignore").read_text()


def test_make_secrets_writes_every_secret_once(tmp_path):
    work = tmp_path / "compose"
    work.mkdir()
    shutil.copy(DEPLOY / "compose" / "make-secrets.sh", work / "make-secrets.sh")
    subprocess.run(["sh", str(work / "make-secrets.sh")], check=True, capture_output=True, timeout=30)
    secrets = work / "secrets"
    assert set(p.name for p in secrets.iterdir()) == set(compose()["secrets"])
    assert secrets.stat().st_mode & 0o777 == 0o700
    assert len(base64.b64decode((secrets / "master-key").read_text().strip(), validate=True)) == 32
    first = {p.name: p.read_text() for p in secrets.iterdir()}
    assert all(len(v) >= 16 for v in first.values())
    subprocess.run(["sh", str(work / "make-secrets.sh")], check=True, capture_output=True, timeout=30)
    assert {p.name: p.read_text() for p in secrets.iterdir()} == first, "a second run must keep the secrets"


def test_the_compose_realm_is_valid_with_its_secrets_mounted(tmp_path):
    """The realm file as the replicas read it, with /run/secrets/ pointing at files here."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in compose()["secrets"]:
        (secrets / name).write_text("compose-check-secret-0123456789\n")
    realms = tmp_path / "realms"
    realms.mkdir()
    for path in (DEPLOY / "compose" / "realms").glob("*.yaml"):
        text = path.read_text()
        assert "/run/secrets/" in text
        (realms / path.name).write_text(text.replace("/run/secrets/", f"{secrets}/"))
    files = sorted(str(p) for p in realms.glob("*.yaml"))
    assert files
    result = subprocess.run([str(herald_binary()), "realm", "validate", *files], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    default = compose()["services"]["herald-a"]["environment"]["HERALD_DEFAULT_REALM"]
    assert default in {yaml.safe_load(Path(f).read_text())["realm"] for f in files}
    assert "ldap://openldap:1389" in (DEPLOY / "compose" / "realms" / "acme-ldap.yaml").read_text()


def test_the_nginx_config_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed: scripts/install-deps.sh --test"
    conf = (DEPLOY / "nginx" / "herald.conf").read_text().replace("herald-a:", "127.0.0.1:").replace(
        "herald-b:", "127.0.0.2:")
    (tmp_path / "herald.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; "
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s; "
        f"include {tmp_path}/herald.conf; }}\n")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
