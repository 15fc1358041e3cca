"""What an operator sees of the running service: JSON logs (:mod:`.logs`) and Prometheus
metrics at ``GET /metrics`` (:mod:`.metrics`), installed by one call from ``create_app``.

Example::

    app = FastAPI(...)
    app.state.settings, app.state.database = settings, database
    install_observability(app)  # after the other middleware: it counts what they answer too
"""

from __future__ import annotations

from fastapi import FastAPI

from clearstone_api.observability.logs import configure_logging
from clearstone_api.observability.metrics import install_metrics

__all__ = ["install_observability"]


def install_observability(app: FastAPI) -> None:
    """JSON logging for the process, and metrics for ``app`` (its settings and database come
    from ``app.state``)."""
    configure_logging(app.state.settings)
    install_metrics(app, app.state.database)
