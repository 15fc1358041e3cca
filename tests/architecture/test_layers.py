"""The service's layers, enforced: app -> http (routes, web) -> services -> infrastructure
(security, models, database) -> domain. docs/architecture.md explains each layer.

A new module must be placed in a layer here, or this test fails; so must any import that goes
up a layer, any import cycle, the domain importing beyond the standard library and pydantic, a
service or domain module loading FastAPI or Starlette (even indirectly), a route or page
touching the database layer other than through a service, and the SDK importing the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.architecture import Architecture, ImportGraph, Layer, fresh_imports

REPO = Path(__file__).resolve().parents[2]
API = REPO / "api"
SDK = REPO / "sdk"

WEB_FRAMEWORKS = ("fastapi", "starlette")
DATABASE_LAYER = (
    "clearstone_api.db",
    "clearstone_api.models",
    "clearstone_api.schema",
    "clearstone_api.migrations",
    "sqlalchemy",
    "sqlmodel",
    "asyncpg",
    "psycopg",
)

ARCHITECTURE = Architecture(
    layers=(
        Layer(
            "app",
            (
                "clearstone_api.app",
                "clearstone_api.cli",
                "clearstone_api.context_cli",
                # `clearstone-api worker`: starts and supervises job-queue worker processes.
                "clearstone_api.worker_cli",
                "clearstone_api.events_cli",
                # `clearstone-api reassess`: starts re-assessment runs and follows them.
                "clearstone_api.reassess_cli",
                "clearstone_api.openapi_export",
                # The server process: builds the app and supervises its workers.
                "clearstone_api.serving",
            ),
        ),
        Layer(
            "http",
            (
                "clearstone_api.routes",
                "clearstone_api.web",
                "clearstone_api.http_errors",
                "clearstone_api.http_semantics",
                "clearstone_api.conditional_gets",
                "clearstone_api.request_ids",
                "clearstone_api.openapi",
                "clearstone_api.openapi_examples",
                "clearstone_api.contract_examples",
                "clearstone_api.pagination",
                "clearstone_api.observability.http",
                "clearstone_api.security.body_limits",
                "clearstone_api.security.rate_limit_middleware",
                "clearstone_api.security.transport",
            ),
        ),
        Layer(
            "services",
            ("clearstone_api.services", "clearstone_api.container"),
            forbidden=WEB_FRAMEWORKS,
        ),
        Layer(
            "infrastructure",
            (
                "clearstone_api.db",
                "clearstone_api.models",
                "clearstone_api.schema",
                "clearstone_api.migrations",
                "clearstone_api.settings",
                "clearstone_api.security",
                "clearstone_api.observability",
            ),
            forbidden=WEB_FRAMEWORKS,
        ),
        Layer(
            "domain",
            (
                "clearstone_api.domain",
                "clearstone_api.demo",
                "clearstone_api.errors",
                "clearstone_api.canonical",
                "clearstone_api.certificate_numbers",
                "clearstone_api.merkle",
            ),
            forbidden=WEB_FRAMEWORKS,
            pure=("pydantic", "pydantic_core", "annotated_types", "typing_extensions"),
        ),
    ),
    roots=("clearstone_api",),
    direct_bans={
        "clearstone_api.routes": DATABASE_LAYER,
        "clearstone_api.web": DATABASE_LAYER,
    },
)


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return ImportGraph.scan(API, "clearstone_api")


def test_the_service_keeps_its_layers(graph: ImportGraph) -> None:
    violations = ARCHITECTURE.violations(graph)
    assert not violations, "\n".join(map(str, violations))


def test_every_top_level_module_is_named_in_a_layer() -> None:
    top_level = {
        "clearstone_api." + path.stem if path.suffix == ".py" else "clearstone_api." + path.name
        for path in (API / "clearstone_api").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    named = {member for layer in ARCHITECTURE.layers for member in layer.members}
    # A package split between layers names its parts; its remainder falls to the package.
    unnamed = {m for m in top_level if not any(n == m or n.startswith(m + ".") for n in named)}
    assert not unnamed, f"place these in a layer: {sorted(unnamed)}"


def _layer_modules(graph: ImportGraph, *names: str) -> list[str]:
    return [
        module
        for module in graph.imports
        if (placed := ARCHITECTURE.layer_of(module)) is not None and placed[1].name in names
    ]


def test_services_and_domain_load_no_web_framework_in_a_fresh_interpreter(
    graph: ImportGraph,
) -> None:
    """Imported for real, all at once: if none of them pulls in the framework together, none
    does alone; third-party libraries that would pull it in are caught too."""
    modules = [m for m in _layer_modules(graph, "services", "domain") if ".migrations" not in m]
    assert len(modules) > 40
    assert fresh_imports(modules, WEB_FRAMEWORKS, path=[API]) == []


def test_the_sdk_imports_nothing_of_the_server() -> None:
    sdk = ImportGraph.scan(SDK, "clearstone")
    server = sorted(
        f"{module} imports {name}"
        for module, names in sdk.imports.items()
        for name in names
        if name.split(".", 1)[0] in ("clearstone_api", *WEB_FRAMEWORKS, "sqlalchemy", "sqlmodel")
    )
    assert server == []
    assert fresh_imports(sdk.imports, ("clearstone_api", *WEB_FRAMEWORKS), path=[SDK]) == []
