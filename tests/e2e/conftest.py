"""Browser tests: the consumer's page in real headless Chromium, driven by Playwright.

Each test module gets a real uvicorn server on a free loopback port, with its own migrated SQLite
database and the demo data loaded the way ``make serve`` loads it; the socket is bound before the
server starts, so pytest-xdist workers never race for a port. The browser is Debian's
``/usr/bin/chromium`` (never ``playwright install``); where it is missing every test here is
skipped with the reason (``.ci/run`` installs it). axe-core comes from npm: ``npm ci`` in this
directory (``.ci/run`` does it too).

Screenshots and accessibility reports go to ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.schema import upgrade
from clearstone_api.services.demo import load_demo
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, new_context
from tests.support.harness import UNLIMITED


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


def _settings(data_dir: Path) -> Settings:
    # Explicit values, as in tests.support.harness, so a developer's CLEARSTONE_* cannot leak in.
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'clearstone.db'}",
        redis_url=None,
        signing_keys=None,
        signing_keys_file=None,
        signing_key_id=None,
        **UNLIMITED,
    )


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory (database and generated signing keys) migrated and loaded with the demo
    once per worker, as ``make serve`` does; each module's server runs on a copy."""
    data_dir = tmp_path_factory.mktemp("e2e-demo")
    settings = _settings(data_dir)
    upgrade(settings)
    attester = container_of(create_app(settings)).attester
    database = Database.from_settings(settings)
    try:
        load_demo(database, ReferenceStore(settings.reference_dir), attester)
    finally:
        database.engine.dispose()
    return data_dir


@pytest.fixture(scope="module")
def live_server(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a uvicorn server of its own, over a copy of the demo data."""
    data_dir = tmp_path_factory.mktemp("e2e")
    shutil.copytree(demo_data, data_dir, dirs_exist_ok=True)
    app = create_app(_settings(data_dir))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    # log_config=None: leave the test process's logging as it is.
    config = uvicorn.Config(app, log_config=None, ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = new_context(browser, live_server)
    yield context.new_page()
    context.close()
