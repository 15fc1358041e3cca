"""``clearstone-api context load-cahra|load-ucdp``: a diff to review, then a reference change that
re-assesses the stored stones it reaches (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clearstone_api import cli
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """``run(*argv)`` → what ``clearstone-api`` printed, against the test's database."""
    monkeypatch.setattr(cli, "Settings", lambda: settings)

    def call(*argv: str) -> str:
        capsys.readouterr()
        cli.main(list(argv))
        return capsys.readouterr().out

    return call


def _csc(client: ASGIClient, number: str) -> Any:
    response = client.get(f"/v1/certificates/{number}")
    assert response.status_code == 200, response.text
    return response.json()["csc"]


def test_a_cahra_load_shows_its_diff_then_applies_and_reassesses(
    run: Any, load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load("VEC-CA-2023", "DEMO-BW-2023")
    cahra = str(FIXTURES / "cahra_export_small.json")
    review = run("context", "load-cahra", cahra, "--effective", "2023-01-01")
    assert "cahra_areas.csv from Report: test fixture" in review
    assert "+ CAHRA-CA CA 2023-01-01 to open" in review
    assert "not applied" in review
    assert _csc(client, "VEC-CA-2023")["result"] == "country_context_only"  # nothing stored

    with pytest.raises(SystemExit, match="--note"):
        run("context", "load-cahra", cahra, "--effective", "2023-01-01", "--apply")
    applied = run(
        "context", "load-cahra", cahra, "--effective", "2023-01-01", "--apply",
        "--note", "fixture list",
    )  # fmt: skip
    assert "recorded reference change 1" in applied
    canada = _csc(client, "VEC-CA-2023")
    assert canada["result"] == "elevated_risk"
    assert [f["id"] for f in canada["area_context"]] == ["CAHRA-CA"]
    assert _csc(client, "DEMO-BW-2023")["result"] == "no_known_red_flags"

    client.headers.update(auth(Role.analyst))
    change = client.get("/v1/reference/changes/1").json()
    assert (change["kind"], change["target_id"], change["action"]) == (
        "context_layer",
        "cahra_areas.csv",
        "replace",
    )
    assert change["reassessment_state"] == "done"
    assert change["stones_changed"] >= 1
    assert "CA" in change["after"]["countries"]
    # The same file again changes nothing.
    assert "nothing to change" in run("context", "load-cahra", cahra, "--effective", "2023-01-01")


def test_a_ucdp_load_adds_conflict_events_in_diamond_areas(
    run: Any, load: Loader, client: ASGIClient
) -> None:
    load("VEC-CD-KASAI-2017")
    ged = str(FIXTURES / "ucdp_ged_small.csv")
    review = run("context", "load-ucdp", ged, "--version", "26.1")
    assert "+ UCDP-26.1-900001 CD/Kasai/Tshikapa 2017-04-12 to 2017-04-12" in review
    assert "UCDP-26.1-900003" not in review  # placed at country level only
    assert "2 added, 0 removed" in review
    run("context", "load-ucdp", ged, "--version", "26.1", "--apply", "--note", "GED fixture")
    csc = _csc(client, "VEC-CD-KASAI-2017")
    [events] = [f for f in csc["area_context"] if f["layer"] == "conflict_events"]
    assert events["effect"] == "elevated"
    assert "UCDP GED 26.1" in events["reason"]
    assert events["sources"][0]["publisher"] == "Uppsala Conflict Data Program"


def test_a_file_that_is_not_an_export_is_refused_and_nothing_is_stored(
    run: Any, tmp_path: Path, client: ASGIClient, auth: Auth
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(SystemExit, match="not a CAHRA export"):
        run("context", "load-cahra", str(bad), "--effective", "2026-06-27", "--apply", "--note=x")
    client.headers.update(auth(Role.analyst))
    response = client.get("/v1/reference/changes")
    assert response.status_code == 200
    assert response.json()["data"] == []
