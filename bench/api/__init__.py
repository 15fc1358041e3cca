"""API benchmark: the certificate lookup and the 10-item checkout screen, each next to a bare
FastAPI endpoint served by the same app, on PostgreSQL with 1,000,000 synthetic stones; and the
time to re-assess after an incident. Run ``python -m bench.api --help``; see ``bench/README.md``."""
