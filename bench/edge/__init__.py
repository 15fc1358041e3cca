"""Caching at the edge: the deploy's nginx in front of the API, run locally."""
