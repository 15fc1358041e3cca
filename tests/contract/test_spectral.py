"""spectral's ``spectral:oas`` ruleset finds nothing to say about the committed contract.

``@stoplight/spectral-cli`` is pinned in ``package.json`` (with its lockfile) beside this file;
``npm ci`` installs it there the first time, as ``make e2e`` does for axe-core. Skipped, saying
why, where node or npm is missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SPEC = HERE.parents[1] / "openapi" / "openapi.json"
SPECTRAL = HERE / "node_modules" / ".bin" / "spectral"


def _spectral() -> Path:
    if SPECTRAL.exists():
        return SPECTRAL
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run spectral (apt-get install nodejs npm)")
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if installed.returncode != 0 or not SPECTRAL.exists():
        pytest.skip(f"npm ci could not install spectral: {installed.stderr[-500:]}")
    return SPECTRAL


def test_spectral_oas_ruleset_has_nothing_to_say() -> None:
    result = subprocess.run(
        [
            str(_spectral()),
            "lint",
            "--ruleset",
            str(HERE / ".spectral.yaml"),
            "--format",
            "json",
            "--quiet",
            str(SPEC),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    described = [
        f"{f['code']}: {f['message']} at {'.'.join(map(str, f['path']))}" for f in findings
    ]
    assert described == [], described
    assert result.returncode == 0, result.stderr
