"""``clearstone-api``: migrate, load the demo, serve, run job workers, manage clients and keys,
refresh the context layers. (Benchmark data is the benchmarks' own:
``python -m bench.api generate``.)

Example::

    clearstone-api migrate && clearstone-api load-demo && clearstone-api serve --port 8000
    clearstone-api create-client --role supplier --tenant ACME
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import io
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from clearstone_api.context_cli import add_context_commands, run_context, run_release
from clearstone_api.db import Database
from clearstone_api.domain.reference import load_reference
from clearstone_api.domain.reference_rows import SanctionedParty
from clearstone_api.events_cli import add_event_commands
from clearstone_api.reassess_cli import add_reassess_command, run_reassess
from clearstone_api.schema import upgrade
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.keys import generate_jwk, load_key_set
from clearstone_api.security.scopes import ROLE_SCOPES, Role, Scope
from clearstone_api.security.tokens import Tokens
from clearstone_api.services import sanction_lists
from clearstone_api.services.attestation_lifecycle import revoke, sign_missing
from clearstone_api.services.attestation_renewal import RENEWAL_WINDOW, renew_expiring
from clearstone_api.services.attestations import Attester
from clearstone_api.services.clients import create_client, disable_client
from clearstone_api.services.demo import load_demo
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.services.transparency import anchor_unlogged
from clearstone_api.settings import Settings
from clearstone_api.worker_cli import add_worker_command, run_workers

__all__ = ["main"]


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    upgrade(settings)
    print(f"migrated {settings.url.split('@')[-1]} to head")


def _attester(settings: Settings) -> Attester:
    tokens = Tokens(
        load_key_set(settings),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    return Attester(tokens, settings.token_issuer)


def _load_demo(settings: Settings, _args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        loaded, present = load_demo(
            database, ReferenceStore(settings.reference_dir), _attester(settings)
        )
    finally:
        database.engine.dispose()
    print(f"demo data: {loaded} records loaded, {present} already present")


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from clearstone_api.observability.logs import configure_logging
    from clearstone_api.observability.metrics import reset_multiprocess_dir
    from clearstone_api.serving import ServerConfig, serve

    configure_logging(settings)  # JSON lines from this process too (the worker supervisor)
    reset_multiprocess_dir()  # no worker runs yet: the last run's metric files go
    # An import string, not an app: each worker process builds its own app from the same
    # CLEARSTONE_* environment; serve() builds it once here first and exits non-zero if it
    # cannot, and stops accepting connections before draining at shutdown.
    serve(
        ServerConfig(
            "clearstone_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=args.proxy_headers,
            forwarded_allow_ips=args.forwarded_allow_ips,
            timeout_graceful_shutdown=args.timeout_graceful_shutdown,
            timeout_keep_alive=args.timeout_keep_alive,
            timeout_worker_healthcheck=args.timeout_worker_healthcheck,
            server_header=False,
            access_log=False,  # the app logs each request itself, with its request id
            log_config=None,  # configured above, and by the app factory in each worker
        )
    )


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _context(settings: Settings, args: argparse.Namespace) -> None:
    run_context(settings, args)


def _release(settings: Settings, _args: argparse.Namespace) -> None:
    run_release(settings)


def _create_client(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            created = create_client(
                session,
                SecretHasher(load_pepper(settings)),
                role=Role(args.role),
                tenant_id=args.tenant,
                scopes=args.scopes,
                name=args.name,
            )
    except ValueError as exc:
        sys.exit(f"create-client: {exc}")
    finally:
        database.engine.dispose()
    if args.json:
        print(
            json.dumps(
                {
                    "client_id": created.client_id,
                    "client_secret": created.client_secret,
                    "role": created.role.value,
                    "tenant": created.tenant_id,
                    "scopes": list(created.scopes),
                }
            )
        )
        return
    print(f"client_id:     {created.client_id}")
    print(f"client_secret: {created.client_secret}")
    print(f"role:          {created.role.value} (tenant {created.tenant_id})")
    print(f"scopes:        {' '.join(created.scopes)}")
    print("The secret is shown only now and stored only as a hash: keep it safe.", file=sys.stderr)


def _disable_client(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            found = disable_client(session, args.client_id)
    finally:
        database.engine.dispose()
    if not found:
        sys.exit(f"disable-client: no client {args.client_id!r}")
    print(f"disabled {args.client_id}: no new tokens; current ones expire within 15 minutes")


def _generate_signing_key(args: argparse.Namespace) -> None:
    print(json.dumps({"keys": [generate_jwk(args.kid)]}, indent=2))


def _generate_pepper(_args: argparse.Namespace) -> None:
    print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))


def _sign_attestations(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        signed = sign_missing(
            database,
            _attester(settings),
            settings.reassessment_batch_size,
            everything=args.all,
        )
    finally:
        database.engine.dispose()
    which = "stored assessment(s)" if args.all else "stored assessment(s) that had no attestation"
    print(f"signed {signed} {which}")


def _renew_attestations(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        renewed = renew_expiring(
            database,
            ReferenceStore(settings.reference_dir),
            _attester(settings),
            window=dt.timedelta(days=args.within_days),
            batch_size=settings.reassessment_batch_size,
        )
    finally:
        database.engine.dispose()
    print(f"renewed {renewed} attestation(s) expiring within {args.within_days} days")


def _anchor_custody_log(settings: Settings, _args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            entered = anchor_unlogged(session, _attester(settings))
    finally:
        database.engine.dispose()
    print(f"entered {entered} custody event(s) into the transparency log")


def _revoke_attestation(settings: Settings, args: argparse.Namespace) -> None:
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            found = revoke(session, args.attestation_id, args.reason)
    finally:
        database.engine.dispose()
    if not found:
        sys.exit(f"revoke-attestation: no attestation {args.attestation_id!r}")
    print(f"revoked {args.attestation_id}: its status endpoint now says so")


def _settings() -> Settings:
    """The environment's settings, or exit with what is wrong (never the values: some are
    secrets) instead of a traceback."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'settings'}: {item['msg']}"
            for item in error.errors(include_url=False, include_input=False)
        )
        sys.exit(f"clearstone-api: invalid settings: {problems}")


