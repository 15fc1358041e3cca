"""The Kubernetes manifests in deploy/k8s/, checked offline, and the settings they pass.

Every resource is validated with kubernetes-validate, which ships the Kubernetes JSON schemas
inside the package, against one pinned Kubernetes version (``KUBERNETES_VERSION``) in strict mode
(unknown fields are errors), with sockets blocked in this process. ``kubectl kustomize``, where
the machine has kubectl, renders the kustomization in a network namespace of its own.
"""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest
import yaml

from clearstone_api.settings import Settings
from tests.deploy.deployfiles import (
    COMPOSE,
    K8S,
    KUBERNETES_VERSION,
    OPERATIONS,
    PLACEHOLDER,
    SECRET_TEMPLATE,
    Manifest,
    container,
    containers,
    dockerfile_user,
    documents,
    image_is_pinned,
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


def _workloads() -> list[Manifest]:
    return [one("Deployment"), one("Job")]


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
    typo = copy.deepcopy(one("Deployment"))
    container(typo, API)["securityContext"]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError, match="readOnlyRootFileSystem"):
        validate(typo)

    wrong_type = copy.deepcopy(one("Deployment"))
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


@pytest.mark.skipif(tool("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.usefixtures("no_network")
def test_kustomize_renders_valid_manifests_offline() -> None:
    kubectl = tool("kubectl")
    assert kubectl is not None
    rendered = run_offline([kubectl, "kustomize", str(K8S)])
    assert rendered.returncode == 0, rendered.stderr
    docs = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]
    assert sorted(doc["kind"] for doc in docs) == [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "PodDisruptionBudget",
        "Service",
    ]
    for doc in docs:
        assert validate(doc) == KUBERNETES_VERSION
    workloads = [doc for doc in docs if doc["kind"] in ("Deployment", "Job")]
    images = {c["image"] for doc in workloads for c in containers(doc)}
    assert len(images) == 1, "the Job and the Deployment ship the same release"
    assert all(image_is_pinned(image) for image in images), images


# --- behaviour --------------------------------------------------------------------------------


def test_probes_point_at_healthz_and_readyz_on_the_served_port() -> None:
    api = container(one("Deployment"), API)
    assert {port["name"]: port["containerPort"] for port in api["ports"]} == {"http": 8000}
    probes = {kind: api[f"{kind}Probe"]["httpGet"] for kind in ("startup", "liveness", "readiness")}
    assert probes["startup"]["path"] == "/healthz"
    assert probes["liveness"]["path"] == "/healthz"
    assert probes["readiness"]["path"] == "/readyz"
    assert all(probe["port"] == "http" for probe in probes.values())


def test_pods_run_as_the_images_non_root_user_without_privileges() -> None:
    uid = dockerfile_user()
    for workload in _workloads():
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == uid != 0
        assert pod["automountServiceAccountToken"] is False
        for each in pod["containers"]:
            context = each["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context.get("privileged", False) is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert context.get("runAsUser", uid) != 0
            mounts = {mount["mountPath"] for mount in each["volumeMounts"]}
            assert "/tmp" in mounts, "a read-only root still needs a writable /tmp"
            assert each["resources"]["requests"]
            assert each["resources"]["limits"]


def test_environment_comes_only_from_the_configmap_and_secret_by_reference() -> None:
    configmap = one("ConfigMap")["metadata"]["name"]
    secrets = {doc["metadata"]["name"] for doc in load_all(K8S / SECRET_TEMPLATE)}
    for workload in _workloads():
        each = container(workload)
        for entry in each.get("env", []):
            assert "value" not in entry, f"literal env {entry['name']}: use the ConfigMap"
            assert entry["valueFrom"].keys() <= {"configMapKeyRef", "secretKeyRef"}, entry
        assert each["envFrom"] == [
            {"configMapRef": {"name": configmap}},
            {"secretRef": {"name": "clearstone-env"}},
        ]
        for volume in pod_spec(workload)["volumes"]:
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets
    assert "clearstone-env" in secrets


def test_the_secret_template_holds_placeholders_only() -> None:
    for secret in load_all(K8S / SECRET_TEMPLATE):
        assert secret["kind"] == "Secret"
        assert "data" not in secret, "base64 data hides what it holds: use stringData"
        assert secret["stringData"]
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"{secret['metadata']['name']}.{key} is not a placeholder"


def test_shutdown_outlasts_endpoint_removal_and_in_flight_requests() -> None:
    deployment = one("Deployment")
    command = container(deployment, API)["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0].endswith("sleep")
    pre_stop = int(command[1])
    graceful = int(one("ConfigMap")["data"]["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"])
    assert pre_stop >= 5
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] > pre_stop + graceful


def test_autoscaler_budget_and_service_target_the_api_pods() -> None:
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    # The HPA owns the replica count: a spec.replicas here would reset it on every apply.
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0

    hpa = one("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]

    pdb = one("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["maxUnavailable"] == 1

    service = one("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]


def test_the_migration_job_migrates_and_the_api_never_does() -> None:
    job = one("Job")
    migrate = container(job)
    assert migrate["command"] == ["clearstone-api", "migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["parallelism"] == 1
    assert job["spec"]["backoffLimit"] >= 1
    api = container(one("Deployment"), API)
    assert "command" not in api, "the API runs the image's default command (uvicorn)"
    assert "migrate" not in " ".join(api.get("args", []))
    assert migrate["image"] == api["image"]
    assert "signing-keys" not in {volume["name"] for volume in pod_spec(job)["volumes"]}


def test_workload_images_are_pinned() -> None:
    for workload in _workloads():
        assert image_is_pinned(container(workload)["image"])


# --- settings: what the deploy files set, and what the operations guide documents -------------


def _setting_env_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def _deploy_setting_names() -> dict[str, set[str]]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    sources = {
        "configmap.yaml": set(one("ConfigMap")["data"]),
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
