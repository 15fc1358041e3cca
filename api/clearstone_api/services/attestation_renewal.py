"""Renewing attestations before they expire: the stones whose current attestation runs out
soon are re-assessed as of today and signed anew (``clearstone-api renew-attestations``, run
daily), so the lookup never serves an expired attestation and a stored verdict never speaks for
a day more than :data:`~clearstone_api.services.attestation_lifecycle.LIFETIME` ago."""

from __future__ import annotations

import datetime as dt

from clearstone_api.db import Database
from clearstone_api.models.columns import utcnow
from clearstone_api.services.assessments import reassess_rows
from clearstone_api.services.attestation_lifecycle import expiring_stones
from clearstone_api.services.attestations import Attester
from clearstone_api.services.reference_store import ReferenceStore

__all__ = ["RENEWAL_WINDOW", "renew_expiring"]

RENEWAL_WINDOW = dt.timedelta(days=30)
"""Attestations expiring within this are renewed."""


def renew_expiring(
    database: Database,
    store: ReferenceStore,
    attester: Attester,
    *,
    window: dt.timedelta = RENEWAL_WINDOW,
    batch_size: int = 500,
) -> int:
    """Re-assess and re-sign every stone whose current attestation expires within ``window``;
    returns how many. Each batch commits."""
    renewed = 0
    started = utcnow()
    before = started + window
    while True:
        with database.session() as session:
            stone_ids = expiring_stones(session, before, started, batch_size)
            if not stone_ids:
                return renewed
            reassess_rows(
                session,
                store.current(session),
                stone_ids,
                attester=attester,
                reason="attestation_renewal",
                change_id=None,
            )
            renewed += len(stone_ids)