def _cell(value: object) -> object:
    """A reference CSV cell: lists joined with ``;``, null empty."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value


def _sanctions_lists(args: argparse.Namespace) -> None:
    """Fold an official list file into sanctioned_parties.csv (printed, or written to --out)."""
    path = Path(args.file)
    if args.format == "ofac-xml":
        entries = sanction_lists.read_ofac_xml(path.read_bytes())
    elif args.format == "ofac-csv":
        alt = Path(args.alt).read_text("utf-8") if args.alt else ""
        entries = sanction_lists.read_ofac_csv(path.read_text("utf-8"), alt)
    elif args.format == "eu-xml":
        entries = sanction_lists.read_eu_xml(path.read_bytes())
    else:
        entries = sanction_lists.read_uk_csv(path.read_text("utf-8-sig"))
    reference = load_reference(Path(args.reference_dir) if args.reference_dir else None)
    rows = sanction_lists.refresh(
        reference.sanctioned_parties,
        entries,
        source_id=args.source_id,
        retrieved_at=dt.date.fromisoformat(args.retrieved_at or dt.date.today().isoformat()),
        match_terms=args.match or [],
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SanctionedParty.model_fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.model_dump(mode="json").items()})
    if args.out:
        Path(args.out).write_text(out.getvalue(), encoding="utf-8")
        print(f"wrote {len(rows)} rows to {args.out} ({len(entries)} entries read)")
    else:
        print(out.getvalue(), end="")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="clearstone-api", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="migrate the database to the latest schema").set_defaults(
        run=_migrate
    )
    commands.add_parser("load-demo", help="load the demo stones (idempotent)").set_defaults(
        run=_load_demo
    )
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    # The same environment variables as uvicorn's own command line, so that the image's
    # settings (docs/operations.md) apply to either.
    serve.add_argument(
        "--workers",
        type=int,
        default=_env_int("WEB_CONCURRENCY", 1),
        help="worker processes, one per core (default: $WEB_CONCURRENCY, else 1)",
    )
    serve.add_argument(
        "--timeout-graceful-shutdown",
        type=int,
        default=_env_int("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", 25),
        help="seconds in-flight requests get after SIGTERM "
        "(default: $UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN, else 25)",
    )
    serve.add_argument(
        "--timeout-keep-alive",
        type=int,
        default=_env_int("UVICORN_TIMEOUT_KEEP_ALIVE", 5),
        help="idle keep-alive seconds; above the load balancer's "
        "(default: $UVICORN_TIMEOUT_KEEP_ALIVE, else 5)",
    )
    serve.add_argument(
        "--timeout-worker-healthcheck",
        type=int,
        default=_env_int("UVICORN_TIMEOUT_WORKER_HEALTHCHECK", 30),
        help="seconds a worker may take to answer the supervisor's ping before it is replaced; "
        "a new worker answers only once it has imported the service, which takes seconds on a "
        "busy machine (default: $UVICORN_TIMEOUT_WORKER_HEALTHCHECK, else 30)",
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="take the client address and scheme from X-Forwarded-For/-Proto, only from "
        "--forwarded-allow-ips",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        help="proxies trusted for X-Forwarded-* (default: $FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.set_defaults(run=_serve)
    add_reassess_command(commands, run_reassess)
    add_worker_command(commands, run_workers)
    add_context_commands(commands, _context)
    commands.add_parser(
        "release-reference",
        help="record the shipped reference data as a change and re-assess stones stored under "
        "an earlier version (run after upgrading)",
    ).set_defaults(run=_release)
    client = commands.add_parser(
        "create-client",
        help="register an API client and print its id and secret (shown once)",
    )
    client.add_argument("--role", required=True, choices=[role.value for role in Role])
    client.add_argument(
        "--tenant", required=True, help="the organization it acts for (suppliers: whose records)"
    )
    client.add_argument(
        "--scopes",
        nargs="+",
        choices=[scope.value for scope in Scope],
        help="default: every scope the role may hold ("
        + "; ".join(f"{role.value}: {' '.join(sorted(ROLE_SCOPES[role]))}" for role in Role)
        + ")",
    )
    client.add_argument("--name", help="a label for people")
    client.add_argument("--json", action="store_true", help="print one JSON object")
    client.set_defaults(run=_create_client)
    disable = commands.add_parser("disable-client", help="stop issuing tokens to a client")
    disable.add_argument("client_id")
    disable.set_defaults(run=_disable_client)
    key = commands.add_parser(
        "generate-signing-key",
        help="print a new ES256 private key as a JWK Set (merge it into the key set to rotate)",
    )
    key.add_argument("--kid", help="default: <date>-<thumbprint prefix>")
    key.set_defaults(run=None)
    commands.add_parser(
        "generate-pepper",
        help="print a new client-secret pepper (CLEARSTONE_CLIENT_SECRET_PEPPER_FILE's content)",
    ).set_defaults(run=None)
    sign = commands.add_parser(
        "sign-attestations", help="sign stored assessments that have no attestation yet"
    )
    sign.add_argument(
        "--all",
        action="store_true",
        help="re-sign every stored assessment with the active key (after withdrawing a key)",
    )
    sign.set_defaults(run=_sign_attestations)
    renew = commands.add_parser(
        "renew-attestations",
        help="re-assess and re-sign stones whose attestation expires soon (run daily)",
    )
    renew.add_argument("--within-days", type=int, default=RENEWAL_WINDOW.days)
    renew.set_defaults(run=_renew_attestations)
    commands.add_parser(
        "anchor-custody-log",
        help="enter custody events appended before the transparency log existed (run once)",
    ).set_defaults(run=_anchor_custody_log)
    revoke_command = commands.add_parser(
        "revoke-attestation", help="mark an attestation revoked at its status endpoint"
    )
    revoke_command.add_argument("attestation_id")
    revoke_command.add_argument("--reason", required=True)
    revoke_command.set_defaults(run=_revoke_attestation)
    lists = commands.add_parser(
        "sanctions-lists",
        help="fold an official sanctions list file (OFAC, EU, UK) into sanctioned_parties.csv",
    )
    lists.add_argument("format", choices=("ofac-xml", "ofac-csv", "eu-xml", "uk-csv"))
    lists.add_argument("file", help="sdn.xml, sdn.csv, the EU FSF XML export or ConList.csv")
    lists.add_argument("--alt", help="ofac-csv: alt.csv, the aliases")
    lists.add_argument("--source-id", required=True, help="the sources.csv id of this file")
    lists.add_argument("--retrieved-at", metavar="YYYY-MM-DD", help="default: today")
    lists.add_argument(
        "--match", action="append", metavar="NAME", help="add entries matching NAME as new rows"
    )
    lists.add_argument("--reference-dir", help="default: the shipped reference data")
    lists.add_argument("--out", help="write the CSV here instead of printing it")
    lists.set_defaults(run=None)
    add_event_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "sanctions-lists":
        _sanctions_lists(args)  # reads files only: no settings, no database
        return
    if args.command == "generate-signing-key":
        _generate_signing_key(args)  # needs no settings: it may run before any exist
        return
    if args.command == "generate-pepper":
        _generate_pepper(args)
        return
    args.run(_settings(), args)


if __name__ == "__main__":
    main()
