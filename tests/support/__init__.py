"""Test support shared by the suites (not shipped with the service): the database harness, the
in-process ASGI client and access tokens (:mod:`.harness`)."""
