"""``clearstone``: the Clearstone API from a terminal or a script.

Commands::

    clearstone check NUMBER              the consumer view of a stone
    clearstone screen CART               screen a cart (CSV with a "number" column, or JSON)
    clearstone assess RECORD.json        assess a provenance record inline
    clearstone verify ATTESTATION        verify a signed attestation offline
    clearstone evidence NUMBER --jurisdiction EU
                                         the importer's sanctions evidence pack

Each takes ``--json`` (machine output), ``--base-url`` (else ``CLEARSTONE_BASE_URL``) and
``--timeout``; credentials come from ``CLEARSTONE_API_KEY`` or ``CLEARSTONE_CLIENT_ID`` and
``CLEARSTONE_CLIENT_SECRET``.

Exit codes: 0 passes / every line allowed / valid; 1 does not pass (KP fail or insufficient
evidence, a CSC red flag, a sanctions flag, any block or review decision, an invalid
attestation); 2 usage error, connection error or an error answer from the API.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, cast

import pydantic

from clearstone._attestation import AttestationError, VerifiedAttestation
from clearstone._client import Clearstone
from clearstone._constants import DEFAULT_SCREEN_BUDGET, ENV_BASE_URL, MAX_CART_ITEMS
from clearstone._exceptions import APIConnectionError, APIStatusError, ClearstoneError
from clearstone._models import BaseModel
from clearstone._params import ProvenanceRecordParam, ScreeningPolicyParam
from clearstone._resources.attestations import UNTRUSTED_JWKS_WARNING
from clearstone._terminal import (
    assessment_lines,
    certificate_lines,
    evidence_lines,
    passes,
    screening_lines,
    verification_lines,
)
from clearstone._types import NOT_GIVEN, NotGivenOr
from clearstone._version import __version__

__all__ = ["EXIT_DOES_NOT_PASS", "EXIT_ERROR", "EXIT_OK", "main"]

EXIT_OK = 0
"""Passes, every line allowed, or a valid attestation."""
EXIT_DOES_NOT_PASS = 1
"""Does not pass, a line to block or review, or an invalid attestation."""
NOT_CURRENT = ("superseded", "revoked")
"""An attestation in these states verifies but is no longer Clearstone's word: exit 1."""
EXIT_ERROR = 2
"""Usage error, connection error, or an error answer from the API."""

_KP_RESULTS = ("pass", "fail", "insufficient_evidence", "not_applicable")
_CSC_RESULTS = (
    "no_known_red_flags",
    "country_context_only",
    "elevated_risk",
    "red_flag",
    "insufficient_provenance",
    "not_applicable",
)


class UsageError(Exception):
    """A bad argument or input file: exit 2 with the message."""


class _Run:
    """What a command needs: its arguments, a client factory and where to write."""

    def __init__(self, args: argparse.Namespace, client_options: Mapping[str, Any]) -> None:
        self.args = args
        self._client_options = client_options
        self.out = sys.stdout

    def client(self) -> Clearstone:
        return Clearstone(
            base_url=self.args.base_url, timeout=self.args.timeout, **self._client_options
        )

    def emit(self, model: BaseModel | dict[str, Any], lines: list[str]) -> None:
        if self.args.json:
            data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
            self.out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            self.out.write("\n".join(lines) + "\n")


# Reading inputs.


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_json(path: str) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None


def read_cart(path: str) -> list[str]:
    """Certificate numbers from a CSV file with a ``number`` column, or a JSON list of numbers
    (or of objects with a ``number``)."""
    text = _read_text(path)
    if path.lower().endswith(".json") or text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path} is not JSON: {exc}") from None
        if not isinstance(data, list):
            raise UsageError(f"{path}: a JSON cart is a list of certificate numbers")
        numbers = [item.get("number") if isinstance(item, dict) else item for item in data]
    else:
        reader = csv.DictReader(io.StringIO(text))
        column = next((f for f in reader.fieldnames or [] if f.strip().lower() == "number"), None)
        if column is None:
            raise UsageError(f"{path}: the CSV has no 'number' column")
        numbers = [row[column] for row in reader]
    cart = [str(n).strip() for n in numbers if isinstance(n, str | int) and str(n).strip()]
    if len(cart) != len(numbers):
        raise UsageError(f"{path}: every line needs a certificate number")
    if not 1 <= len(cart) <= MAX_CART_ITEMS:
        raise UsageError(f"{path}: a cart has 1 to {MAX_CART_ITEMS} lines, not {len(cart)}")
    return cart


def _policy(args: argparse.Namespace) -> ScreeningPolicyParam:
    policy: dict[str, Any] = _read_json(args.policy) if args.policy else {}
    if not isinstance(policy, dict):
        raise UsageError(f"{args.policy}: a policy is a JSON object")
    for name in ("block_kp", "review_kp", "block_csc", "review_csc"):
        value = getattr(args, name)
        if value is not None:
            policy[name] = [v for v in value.split(",") if v]
    if args.unknown is not None:
        policy["unknown"] = args.unknown
    if args.review_risk_score_from is not None:
        policy["review_risk_score_from"] = args.review_risk_score_from
    if args.allow_sanctioned:
        policy["block_sanctions"] = False
    return cast(ScreeningPolicyParam, policy)


