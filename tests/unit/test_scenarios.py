from __future__ import annotations

from clearstone_api.demo.scenarios import VECTORS_PATH, render_vectors


def test_published_vectors_match_the_scenarios_that_define_them() -> None:
    assert VECTORS_PATH.read_text(encoding="utf-8") == render_vectors(), (
        "vectors.json is stale: run `python -m clearstone_api.demo.scenarios`"
    )
