"""Every operation, fuzzed from the contract with all of schemathesis's default checks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from clearstone_api.app import create_app
from clearstone_api.schema import upgrade
from clearstone_api.settings import Settings

# One migrated SQLite database per worker process, built when this module is collected.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="clearstone-contract-"))
_SETTINGS = Settings(
    database_url=f"sqlite:///{_DATA_DIR / 'contract.db'}",
    data_dir=_DATA_DIR,
    environment="test",
    lookup_cache_ttl_seconds=0,
)
upgrade(_SETTINGS)
app = create_app(_SETTINGS)
# All default checks run. One is told what "valid input accepted" may answer: a request can match
# the JSON schema and still be refused for what it means (a lot that was never registered, a
# cursor this server did not issue), which the service reports as a 422 naming the field.
_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_CONFIG)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
