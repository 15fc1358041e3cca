"""``python -m bench.api reassess``: the wall time of a re-assessment after an incident.

Serves the bench app (pinned to CPU 0, as for ``load``), adds an incident in ``country`` through
the analyst API, and polls the change until its re-assessment is ``done``. The affected stones
are counted beforehand through the same footprint index the service uses. The service assesses
each distinct (record, date) once per batch, so the report also gives how many assessments the
engine actually computed next to how many stored rows were rewritten.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.api.auth import Credentials
from bench.api.config import database_url
from bench.api.load import HOST, server, wait_for_quiet
from clearstone_api.container import container_of
from clearstone_api.security.scopes import Role

__all__ = ["run_reassess"]


def _request(method: str, url: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _affected(url: str, country: str, batch_size: int) -> dict[str, int]:
    """Stones an incident in ``country`` reaches, and the assessments the service will compute:
    one per distinct (record digest, as_of) within each batch of ``batch_size`` stones."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT f.stone_id, a.record_digest, coalesce(s.as_of, current_date) "
                    "FROM (SELECT DISTINCT stone_id FROM stone_footprints "
                    "      WHERE kind = 'country' AND value = :country) f "
                    "JOIN stone_assessments a ON a.stone_id = f.stone_id "
                    "JOIN stones s ON s.id = f.stone_id ORDER BY f.stone_id"
                ),
                {"country": country},
            ).all()
    finally:
        engine.dispose()
    computed = 0
    for start in range(0, len(rows), batch_size):
        computed += len({(r[1], r[2]) for r in rows[start : start + batch_size]})
    return {
        "stones": len(rows),
        "distinct_records": len({r[1] for r in rows}),
        "assessments_computed": computed,
    }


def _incident(country: str) -> dict[str, Any]:
    stamp = time.strftime("%Y%m%d%H%M%S")
    return {
        "incident": {
            "id": f"INC-BENCH-{country}-{stamp}",
            "title": f"Benchmark incident in {country}",
            "summary": "A synthetic incident added by the API benchmark to time re-assessment.",
            "date_start": "2008-01-01",
            "date_end": None,
            "reported_on": "2009-01-01",
            "country": country,
            "actors": ["state_security_forces"],
            "categories": ["C01"],
            "status": "documented",
            "sources": [{"source_id": "BENCH", "title": "Clearstone API benchmark"}],
            "retrieved_at": "2026-11-01",
            "verification": "unverified",
        },
        "note": "Added by bench/api to time the re-assessment of the stones it reaches.",
    }


def _via_api(url: str, port: int, country: str, timeout: float) -> tuple[Any, float, float]:
    """POST the incident as an analyst; poll the change until its re-assessment is done. The
    re-assessment runs in the server (pinned to CPU 0) as a background task."""
    base = f"http://{HOST}:{port}"
    credentials = Credentials(url, Role.analyst)
    with server(url, port, {}):
        token = credentials.token(base)
        started = time.perf_counter()
        change = _request("POST", f"{base}/v1/reference/incidents", token, _incident(country))
        accepted = time.perf_counter() - started
        while change["reassessment_state"] != "done":
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"re-assessment not done after {timeout:.0f}s: {change}")
            time.sleep(0.25)
            if time.perf_counter() - started > 600:
                token = credentials.token(base)  # access tokens last 15 minutes
            change = _request("GET", f"{base}/v1/reference/changes/{change['id']}", token)
        elapsed = time.perf_counter() - started
    return change, accepted, elapsed


def _via_service(url: str, country: str) -> tuple[Any, float, float]:
    """Record the change and run the re-assessment with the service functions the analyst
    route calls, in this process pinned to CPU 0 (as the server would be)."""
    from bench.api.app import create_bench_app
    from clearstone_api.domain.reference_rows import Incident
    from clearstone_api.security.principals import Principal
    from clearstone_api.services import reference_changes

    os.sched_setaffinity(0, {0})
    app = create_bench_app(url)
    database = container_of(app).database
    store = container_of(app).references
    body = _incident(country)
    principal = Principal(
        id="bench-analyst",
        tenant_id="bench-analyst",
        role=Role.analyst,
        scopes=frozenset({"reference:write", "reference:read"}),
    )
    started = time.perf_counter()
    with database.session() as session:
        change = reference_changes.record_change(
            session,
            principal,
            store.current(session),
            kind="incident",
            row=Incident.model_validate(body["incident"]),
            note=body["note"],
            action="create",
        )
        change_id = change.id
    assert change_id is not None
    accepted = time.perf_counter() - started
    reference_changes.run_reassessment(
        database,
        store,
        container_of(app).attester,
        change_id,
        container_of(app).settings.reassessment_batch_size,
    )
    elapsed = time.perf_counter() - started
    with database.session() as session:
        done = reference_changes.change_public(reference_changes.get_change(session, change_id))
    database.engine.dispose()
    return done.model_dump(mode="json"), accepted, elapsed


def run_reassess(
    database: str,
    country: str,
    *,
    via: str,
    port: int,
    wait_quiet: float,
    timeout: float,
    results: Path,
) -> dict[str, Any]:
    url = database_url(database)
    batch_size = 500  # Settings().reassessment_batch_size, the product default
    affected = _affected(url, country, batch_size)
    print(f"{database}: an incident in {country} reaches {affected}", flush=True)
    quiet = wait_for_quiet(wait_quiet) if wait_quiet > 0 else {"quiet": None}
    if via == "api":
        change, accepted, elapsed = _via_api(url, port, country, timeout)
    else:
        change, accepted, elapsed = _via_service(url, country)
    report = {
        "database": database,
        "via": via,
        "country": country,
        "batch_size": batch_size,
        **affected,
        "quiet": quiet,
        "change_id": change["id"],
        "accepted_s": round(accepted, 3),
        "wall_s": round(elapsed, 1),
        "stones_reassessed": change["stones_reassessed"],
        "stones_changed": change["stones_changed"],
        "rows_per_s": round(change["stones_reassessed"] / elapsed),
        "assessments_per_s": round(affected["assessments_computed"] / elapsed),
    }
    print(json.dumps(report, indent=2))
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"reassess-{database}-{country}-{stamp}.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    return report
