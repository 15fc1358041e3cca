"""One write's transaction and its side effects, in one place.

A write runs inside a :class:`UnitOfWork`. What must commit with the write (the idempotency
record, and from the lifecycle work on an outbox row) is registered with :meth:`~UnitOfWork.
before_commit` and runs inside the transaction just before it commits; what must happen only
once the write is durable (clearing the certificate cache, requesting a re-assessment) is
registered with :meth:`~UnitOfWork.after_commit` or :meth:`~UnitOfWork.defer` and runs after the
commit, never after a rollback::

    with unit_of_work(database) as uow:
        stone = register_stone(uow.session, ...)
        claim.record_on_commit(uow, 201, stone)   # in the transaction
        uow.after_commit(cache.clear)             # once committed
        uow.defer(run_reassessment, change_id)    # once committed, off the request path

Over HTTP the request's unit of work is a route dependency
(:data:`clearstone_api.routes.dependencies.UnitOfWorkDep`) whose ``defer`` hands work to the
framework's background tasks, run after the response is sent; elsewhere (CLI, a worker) deferred
work runs right after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from clearstone_api.db import Database

__all__ = ["Deferrer", "Session", "UnitOfWork", "run_now", "unit_of_work"]

logger = logging.getLogger("clearstone.unit_of_work")

Deferrer = Callable[..., None]
"""``defer(action, *args)``: run ``action(*args)`` later, off the caller's path."""


def run_now(action: Callable[..., Any], *args: Any) -> None:
    """The deferrer outside HTTP: run the action at once."""
    action(*args)


class UnitOfWork:
    """A session in one transaction, with the actions to run before and after it commits."""

    def __init__(self, session: Session, *, defer: Deferrer = run_now) -> None:
        self.session = session
        self._defer = defer
        self._before_commit: list[Callable[[Session], object]] = []
        self._after_commit: list[Callable[[], object]] = []

    def before_commit(self, action: Callable[[Session], object]) -> None:
        """Run ``action(session)`` inside the transaction, just before it commits: it commits
        with the write or not at all (the idempotency record; an outbox row)."""
        self._before_commit.append(action)

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run ``action()`` once the transaction has committed; never if it rolls back. A
        failing action is logged, not raised: the write it follows is already durable."""
        self._after_commit.append(action)

    def defer(self, action: Callable[..., Any], *args: Any) -> None:
        """Once committed, hand ``action(*args)`` to the deferrer (a background task over
        HTTP): for work too long to hold the response for, such as a re-assessment."""
        self.after_commit(lambda: self._defer(action, *args))

    def _commit_actions(self) -> None:
        # An action may register another (an outbox writer after a record): run until none.
        while self._before_commit:
            self._before_commit.pop(0)(self.session)

    def _committed(self) -> None:
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                action()
            except Exception:
                logger.exception("after-commit action failed; the write itself is committed")


@contextmanager
def unit_of_work(database: Database, *, defer: Deferrer = run_now) -> Iterator[UnitOfWork]:
    """A unit of work on ``database``: commits when the block ends (after its before-commit
    actions), rolls back when it raises, then runs its after-commit actions."""
    with database.session() as session:
        uow = UnitOfWork(session, defer=defer)
        yield uow
        uow._commit_actions()
    uow._committed()
