"""The outbox: an event commits with the change it reports, or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from sqlalchemy import func, update
from sqlmodel import col, select

from clearstone_api.cli import main
from clearstone_api.container import container_of
from clearstone_api.domain.reference_rows import Incident
from clearstone_api.models.event import Event, EventRecipient
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.security.principals import Principal
from clearstone_api.security.scopes import ROLE_SCOPES, Role
from clearstone_api.services.assessments import reassess_rows
from clearstone_api.services.event_feed import purge_events
from clearstone_api.services.reference_changes import apply_change, record_change
from clearstone_api.services.reference_events import emit_change_applied
from clearstone_api.services.unit_of_work import unit_of_work
from clearstone_api.settings import Settings
from tests.api.conftest import Loader
from tests.api.factories import incident

ANALYST = Principal(
    id="analyst-ana", tenant_id="clearstone", role=Role.analyst, scopes=ROLE_SCOPES[Role.analyst]
)


class Boom(RuntimeError):
    """A failure after the write, before the commit."""


def _count(app: FastAPI, model: type[Event] | type[EventRecipient]) -> int:
    with container_of(app).database.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_change_that_rolls_back_leaves_no_event(app: FastAPI) -> None:
    held = container_of(app)
    with pytest.raises(Boom), unit_of_work(held.database) as uow:
        apply_change(
            uow,
            held,
            ANALYST,
            kind="incident",
            row=Incident.model_validate(incident()),
            note="n",
            action="create",
        )
        uow.session.flush()
        assert uow.session.exec(select(func.count()).select_from(Event)).one() == 1
        raise Boom
    assert (_count(app, Event), _count(app, EventRecipient)) == (0, 0)
    with held.database.session() as session:
        assert session.exec(select(ReferenceChange)).first() is None


def test_a_committed_change_always_has_its_event(app: FastAPI) -> None:
    held = container_of(app)
    with unit_of_work(held.database) as uow:
        change = apply_change(
            uow,
            held,
            ANALYST,
            kind="incident",
            row=Incident.model_validate(incident()),
            note="n",
            action="create",
        )
    with held.database.session() as session:
        events = session.exec(select(Event).order_by(col(Event.seq))).all()
    assert [e.type for e in events] == ["reference.change.applied", "reassessment.finished"]
    assert events[0].payload["reference_change_id"] == change.id


def test_a_reassessment_that_rolls_back_leaves_no_verdict_event(app: FastAPI, load: Loader) -> None:
    load("DEMO-BW-2023")
    held = container_of(app)
    before = _count(app, Event)
    with held.database.session() as session:
        change = record_change(
            session,
            ANALYST,
            held.references.current(session),
            kind="incident",
            row=Incident.model_validate(incident()),
            note="n",
            action="create",
        )
        emit_change_applied(session, change)
    after_change = _count(app, Event)
    assert after_change == before + 1
    with pytest.raises(Boom), held.database.session() as session:
        stored = reassess_rows(
            session,
            held.references.current(session),
            list(range(1, 10)),
            attester=held.attester,
            reason="reference_change",
            change_id=change.id,
        )
        assert stored.changed >= 1
        session.flush()
        written = session.exec(
            select(func.count()).select_from(Event).where(Event.type == "stone.assessment.changed")
        ).one()
        assert written >= 1
        raise Boom
    assert _count(app, Event) == after_change


def test_purge_keeps_thirty_days_at_least(app: FastAPI) -> None:
    held = container_of(app)
    for _ in range(3):
        with unit_of_work(held.database) as uow:
            apply_change(
                uow,
                held,
                ANALYST,
                kind="incident",
                row=Incident.model_validate(incident(id=f"INC-TEST-{_}")),
                note="n",
                action="create",
            )
    now = dt.datetime.now(dt.UTC)
    with held.database.session() as session:
        seqs = session.exec(select(Event.seq).order_by(col(Event.seq))).all()
        session.execute(
            update(Event)
            .where(col(Event.seq).in_(seqs[:2]))
            .values(occurred_at=now - dt.timedelta(days=31))
        )
        session.execute(
            update(Event)
            .where(col(Event.seq).in_(seqs[2:4]))
            .values(occurred_at=now - dt.timedelta(days=20))
        )
    # A shorter retention asked for is raised to 30 days.
    assert purge_events(held.database, retention_days=7, now=now, batch_size=1) == 2
    assert _count(app, Event) == 4
    assert _count(app, EventRecipient) == 4
    assert purge_events(held.database, retention_days=7, now=now) == 0


def test_the_purge_command_deletes_only_what_is_past_retention(
    app: FastAPI,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    held = container_of(app)
    with unit_of_work(held.database) as uow:
        apply_change(
            uow,
            held,
            ANALYST,
            kind="incident",
            row=Incident.model_validate(incident()),
            note="n",
            action="create",
        )
    with held.database.session() as session:
        first = session.exec(select(Event.seq).order_by(col(Event.seq))).first()
        session.execute(
            update(Event)
            .where(col(Event.seq) == first)
            .values(occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=45))
        )
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", settings.url)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    main(["purge-events", "--days", "40"])
    assert "purged 1 event(s) older than 40 days" in capsys.readouterr().out
    assert _count(app, Event) == 1


def test_deliveries_wait_for_the_outer_commit_not_a_savepoint(app: FastAPI) -> None:
    from clearstone_api.services import outbox

    handed: list[list[str]] = []
    held = container_of(app)
    with held.database.session() as session:
        session.info[outbox.DISPATCH_KEY] = handed.append
        with session.begin_nested():
            outbox.dispatch_after_commit(session, ["dlv_a"])
        with pytest.raises(Boom), session.begin_nested():
            outbox.dispatch_after_commit(session, ["dlv_b"])
            raise Boom
        assert handed == []  # a savepoint released or rolled back is not a commit
    assert handed == [["dlv_a", "dlv_b"]]
    with pytest.raises(Boom), held.database.session() as session:
        session.info[outbox.DISPATCH_KEY] = handed.append
        outbox.dispatch_after_commit(session, ["dlv_c"])
        raise Boom
    assert handed == [["dlv_a", "dlv_b"]]
