"""The Kubernetes manifests in deploy/k8s/ (the base and the production overlay), checked offline,
and the settings they pass.

Every resource is validated with kubernetes-validate, which ships the Kubernetes JSON schemas
inside the package, against one pinned Kubernetes version (``KUBERNETES_VERSION``) in strict mode
(unknown fields are errors), with sockets blocked in this process. ``kubectl kustomize``, where
the machine has kubectl, renders the base and the overlay in a network namespace of its own.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import kubernetes_validate
import pytest
import yaml

from clearstone_api.settings import SECRETS_DIR_ENV, Settings
from tests.deploy.deployfiles import (
    COMPOSE,
    K8S,
    KUBERNETES_VERSION,
    NAMESPACE,
    OPERATIONS,
    OVERLAY,
    PLACEHOLDER,
    SECRET_TEMPLATE,
    Manifest,
    compose,
    container,
    containers,
    dockerfile_user,
    documents,
    image_is_pinned,
    kinds,
    load_all,
    manifest_files,
    one,
    pod_spec,
    run_offline,
    tool,
    validate,
)

PENDING_SETTINGS: set[str] = set()
"""Settings the deploy files pass already but settings.py does not define yet. Drop a name from
here once Settings has the field."""

API = "api"
SECRET_VOLUMES = {"clearstone-env", "clearstone-keys"}


def _api() -> Manifest:
    return one("Deployment", "clearstone-api")


def _worker() -> Manifest:
    return one("Deployment", "clearstone-worker")


def _workloads() -> list[Manifest]:
    return [_api(), _worker(), one("Job")]


# --- schemas ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "manifest"), documents(), ids=[name for name, _ in documents()])
@pytest.mark.usefixtures("no_network")
def test_manifest_validates_against_the_pinned_kubernetes_schemas(
    name: str, manifest: Manifest
) -> None:
    assert validate(manifest) == KUBERNETES_VERSION, name


@pytest.mark.usefixtures("no_network")
def test_the_validator_rejects_what_kubernetes_would() -> None:
    """A control: the validator is live, strict, and fails on a kind it has no schema for."""
    typo = copy.deepcopy(_api())
    container(typo, API)["securityContext"]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError, match="readOnlyRootFileSystem"):
        validate(typo)

    wrong_type = copy.deepcopy(_api())
    container(wrong_type, API)["livenessProbe"]["periodSeconds"] = "ten"
    with pytest.raises(kubernetes_validate.ValidationError, match="ten"):
        validate(wrong_type)

    unknown = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "x"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(unknown)


def test_every_manifest_is_in_the_kustomization_except_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = kustomization["resources"]
    assert all((K8S / entry).is_file() for entry in listed), listed
    assert SECRET_TEMPLATE not in listed, "applying placeholder Secrets would overwrite real ones"
    assert sorted([*listed, SECRET_TEMPLATE]) == sorted(p.name for p in manifest_files())
    images = {image["name"] for image in kustomization["images"]}
    assert {container(w)["image"].split(":")[0] for w in _workloads()} <= images


def _render(directory: Any) -> list[Manifest]:
    kubectl = tool("kubectl")
    assert kubectl is not None
    rendered = run_offline([kubectl, "kustomize", str(directory)])
    assert rendered.returncode == 0, rendered.stderr
    return [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]


@pytest.mark.skipif(tool("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.usefixtures("no_network")
def test_kustomize_renders_valid_manifests_offline_all_in_the_namespace() -> None:
    docs = _render(K8S)
    assert sorted(doc["kind"] for doc in docs) == sorted(
        ["Namespace", "ConfigMap", "Service", "Ingress", "Job"]
        + ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"] * 2
        + ["NetworkPolicy"] * len(kinds("NetworkPolicy"))
    )
    for doc in docs:
        assert validate(doc) == KUBERNETES_VERSION
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]
    workloads = [doc for doc in docs if doc["kind"] in ("Deployment", "Job")]
    images = {c["image"] for doc in workloads for c in containers(doc)}
    assert len(images) == 1, "the Job and the Deployments ship the same release"
    assert all(image_is_pinned(image) for image in images), images


@pytest.mark.skipif(tool("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.usefixtures("no_network")
def test_the_production_overlay_pins_every_image_by_digest() -> None:
    docs = _render(OVERLAY)
    for doc in docs:
        assert validate(doc) == KUBERNETES_VERSION
    images = {
        c["image"] for doc in docs if doc["kind"] in ("Deployment", "Job") for c in containers(doc)
    }
    assert len(images) == 1, images
    (image,) = images
    name, _, digest = image.partition("@sha256:")
    assert len(digest) == 64 and int(digest, 16) >= 0, image
    assert ":" not in name.rsplit("/", 1)[-1], "a digest, not a tag as well"


# --- behaviour --------------------------------------------------------------------------------


def test_probes_point_at_healthz_and_readyz_on_the_served_port() -> None:
    api = container(_api(), API)
    assert {port["name"]: port["containerPort"] for port in api["ports"]} == {"http": 8000}
    probes = {kind: api[f"{kind}Probe"]["httpGet"] for kind in ("startup", "liveness", "readiness")}
    assert probes["startup"]["path"] == "/healthz"
    assert probes["liveness"]["path"] == "/healthz"
    assert probes["readiness"]["path"] == "/readyz"
    assert all(probe["port"] == "http" for probe in probes.values())


def test_the_namespace_enforces_pod_security_restricted() -> None:
    namespace = one("Namespace")
    assert namespace["metadata"]["name"] == NAMESPACE
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert kustomization["namespace"] == NAMESPACE


def test_pods_meet_pod_security_restricted() -> None:
    """What the "restricted" profile checks, so that admission never refuses a rollout."""
    uid = dockerfile_user()
    for workload in _workloads():
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == uid != 0
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        assert not {"hostNetwork", "hostPID", "hostIPC"} & pod.keys()
        for volume in pod["volumes"]:
            assert volume.keys() - {"name"} <= {"emptyDir", "secret", "configMap", "projected"}
        for each in pod["containers"]:
            context = each["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context.get("privileged", False) is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert "add" not in context["capabilities"]
            assert context.get("runAsUser", uid) != 0
            mounts = {mount["mountPath"] for mount in each["volumeMounts"]}
            assert "/tmp" in mounts, "a read-only root still needs a writable /tmp"
            assert each["resources"]["requests"]
            assert each["resources"]["limits"]


def test_credentials_are_mounted_files_never_environment_variables() -> None:
    configmap = one("ConfigMap")
    secrets = {doc["metadata"]["name"] for doc in load_all(K8S / SECRET_TEMPLATE)}
    assert secrets == SECRET_VOLUMES
    for workload in _workloads():
        each = container(workload)
        assert each["envFrom"] == [{"configMapRef": {"name": configmap["metadata"]["name"]}}]
        for entry in each.get("env", []):
            assert "secretKeyRef" not in entry.get("valueFrom", {}), entry["name"]
        volumes = {v["name"]: v["secret"] for v in pod_spec(workload)["volumes"] if "secret" in v}
        assert {v["secretName"] for v in volumes.values()} <= secrets
        for volume in volumes.values():
            assert volume["defaultMode"] == 0o440, "group-readable (fsGroup) and no one else"
        mounts = {m["name"]: m for m in each["volumeMounts"] if m["name"] in volumes}
        assert all(mount["readOnly"] for mount in mounts.values())
        paths = {volumes[name]["secretName"]: m["mountPath"] for name, m in mounts.items()}
        assert paths["clearstone-env"] == configmap["data"]["CLEARSTONE_SECRETS_DIR"]
    data = configmap["data"]
    keys_dir = container(_api())["volumeMounts"]
    keys_path = next(m["mountPath"] for m in keys_dir if m["name"] == "keys")
    assert data["CLEARSTONE_SIGNING_KEYS_FILE"] == f"{keys_path}/signing_keys"
    assert data["CLEARSTONE_CLIENT_SECRET_PEPPER_FILE"] == f"{keys_path}/client_secret_pepper"
    assert "signing-keys" not in str(pod_spec(one("Job"))["volumes"])
    assert "keys" not in {v["name"] for v in pod_spec(one("Job"))["volumes"]}


def test_the_secret_template_holds_placeholders_only() -> None:
    for secret in load_all(K8S / SECRET_TEMPLATE):
        assert secret["kind"] == "Secret"
        assert secret["metadata"]["namespace"] == NAMESPACE
        assert "data" not in secret, "base64 data hides what it holds: use stringData"
        assert secret["stringData"]
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"{secret['metadata']['name']}.{key} is not a placeholder"


def test_only_the_ingress_controllers_addresses_may_set_forwarded_headers() -> None:
    value = one("ConfigMap")["data"]["FORWARDED_ALLOW_IPS"]
    assert "*" not in value
    for entry in value.split(","):
        network = ipaddress.ip_network(entry.strip())
        assert network.prefixlen >= 24, f"{network} trusts far more than an ingress controller"


def test_shutdown_outlasts_endpoint_removal_and_in_flight_requests() -> None:
    deployment = _api()
    command = container(deployment, API)["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0].endswith("sleep")
    pre_stop = int(command[1])
    graceful = int(one("ConfigMap")["data"]["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"])
    assert pre_stop >= 5
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] > pre_stop + graceful


def _targets(workload: Manifest) -> None:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items()
    # The HPA owns the replica count: a spec.replicas here would reset it on every apply.
    assert "replicas" not in workload["spec"]
    assert workload["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    name = workload["metadata"]["name"]
    hpa = one("HorizontalPodAutoscaler", name)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] >= 1
    pdb = one("PodDisruptionBudget", name)
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["maxUnavailable"] == 1


def test_the_api_scales_on_cpu_behind_its_service() -> None:
    api = _api()
    _targets(api)
    hpa = one("HorizontalPodAutoscaler", "clearstone-api")
    assert hpa["spec"]["minReplicas"] >= 2
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    service = one("Service")
    labels = api["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]


def test_the_workers_scale_on_their_own_on_queue_depth() -> None:
    worker = _worker()
    _targets(worker)
    each = container(worker)
    assert each["command"][:2] == ["clearstone-api", "worker"]
    assert "ports" not in each, "workers take no traffic"
    assert each["image"] == container(_api())["image"], "the same release as the API"
    hpa = one("HorizontalPodAutoscaler", "clearstone-worker")
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "External"
    assert metric["external"]["metric"]["name"] == "clearstone_job_queue_depth"
    labels = worker["spec"]["template"]["metadata"]["labels"]
    assert not one("Service")["spec"]["selector"].items() <= labels.items()


def test_the_migration_job_migrates_and_the_api_never_does() -> None:
    job = one("Job")
    migrate = container(job)
    assert migrate["command"] == ["clearstone-api", "migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["parallelism"] == 1
    assert job["spec"]["backoffLimit"] >= 1
    api = container(_api(), API)
    assert "command" not in api, "the API runs the image's default command"
    assert "migrate" not in " ".join(api.get("args", []))
    assert "migrate" not in " ".join(container(_worker())["command"])
    assert migrate["image"] == api["image"]


def test_workload_images_are_pinned() -> None:
    for workload in _workloads():
        assert image_is_pinned(container(workload)["image"])


# --- network policies and the ingress ---------------------------------------------------------


def _selects(selector: Manifest, labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


POD = {
    "api": {"app.kubernetes.io/name": "clearstone", "app.kubernetes.io/component": "api"},
    "worker": {"app.kubernetes.io/name": "clearstone", "app.kubernetes.io/component": "worker"},
    "migrate": {"app.kubernetes.io/name": "clearstone", "app.kubernetes.io/component": "migrate"},
    "postgresql": {"app.kubernetes.io/name": "postgresql"},
    "redis": {"app.kubernetes.io/name": "redis"},
}


def _allowed_in(target: str, peer: str, namespace: str, port: int) -> bool:
    """Whether some policy admits ``peer`` (a pod of POD, or any pod of ``namespace``) to
    ``target`` on ``port``; with the default deny, nothing else is."""
    peer_labels = POD.get(peer, {})
    for policy in kinds("NetworkPolicy"):
        spec = policy["spec"]
        if "Ingress" not in spec["policyTypes"] or not _selects(spec["podSelector"], POD[target]):
            continue
        for rule in spec.get("ingress", []):
            ports = {entry["port"] for entry in rule.get("ports", [])}
            if port not in ports:
                continue
            for source in rule["from"]:
                same_namespace = "namespaceSelector" not in source
                if same_namespace and namespace != NAMESPACE:
                    continue
                if not same_namespace:
                    wanted = source["namespaceSelector"]["matchLabels"]
                    if wanted != {"kubernetes.io/metadata.name": namespace}:
                        continue
                pods = source.get("podSelector")
                if pods is None or _selects(pods, peer_labels):
                    return True
    return False


def test_everything_is_denied_unless_a_policy_allows_it() -> None:
    deny = one("NetworkPolicy", "default-deny")
    assert deny["spec"]["podSelector"] == {}
    assert sorted(deny["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]


def test_the_api_is_reachable_only_from_the_ingress_controller_and_monitoring() -> None:
    controller = {"app.kubernetes.io/name": "ingress-nginx"}
    POD["controller"] = controller
    try:
        assert _allowed_in("api", "controller", "ingress-nginx", 8000)
        assert _allowed_in("api", "prometheus", "monitoring", 8000)
        assert not _allowed_in("api", "worker", NAMESPACE, 8000)
        assert not _allowed_in("api", "anything", "default", 8000)
        assert not _allowed_in("api", "controller", "ingress-nginx", 5432)
    finally:
        del POD["controller"]


def test_the_datastores_are_reachable_only_from_the_api_workers_and_migration() -> None:
    for store, port in (("postgresql", 5432), ("redis", 6379)):
        for peer in ("api", "worker", "migrate"):
            assert _allowed_in(store, peer, NAMESPACE, port), (store, peer)
        assert not _allowed_in(store, "anything", NAMESPACE, port)
        assert not _allowed_in(store, "controller", "ingress-nginx", port)


def _routed(ingress: Manifest, path: str) -> bool:
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            prefix = entry["path"]
            if entry["pathType"] == "Exact" and path == prefix:
                return True
            if entry["pathType"] == "Prefix":
                base = prefix.rstrip("/")
                if path == base or path.startswith(base + "/"):
                    return True
    return False


def test_the_ingress_serves_tls_and_only_the_public_paths() -> None:
    ingress = one("Ingress")
    hosts = {host for rule in ingress["spec"]["rules"] for host in [rule["host"]]}
    assert hosts <= {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"]
    for public in (
        "/v1/certificates/DEMO-BW-2023",
        "/v1/checkout/screenings",
        "/.well-known/jwks.json",
        "/",
        "/check/DEMO-BW-2023",
        "/static/page.css",
    ):
        assert _routed(ingress, public), public
    for internal in ("/metrics", "/readyz", "/healthz", "/metricsz", "/v1x"):
        assert not _routed(ingress, internal), internal
    backends = {
        entry["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for entry in rule["http"]["paths"]
    }
    assert backends == {one("Service")["metadata"]["name"]}


# --- settings: what the deploy files set, and what the operations guide documents -------------


def _setting_env_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def _deploy_setting_names() -> dict[str, set[str]]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    sources = {
        "configmap.yaml": set(one("ConfigMap")["data"]) - {SECRETS_DIR_ENV},
        SECRET_TEMPLATE: {
            key for secret in load_all(K8S / SECRET_TEMPLATE) for key in secret["stringData"]
        },
        "compose.yaml": {key for svc in services.values() for key in svc.get("environment", {})},
    }
    return {
        source: {name for name in names if name.startswith("CLEARSTONE_")}
        for source, names in sources.items()
    }


def test_every_clearstone_variable_in_the_deploy_files_is_a_real_setting() -> None:
    """pydantic-settings ignores unknown CLEARSTONE_* names: a typo would silently do nothing."""
    known = _setting_env_names() | PENDING_SETTINGS
    names = _deploy_setting_names()
    for source, found in names.items():
        assert found <= known, f"{source}: unknown settings {sorted(found - known)}"
    for secret in ("CLEARSTONE_DATABASE_URL", "CLEARSTONE_REDIS_URL"):
        assert secret in names[SECRET_TEMPLATE], f"{secret} belongs in the Secret"
        assert secret not in names["configmap.yaml"]


def test_the_operations_guide_documents_every_setting() -> None:
    text = OPERATIONS.read_text()
    missing = sorted(name for name in _setting_env_names() if f"`{name}`" not in text)
    assert not missing, f"document these in docs/operations.md: {missing}"


def test_the_worker_commands_of_the_deploy_files_are_the_service_s_own(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both deploy files start `clearstone-api worker` with options it accepts: parsed for
    real, up to the refusal of SQLite (a bad option would exit 2 with a usage line first)."""
    from clearstone_api.cli import main

    (worker,) = _worker()["spec"]["template"]["spec"]["containers"]
    commands = [worker["command"], compose()["services"]["worker"]["command"]]
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", f"sqlite:///{tmp_path}/workers.db")
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    for command in commands:
        assert command[:2] == ["clearstone-api", "worker"]
        with pytest.raises(SystemExit, match="workers need PostgreSQL"):
            main(command[1:])
