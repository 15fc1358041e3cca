"""Write the OpenAPI contract: ``python -m clearstone_api.openapi_export openapi/openapi.json``.

Deterministic (sorted keys, two-space indent, trailing newline) so that the committed file
changes only when the contract does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from clearstone_api.app import create_app
from clearstone_api.openapi import build_openapi
from clearstone_api.security.keys import generate_jwk
from clearstone_api.settings import Settings

__all__ = ["main", "render_openapi"]


def render_openapi() -> str:
    # The document depends on neither the database nor the keys: an in-memory URL and a
    # throwaway key keep this side-effect free (no file is written under the data dir).
    throwaway = json.dumps({"keys": [generate_jwk("openapi-export")]})
    app = create_app(
        Settings(
            database_url="sqlite://",
            environment="test",
            signing_keys=SecretStr(throwaway),
            signing_keys_file=None,
            redis_url=None,
        )
    )
    document: dict[str, Any] = build_openapi(app)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "openapi/openapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_openapi(), encoding="utf-8")


if __name__ == "__main__":
    main()
