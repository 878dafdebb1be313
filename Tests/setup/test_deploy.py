"""Checks of deploy/: the Kubernetes manifests, the environment file, the systemd unit and the
image's runtime packages (make test-setup, in the project venv).

* Every manifest validates against the Kubernetes schemas (kubernetes-validate, strict, the
  oldest and newest versions it carries that we support), the kustomization lists exactly the
  files there are, and the manifests agree with each other and with Herald (names, labels,
  mount paths, probes on routes Herald serves, a restricted security context).
* A real ``herald serve`` started the way the StatefulSet starts it (its command line, its
  ConfigMap's variables, its realm file, a master key where the Secret is mounted) gets ready
  and issues a token with the issuer from HERALD_PUBLIC_URL; with the placeholder Secrets it
  refuses to start.
* deploy/herald.env.example names every HERALD_* variable that ``herald serve`` reads, and
  only those; the systemd unit passes ``systemd-analyze verify`` and ``security``.
* The Dockerfile's runtime packages (and deploy/README.md's apt-get line) provide every
  library the binary links outside the Swift runtime.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import kubernetes_validate
import pytest
import requests
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "kubernetes"
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]
# Variables read by the admin CLI on an operator's machine, not by the server.
CLI_ONLY = {"HERALD_SERVER", "HERALD_REALM", "HERALD_CACERT", "HERALD_CLIENT_CERT", "HERALD_CLIENT_KEY"}
# Read only by the fuzz harness, never by herald.
NOT_HERALD = {"HERALD_FUZZ_SECRET"}


def herald_binary() -> Path:
    binary = Path(os.environ.get("HERALD_BIN") or REPO / ".build" / "debug" / "herald")
    assert binary.exists(), f"herald binary not found at {binary}: run `swift build --product herald` or set HERALD_BIN"
    return binary


def manifests() -> dict[str, list[dict]]:
    """file name -> its documents."""
    return {p.name: [d for d in yaml.safe_load_all(p.read_text()) if d]
            for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"}


def resources() -> dict[tuple[str, str], dict]:
    """(kind, name) -> the resource."""
    found = {}
    for docs in manifests().values():
        for doc in docs:
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def statefulset() -> dict:
    return resources()[("StatefulSet", "herald")]


def container() -> dict:
    (only,) = statefulset()["spec"]["template"]["spec"]["containers"]
    return only


# --- Kubernetes manifests -------------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_against_the_kubernetes_schema(version):
    for name, docs in manifests().items():
        for doc in docs:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{name}: {doc['kind']} {doc['metadata']['name']} is not valid Kubernetes {version}: "
                            f"{error.message} at {'.'.join(map(str, error.path))}")


def test_the_schema_check_refuses_a_wrong_field():
    """The validator is not a no-op: a misspelt field and a wrong type are refused."""
    wrong = yaml.safe_load(yaml.safe_dump(statefulset()))
    wrong["spec"]["replica"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, KUBERNETES_VERSIONS[-1], strict=True)
    wrong = yaml.safe_load(yaml.safe_dump(statefulset()))
    wrong["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_kustomization_lists_every_manifest_but_the_secrets():
    """Re-applying the directory must never put the placeholder master key over the real one."""
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    secrets = sorted(name for name, docs in manifests().items() if any(d["kind"] == "Secret" for d in docs))
    assert secrets == ["secret-master-key.yaml", "secret-realm-secrets.yaml"]
    assert sorted(listed) == sorted(set(manifests()) - set(secrets)), \
        "deploy/kubernetes/kustomization.yaml must list every manifest except the Secrets"


def test_the_manifests_cover_what_a_deployment_needs():
    kinds = {kind for kind, _ in resources()}
    assert {"Namespace", "ServiceAccount", "Secret", "ConfigMap", "StatefulSet", "Service",
            "NetworkPolicy"} <= kinds
    namespaced = [r for (kind, _), r in resources().items() if kind != "Namespace"]
    assert {r["metadata"].get("namespace") for r in namespaced} == {"herald"}


def test_the_manifests_refer_to_each_other():
    res = resources()
    sts = statefulset()
    pod = sts["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert sts["spec"]["replicas"] == 1, "one pod per SQLite database"
    assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert ("Service", sts["spec"]["serviceName"]) in res
    service = res[("Service", sts["spec"]["serviceName"])]
    assert service["spec"]["selector"].items() <= labels.items()
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= {p["name"] for p in container()["ports"]}
    policy = res[("NetworkPolicy", "herald")]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]} == \
        {p["containerPort"] for p in container()["ports"]}
    assert ("ServiceAccount", pod["spec"]["serviceAccountName"]) in res
    for source in container().get("envFrom", []):
        assert ("ConfigMap", source["configMapRef"]["name"]) in res
    for variable in container().get("env", []):
        if "valueFrom" in variable:
            ref = variable["valueFrom"]["secretKeyRef"]
            secret = res[("Secret", ref["name"])]
            assert ref["key"] in secret["stringData"], f"{ref['name']} has no key {ref['key']}"
    for volume in pod["spec"]["volumes"]:
        if "configMap" in volume:
            assert ("ConfigMap", volume["configMap"]["name"]) in res
        if "secret" in volume:
            assert ("Secret", volume["secret"]["secretName"]) in res
    mounted = {m["name"] for m in container()["volumeMounts"]}
    declared = {v["name"] for v in pod["spec"]["volumes"]} | \
        {t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]}
    assert mounted == declared


def mount_path(volume: str) -> str:
    (path,) = [m["mountPath"] for m in container()["volumeMounts"] if m["name"] == volume]
    return path


def flag(name: str) -> str:
    command = container()["command"]
    return command[command.index(name) + 1]


def test_the_data_directory_is_the_persistent_volume_and_the_key_file_the_secret():
    assert flag("--data") == mount_path("data")
    assert flag("--realms") == mount_path("realms")
    env = {v["name"]: v.get("value") for v in container()["env"]}
    key_file = Path(env["HERALD_MASTER_KEY_FILE"])
    assert str(key_file.parent) == mount_path("master-key")
    assert key_file.name in resources()[("Secret", "herald-master-key")]["stringData"]
    assert not key_file.is_relative_to(mount_path("data")), "the master key stays off the data volume"


def test_probes_ask_routes_that_herald_serves():
    probes = {kind: container()[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"]["path"] == "/health/live"
    assert probes["readinessProbe"]["path"] == "/health/ready"
    routes = (REPO / "Sources/HeraldServer/Endpoints/HealthEndpoint.swift").read_text()
    for probe in probes.values():
        assert f'"{probe["path"].lstrip("/")}"' in routes, f"Herald serves no {probe['path']}"
        assert probe["port"] in {p["name"] for p in container()["ports"]}


def test_the_admin_api_stays_on_loopback_and_metrics_have_their_port():
    env = resources()[("ConfigMap", "herald-env")]["data"]
    assert env["HERALD_ADMIN_LISTEN"].startswith("127.0.0.1:"), "the admin API must not listen on the pod network"
    metrics_port = int(env["HERALD_METRICS_LISTEN"].rsplit(":", 1)[1])
    ports = {p["name"]: p["containerPort"] for p in container()["ports"]}
    assert ports["metrics"] == metrics_port
    assert ports["http"] == int(flag("--listen").rsplit(":", 1)[1])
    annotations = statefulset()["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics_port)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_the_pod_runs_restricted():
    pod = statefulset()["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001, "the image's herald user"
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    security = container()["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    resources_ = container()["resources"]
    assert {"cpu", "memory"} <= resources_["requests"].keys() and "memory" in resources_["limits"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"useradd .*--uid 10001", dockerfile), "the Dockerfile's herald user is uid 10001"


def test_every_variable_the_manifests_set_is_one_herald_reads():
    env_names = set(resources()[("ConfigMap", "herald-env")]["data"]) | {v["name"] for v in container()["env"]}
    realm_env = set(re.findall(r"secret_env: (\S+)", resources()[("ConfigMap", "herald-realms")]["data"]["example.yaml"]))
    unknown = {n for n in env_names - realm_env if n not in server_variables()}
    assert not unknown, f"the manifests set variables herald serve does not read: {sorted(unknown)}"


# --- a real herald, started as the StatefulSet starts it -------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LISTENERS = ("HERALD_ADMIN_LISTEN", "HERALD_METRICS_LISTEN")


def start_like_the_pod(tmp_path: Path, master_key: str, realm_secret: str) -> tuple[subprocess.Popen, str, Path]:
    """The StatefulSet's command, env and files, with its paths moved under tmp_path and its
    listeners on free loopback ports (their URLs in ``proc.listeners`` by variable)."""
    res = resources()
    paths = {mount_path(v): tmp_path / v for v in ("data", "realms", "master-key", "tmp")}
    for directory in paths.values():
        directory.mkdir(mode=0o700)
    for name, text in res[("ConfigMap", "herald-realms")]["data"].items():
        (paths[mount_path("realms")] / name).write_text(text)
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(paths[mount_path("tmp")])}
    env.update(res[("ConfigMap", "herald-env")]["data"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env["HERALD_PUBLIC_URL"] = base
    for variable in LISTENERS:
        if variable in env:
            env[variable] = f"127.0.0.1:{free_port()}"
    for variable in container()["env"]:
        if "value" in variable:
            value = variable["value"]
            for mount, local in paths.items():
                if value == mount or value.startswith(mount + "/"):
                    value = str(local) + value[len(mount):]
                    break
            env[variable["name"]] = value
        else:
            env[variable["name"]] = realm_secret
    key_file = Path(env["HERALD_MASTER_KEY_FILE"])
    key_file.write_text(master_key)
    key_file.chmod(0o400)
    command = [str(herald_binary())] + container()["command"][1:]
    command = [str(paths.get(arg, arg)) for arg in command]
    command[command.index("--listen") + 1] = f"127.0.0.1:{port}"
    log = tmp_path / "herald.log"
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    proc.listeners = {name: f"http://{env[name]}" for name in LISTENERS if name in env}
    return proc, base, log


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_herald_started_like_the_pod_is_ready_and_issues_tokens(tmp_path):
    secret = os.urandom(24).hex()  # as `openssl rand -hex 24` makes it (secret-realm-secrets.yaml)
    proc, base, log = start_like_the_pod(tmp_path, base64.b64encode(os.urandom(32)).decode() + "\n", secret)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"herald exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            try:
                if requests.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"not ready in 60 s:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
        assert requests.get(f"{base}/health/live", timeout=5).status_code == 200
        issuer = f"{base}/realms/example"
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
        assert discovery["issuer"] == issuer
        answer = requests.post(discovery["token_endpoint"], data={"grant_type": "client_credentials"},
                               auth=("reporting-bot", secret), timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["token_type"].lower() == "bearer"

        # The admin API and /metrics are off the public port, on their own listeners.
        admin, metrics = proc.listeners["HERALD_ADMIN_LISTEN"], proc.listeners["HERALD_METRICS_LISTEN"]
        assert requests.get(f"{base}/admin/realms", timeout=5).status_code == 404
        assert requests.get(f"{base}/metrics", timeout=5).status_code == 404
        assert requests.get(f"{admin}/admin/realms", timeout=5).status_code == 401
        scraped = requests.get(f"{metrics}/metrics", timeout=5)
        assert scraped.status_code == 200 and "herald_" in scraped.text
    finally:
        stop(proc)


@pytest.mark.parametrize("which", ["master-key", "realm-secret"])
def test_the_placeholder_secrets_keep_herald_from_starting(tmp_path, which):
    res = resources()
    placeholder_key = res[("Secret", "herald-master-key")]["stringData"]["master-key"]
    placeholder_secret = res[("Secret", "herald-realm-secrets")]["stringData"]["REPORTING_BOT_SECRET"]
    good_key = base64.b64encode(os.urandom(32)).decode()
    good_secret = os.urandom(24).hex()  # as `openssl rand -hex 24` makes it (secret-realm-secrets.yaml)
    proc, _, log = start_like_the_pod(tmp_path, placeholder_key if which == "master-key" else good_key,
                                      placeholder_secret if which == "realm-secret" else good_secret)
    try:
        code = proc.wait(timeout=60)
    finally:
        stop(proc)
    text = log.read_text()
    assert code != 0, f"herald started with the placeholder {which}:\n{text[-2000:]}"
    expected = "master key" if which == "master-key" else "shorter than 16 characters"
    assert expected in text, text[-2000:]


# --- the environment file ------------------------------------------------------------------

def server_variables() -> set[str]:
    """Every HERALD_* name that a string literal in Sources/ spells (comments aside: they may say
    HERALD_X), less the CLI's and the fuzzer's."""
    names = set()
    for path in (REPO / "Sources").rglob("*.swift"):
        code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("//")]
        names |= set(re.findall(r'"(HERALD_[A-Z0-9_]+)"', "\n".join(code)))
    return names - CLI_ONLY - NOT_HERALD


def example_variables() -> dict[str, str]:
    """name -> the comment block above it, for every KEY= or #KEY= line of the example (a pair
    such as HERALD_TLS_CERT and HERALD_TLS_KEY, on consecutive lines, shares one)."""
    found, comment, previous = {}, [], ""
    for line in (DEPLOY / "herald.env.example").read_text().splitlines():
        match = re.match(r"#?(HERALD_[A-Z0-9_]+)=", line)
        if match:
            previous = "\n".join(comment) if comment else previous
            found[match.group(1)] = previous
            comment = []
        elif line.startswith("#"):
            comment.append(line)
        else:
            comment, previous = [], ""
    return found


def test_the_environment_file_names_every_variable_herald_serve_reads():
    assert "HERALD_AUDIT_LOG" in server_variables()
    missing = server_variables() - example_variables().keys()
    assert not missing, f"add {sorted(missing)} to deploy/herald.env.example (with a comment: what, flag, default)"
    stale = example_variables().keys() - server_variables()
    assert not stale, f"deploy/herald.env.example names variables Herald does not read: {sorted(stale)}"
    for name, comment in example_variables().items():
        assert "default" in comment or "flag:" in comment, f"{name}: say its flag and default in the comment above it"


def test_the_environment_file_is_systemd_syntax():
    for number, line in enumerate((DEPLOY / "herald.env.example").read_text().splitlines(), 1):
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s\"'$`]*", line), f"herald.env.example:{number}: {line!r}"


# --- the systemd unit ----------------------------------------------------------------------

def unit_with_real_binary(tmp_path: Path) -> Path:
    """systemd-analyze checks that ExecStart exists: point it at the built binary."""
    unit = tmp_path / "herald.service"
    unit.write_text((DEPLOY / "herald.service").read_text().replace("/usr/local/bin/herald", str(herald_binary())))
    return unit


def test_the_systemd_unit_verifies(tmp_path):
    unit = unit_with_real_binary(tmp_path)
    run = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    # verify only warns (exit 0) about unknown keys: any output is a finding.
    assert run.returncode == 0 and not (run.stdout + run.stderr).strip(), run.stdout + run.stderr
    bad = tmp_path / "bad" / "herald.service"
    bad.parent.mkdir()
    bad.write_text(unit.read_text().replace("PrivateUsers=yes", "PrivateUsrs=yes"))
    run = subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert "PrivateUsrs" in run.stdout + run.stderr, "systemd-analyze verify no longer reports unknown keys"


def test_the_systemd_unit_is_sandboxed(tmp_path):
    unit = unit_with_real_binary(tmp_path)
    run = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)],
                         capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for herald.service: (\d+\.\d+)", run.stdout)
    assert match, run.stdout[-2000:] + run.stderr
    assert float(match.group(1)) <= 2.0, f"exposure {match.group(1)} (deploy/README.md says about 1.4)"


# --- the image's runtime packages ----------------------------------------------------------

def dockerfile_runtime_packages() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text().split("# ---------- runtime ----------", 1)[1]
    command = re.search(r"apt-get install -y --no-install-recommends((?:[^&]|\\\n)*)&&", text).group(1)
    return command.replace("\\", " ").split()


def test_the_image_build_copies_every_directory_the_package_names():
    """SwiftPM refuses a manifest whose target path is missing, even to build only herald."""
    manifest = (REPO / "Package.swift").read_text()
    named = {"Sources", "Tests"} | {p.split("/")[0] for p in re.findall(r'path: "([^"]+)"', manifest)}
    build_stage = (DEPLOY / "Dockerfile").read_text().split("# ---------- runtime ----------", 1)[0]
    copied = set(re.findall(r"^COPY (\S+) ", build_stage, re.MULTILINE))
    assert named <= copied, f"deploy/Dockerfile's build stage must COPY {sorted(named - copied)}"


def test_the_image_build_installs_the_libraries_the_build_needs():
    printed = subprocess.run([str(REPO / "scripts/install-deps.sh"), "--print-packages"],
                             capture_output=True, text=True, check=True, timeout=30).stdout.split()
    needed = {p for p in printed if p.endswith("-dev")}
    assert {"libldap2-dev", "libsqlite3-dev"} <= needed
    build_stage = (DEPLOY / "Dockerfile").read_text().split("# ---------- runtime ----------", 1)[0]
    command = re.search(r"apt-get install -y --no-install-recommends((?:[^&]|\\\n)*)&&", build_stage)
    assert command, "deploy/Dockerfile's build stage installs no packages"
    missing = needed - set(command.group(1).replace("\\", " ").split())
    assert not missing, f"deploy/Dockerfile's build stage must apt-get install {sorted(missing)}"


def dependency_closure(packages: list[str]) -> set[str]:
    run = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
                         capture_output=True, text=True, timeout=120, check=True)
    names = {line.split(":")[-1].strip().strip("<>") for line in run.stdout.splitlines()}
    return {name.split(":")[0] for name in names if name}


def linked_packages() -> dict[str, str]:
    """package -> library, for every library the binary links outside the Swift toolchain."""
    run = subprocess.run(["ldd", str(herald_binary())], capture_output=True, text=True, timeout=60, check=True)
    found = {}
    for line in run.stdout.splitlines():
        match = re.search(r"=> (/\S+)", line)
        if not match or "/swift/" in match.group(1):
            continue  # the Swift runtime is linked statically into the image's release build
        library = match.group(1)
        owner = None
        for candidate in (library, "/usr" + library, library.removeprefix("/usr")):
            query = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if query.returncode == 0:
                owner = query.stdout.split(":")[0]
                break
        assert owner, f"no Debian package owns {library}"
        found[owner] = library
    return found


def test_the_image_installs_every_library_herald_links():
    assert shutil.which("apt-cache") and shutil.which("dpkg"), "this check needs Debian's apt-cache and dpkg"
    # Only the library packages count: curl (the HEALTHCHECK) also pulls in libldap, but the
    # binary must not depend on a tool that may be dropped from the image.
    listed = [p for p in dockerfile_runtime_packages() if p not in {"ca-certificates", "curl", "tzdata"}]
    assert "libldap-2.5-0" in listed and "libsqlite3-0" in listed
    closure = dependency_closure(listed)
    missing = {pkg: lib for pkg, lib in linked_packages().items() if pkg not in closure}
    assert not missing, f"deploy/Dockerfile's runtime stage lacks packages for {missing}"


def test_the_readme_installs_the_same_runtime_libraries():
    readme = (DEPLOY / "README.md").read_text()
    line = re.search(r"apt-get install -y ([^\n]*libsqlite3-0[^\n]*)", readme)
    assert line, "deploy/README.md: no apt-get line for the runtime libraries"
    libraries = [p for p in dockerfile_runtime_packages() if p.startswith("lib")]
    assert set(libraries) <= set(line.group(1).split()), f"deploy/README.md should install {libraries}"