_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def _attestation_token(value: str) -> str:
    if _COMPACT_JWS.match(value.strip()):
        return value.strip()
    if value == "-" or Path(value).is_file():
        return _read_text(value).strip()
    raise UsageError(f"{value} is neither a file nor an attestation (header.payload.signature)")


# The commands.


def _check(run: _Run) -> int:
    with run.client() as client:
        view = client.certificates.get(run.args.number)
    run.emit(view, certificate_lines(view))
    return EXIT_OK if passes(view) else EXIT_DOES_NOT_PASS


def _screen(run: _Run) -> int:
    args = run.args
    cart = read_cart(args.cart)
    policy: NotGivenOr[ScreeningPolicyParam] = _policy(args) or NOT_GIVEN
    with run.client() as client:
        if args.fallback is None:
            result = client.checkout.screenings.create(cart, policy=policy, budget=args.budget)
        else:
            result = client.checkout.screen(
                cart, policy=policy, budget=args.budget, fallback=args.fallback
            )
    run.emit(result, screening_lines(result))
    allowed = all(item.decision == "allow" for item in result.items)
    return EXIT_OK if allowed else EXIT_DOES_NOT_PASS


def _assess(run: _Run) -> int:
    record = _read_json(run.args.record)
    if not isinstance(record, dict):
        raise UsageError(f"{run.args.record}: a provenance record is a JSON object")
    if "record" in record and isinstance(record["record"], dict):
        record = record["record"]  # a test vector, or a saved AssessmentCreate body
    as_of = run.args.as_of
    with run.client() as client:
        if as_of is None:
            assessment = client.assessments.create(cast(ProvenanceRecordParam, record))
        else:
            assessment = client.assessments.create(cast(ProvenanceRecordParam, record), as_of=as_of)
    run.emit(assessment, assessment_lines(assessment))
    return EXIT_OK if passes(assessment) else EXIT_DOES_NOT_PASS


def _verify(run: _Run) -> int:
    token = _attestation_token(run.args.attestation)
    if run.args.jwks is not None and not run.args.trust_jwks:
        raise UsageError(
            "--jwks FILE is trusted only with --trust-jwks: whoever wrote the file chose the "
            "keys. Without --jwks the keys come from the configured API."
        )
    try:
        with run.client() as client:
            if run.args.jwks is not None:
                print(f"clearstone: warning: {UNTRUSTED_JWKS_WARNING}", file=sys.stderr)
                verified: VerifiedAttestation = client.attestations.verify(
                    token, _read_text(run.args.jwks), trust_jwks=True
                )
            else:
                verified = client.attestations.verify(token, check_status=not run.args.offline)
    except AttestationError as exc:
        run.emit({"valid": False, "error": str(exc)}, [f"INVALID attestation: {exc}"])
        return EXIT_DOES_NOT_PASS
    data = {"valid": True, **verified.model_dump(mode="json")}
    run.emit(data, verification_lines(verified))
    currency = verified.currency
    return EXIT_DOES_NOT_PASS if currency and currency.status in NOT_CURRENT else EXIT_OK


_STONE_ID = re.compile(r"^CS-[0-9A-Z]{12}$")


def _evidence(run: _Run) -> int:
    args = run.args
    with run.client() as client:
        number = args.number.strip()
        stone_id = number if _STONE_ID.match(number) else client.certificates.get(number).stone.id
        pack = client.stones.sanctions_evidence(stone_id, jurisdiction=args.jurisdiction)
        if args.html is not None:
            page = client.stones.sanctions_evidence_pages.get(
                stone_id, jurisdiction=args.jurisdiction
            )
            Path(args.html).write_text(page, encoding="utf-8")
    run.emit(pack, evidence_lines(pack))
    complete = all(item.status in ("prefilled", "importer_to_complete") for item in pack.items)
    return EXIT_OK if pack.verdict.result == "clear" and complete else EXIT_DOES_NOT_PASS


