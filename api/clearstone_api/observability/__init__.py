"""What an operator sees of the running service: JSON logs (:mod:`.logs`), Prometheus metrics
(:mod:`.metrics`, what services count) and their HTTP side (:mod:`.http`: the request
middleware, ``GET /metrics``, and ``install_observability`` that ``create_app`` calls).

This package's own import pulls in nothing: services count through :mod:`.metrics` without the
web stack.
"""
