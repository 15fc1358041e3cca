"""``clearstone-api release-reference``: newly shipped reference data is a reference change that
re-assesses every stone stored under an earlier version (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from clearstone_api import cli
from clearstone_api.db import Database
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient


@pytest.fixture
def run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    monkeypatch.setattr(cli, "Settings", lambda: settings)

    def call(*argv: str) -> str:
        capsys.readouterr()
        cli.main(list(argv))
        return capsys.readouterr().out

    return call


def test_a_release_reassesses_stones_stored_under_an_earlier_version_once(
    run: Any, load: Loader, database: Database, client: ASGIClient, auth: Auth
) -> None:
    load("VEC-CA-2023", "DEMO-BW-2023")
    current = client.get("/v1/certificates/VEC-CA-2023").json()["reference_data_version"]
    with database.session() as session:  # as if stored before this release shipped
        session.execute(
            update(StoneAssessment)
            .where(col(StoneAssessment.stone_id) == 1)
            .values(reference_data_version="2026.11.0-000000000000")
        )
    out = run("release-reference")
    assert "released reference data 2026.12.0-" in out
    assert "re-assessed 1 stone(s)" in out
    versions = {
        n: client.get(f"/v1/certificates/{n}").json()["reference_data_version"]
        for n in ("VEC-CA-2023", "DEMO-BW-2023")
    }
    base = current.split("+")[0]
    assert all(v.startswith(base) for v in versions.values()), versions
    assert "already released" in run("release-reference")

    client.headers.update(auth(Role.analyst))
    [change] = client.get("/v1/reference/changes").json()["data"]
    assert (change["kind"], change["target_id"], change["action"]) == ("release", base, "release")
    assert change["after"]["incidents"] >= 40
    assert change["reassessment_state"] == "done"
