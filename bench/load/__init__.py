"""The load-and-fault test: several API processes on PostgreSQL and Redis on this machine, a
bounded mixed load from another process on loopback, and PostgreSQL restarted mid-run.

Run it with ``python -m bench.load`` (see ``__main__.py``); the report goes to
``bench/load/REPORT.md``.
"""
