from __future__ import annotations

import pytest

from clearstone._cli import main


def test_main_prints_usage_and_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: clearstone")
