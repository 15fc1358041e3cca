"""SDK tests over httpx.MockTransport; a package so its module names never clash with tests/api."""