# The parser.


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On each command too, so `clearstone check N --json` works; SUPPRESS keeps a value given
    # before the command from being reset by the command's own default.
    default: Callable[[Any], Any] = (lambda v: v) if top else (lambda _v: argparse.SUPPRESS)
    parser.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON for machines"
    )
    parser.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help=f"the API's base URL (default: ${ENV_BASE_URL}, else http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=default(10.0),
        metavar="SECONDS",
        help="per-attempt timeout (default: 10)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clearstone",
        description="The Clearstone diamond-assurance API from the command line.",
        epilog="Exit codes: 0 passes/allowed/valid, 1 does not pass (KP fail or insufficient "
        "evidence, CSC red flag, sanctions flag, any block or review, invalid attestation), "
        "2 usage or connection error. Credentials: CLEARSTONE_API_KEY, or CLEARSTONE_CLIENT_ID "
        "and CLEARSTONE_CLIENT_SECRET.",
    )
    parser.add_argument("--version", action="version", version=f"clearstone {__version__}")
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="look up a stone by its certificate number (consumer view)",
        description="The stone, its origin and evidence level, the KP verdict and the "
        "human-rights verdict with reasons and sources, and the date it speaks for. Exit 0 "
        "when it passes (KP pass or not applicable, no CSC red flag, no sanctions flag).",
    )
    check.add_argument("number", help="grading-report number, GIA-..., CS-... or an alias")
    check.set_defaults(run=_check)

    screen = commands.add_parser(
        "screen",
        help="screen a cart under your policy",
        description="A decision per line (allow, review, block). Exit 0 only when every line "
        "is allowed. Without --fallback a connection failure is an error (exit 2); with it, "
        "the fallback applies and the output says the result is degraded.",
    )
    screen.add_argument("cart", help='CSV with a "number" column, or a JSON list; - for stdin')
    screen.add_argument("--policy", metavar="FILE", help="policy as a JSON object")
    for name, results in (
        ("block-kp", _KP_RESULTS),
        ("review-kp", _KP_RESULTS),
        ("block-csc", _CSC_RESULTS),
        ("review-csc", _CSC_RESULTS),
    ):
        screen.add_argument(
            f"--{name}", metavar="R1,R2", help=f"comma-separated, of: {', '.join(results)}"
        )
    screen.add_argument("--unknown", choices=("allow", "review", "block"))
    screen.add_argument("--review-risk-score-from", type=int, metavar="N")
    screen.add_argument(
        "--allow-sanctioned", action="store_true", help="do not block sanctions-flagged stones"
    )
    screen.add_argument("--fallback", choices=("fail_open", "fail_closed"))
    screen.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_SCREEN_BUDGET,
        metavar="SECONDS",
        help=f"seconds for the whole screening, retries included (default {DEFAULT_SCREEN_BUDGET})",
    )
    screen.set_defaults(run=_screen)

    assess = commands.add_parser(
        "assess",
        help="assess a provenance record (not stored)",
        description="Both verdicts for a provenance record sent inline. Exit 0 when it passes.",
    )
    assess.add_argument("record", help="the record as JSON (a test vector works too); - for stdin")
    assess.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to speak for")
    assess.set_defaults(run=_assess)

    verify = commands.add_parser(
        "verify",
        help="verify a signed attestation offline",
        description="Checks the ES256 signature against the key set in --jwks, or against "
        "/.well-known/jwks.json fetched from the API. Exit 0 valid, 1 invalid.",
    )
    verify.add_argument("attestation", help="a file holding the attestation, the token, or -")
    verify.add_argument(
        "--jwks",
        metavar="FILE",
        help="verify offline with this key set instead of the API's (needs --trust-jwks)",
    )
    verify.add_argument(
        "--trust-jwks",
        action="store_true",
        help="accept the --jwks file as Clearstone's keys (prints a warning and its thumbprint)",
    )
    verify.add_argument(
        "--offline",
        action="store_true",
        help="fetch the keys but not the attestation's status: currency is reported unknown",
    )
    verify.set_defaults(run=_verify)

    evidence = commands.add_parser(
        "evidence",
        help="the importer's sanctions evidence pack for one jurisdiction",
        description="What an importer into the EU, the US or the UK must declare for the "
        "stone, prefilled from its chain, what is missing and which rule asks for it. For the "
        "stone's supplier and for retailers who screened it. It assists a declaration; it is "
        "not one. Exit 0 when the stone is clear there and nothing is missing or prohibited.",
    )
    evidence.add_argument("number", help="grading-report number, GIA-..., an alias or CS-...")
    evidence.add_argument("--jurisdiction", required=True, choices=("EU", "US", "UK"))
    evidence.add_argument("--html", metavar="FILE", help="also save the printable page")
    evidence.set_defaults(run=_evidence)

    for command in (check, screen, assess, verify, evidence):
        _common(command, top=False)
    return parser


def main(
    argv: Sequence[str] | None = None, *, _client_options: Mapping[str, Any] | None = None
) -> int:
    """Run the command line; returns the exit code. ``_client_options`` go to
    :class:`~clearstone.Clearstone` (tests inject a transport and a clock)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    run = _Run(args, _client_options or {})
    try:
        code: int = args.run(run)
    except UsageError as exc:
        print(f"clearstone: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except APIConnectionError as exc:
        base = args.base_url or "the API"
        print(f"clearstone: cannot reach {base}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except APIStatusError as exc:
        print(f"clearstone: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (ClearstoneError, pydantic.ValidationError, ValueError) as exc:
        print(f"clearstone: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return code
