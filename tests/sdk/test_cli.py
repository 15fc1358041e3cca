"""The ``clearstone`` command over a mock API: output for people and machines, and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clearstone import JsonWebKey, thumbprint
from clearstone._cli import EXIT_DOES_NOT_PASS, EXIT_ERROR, EXIT_OK, main
from clearstone._constants import ENV_API_KEY, JWKS_PATH

from .conftest import FakeClock
from .factories import BASE_URL, MockServer, certificate_view, ok, problem, screening_result
from .test_attestations import SigningKey, attestation, b64json

RED_FLAG = {
    "result": "red_flag",
    "risk_score": 88,
    "summary": "Killings and forced labour documented at the site.",
    "criteria": [
        {
            "code": "C02",
            "name": "Killings",
            "level": "red_flag",
            "reason": "The army killed at least 214 miners.",
            "incidents": [
                {
                    "incident_id": "INC-ZW-MARANGE-2008",
                    "title": "Operation Hakudzokwi",
                    "status": "documented",
                    "sources": [
                        {
                            "id": "hrw-2009",
                            "title": "Diamonds in the Rough",
                            "publisher": "Human Rights Watch",
                            "url": "https://www.hrw.org/report/2009/06/26/diamonds-rough",
                        }
                    ],
                }
            ],
        }
    ],
}


class CLI:
    """``clearstone ...`` against a mock server, without sleeping through retries."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.server = MockServer()
        self.clock = FakeClock()
        self.http = httpx.Client(transport=httpx.MockTransport(self.server))

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(
            [*argv, "--base-url", BASE_URL],
            _client_options={
                "http_client": self.http,
                "_sleep": self.clock.sleep,
                "_clock": self.clock,
            },
        )
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[CLI]:
    runner = CLI(capsys)
    yield runner
    runner.http.close()


def _write(path: Path, content: Any) -> str:
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


# Help and usage.


@pytest.mark.parametrize(
    "command", [[], ["check"], ["screen"], ["assess"], ["verify"], ["evidence"]]
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("usage: clearstone")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("usage: clearstone")


def test_an_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "1", "--colour"]) == EXIT_ERROR
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


# check


def test_check_prints_the_consumer_view_and_passes(cli: CLI) -> None:
    cli.server.replies.append(ok(certificate_view()))
    code, out, _ = cli("check", "7770001")
    assert code == EXIT_OK
    assert "Stone CS-7Q2K: natural, polished, 1.01 ct, GIA 7770001" in out
    assert "Origin: BW/Southern (sites: jwaneng)" in out
    assert "evidence level: documented" in out
    assert "Kimberley Process (narrow definition): PASS" in out
    assert "Human rights (KP Civil Society Coalition criteria): NO KNOWN RED FLAGS" in out
    assert "As of 2026-11-01" in out
    assert cli.server.requests[0].url.path == "/v1/certificates/7770001"


def test_check_shows_reasons_and_sources_and_fails_on_a_red_flag(cli: CLI) -> None:
    cli.server.replies.append(ok(certificate_view(csc=RED_FLAG)))
    code, out, _ = cli("check", "DEMO-ZW-MARANGE-2008")
    assert code == EXIT_DOES_NOT_PASS
    assert "RED FLAG, risk 88/100" in out
    assert "C02 Killings: red flag (INC-ZW-MARANGE-2008)" in out
    assert "The army killed at least 214 miners." in out
    assert "INC-ZW-MARANGE-2008 (documented): Operation Hakudzokwi" in out
    assert "source: Human Rights Watch, Diamonds in the Rough <https://www.hrw.org/" in out


@pytest.mark.parametrize("kp", ["fail", "insufficient_evidence"])
def test_check_fails_when_the_kp_does_not_pass(cli: CLI, kp: str) -> None:
    view = certificate_view(kp={"result": kp, "summary": "No.", "checks": []})
    cli.server.replies.append(ok(view))
    assert cli("check", "1")[0] == EXIT_DOES_NOT_PASS


def test_check_json_is_the_view(cli: CLI) -> None:
    cli.server.replies.append(ok(certificate_view()))
    code, out, _ = cli("check", "7770001", "--json")
    assert code == EXIT_OK
    assert json.loads(out)["stone"]["id"] == "CS-7Q2K"


def test_json_may_come_before_the_command(cli: CLI) -> None:
    cli.server.replies.append(ok(certificate_view()))
    _, out, _ = cli("--json", "check", "7770001")
    assert json.loads(out)["kp"]["result"] == "pass"


def test_an_unknown_number_is_an_error_with_the_request_id(cli: CLI) -> None:
    cli.server.replies.append(problem(404, title="Not Found", request_id="req-404"))
    code, out, err = cli("check", "0000")
    assert (code, out) == (EXIT_ERROR, "")
    assert "404 Not Found" in err and "req-404" in err


def test_an_unreachable_api_is_exit_2(cli: CLI) -> None:
    cli.server.replies.extend(httpx.ConnectError("refused") for _ in range(3))
    code, _, err = cli("check", "7770001")
    assert code == EXIT_ERROR
    assert f"cannot reach {BASE_URL}" in err


def test_credentials_come_from_the_environment(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "key-from-env")
    cli.server.replies.append(ok(certificate_view()))
    cli("check", "7770001")
    assert cli.server.requests[0].headers["Authorization"] == "Bearer key-from-env"


# screen


def test_screen_reads_a_csv_cart_and_fails_on_review(cli: CLI, tmp_path: Path) -> None:
    cart = _write(tmp_path / "cart.csv", "sku,Number\nA,7770001\nB,9990000\n")
    cli.server.replies.append(ok(screening_result()))
    code, out, _ = cli("screen", cart)
    assert code == EXIT_DOES_NOT_PASS
    assert json.loads(cli.server.requests[0].content) == {"items": ["7770001", "9990000"]}
    assert "Cart: REVIEW (2 item(s))" in out
    assert "9990000  review  unknown to Clearstone" in out
    assert "Unknown number." in out


def test_screen_passes_when_every_line_is_allowed(cli: CLI, tmp_path: Path) -> None:
    cart = _write(tmp_path / "cart.json", ["7770001"])
    allowed = screening_result(decision="allow", items=screening_result()["items"][:1])
    cli.server.replies.append(ok(allowed))
    assert cli("screen", cart)[0] == EXIT_OK


def test_screen_takes_json_objects_and_policy_flags(cli: CLI, tmp_path: Path) -> None:
    cart = _write(tmp_path / "cart.json", [{"number": "7770001"}, {"number": "9990000"}])
    policy = _write(tmp_path / "policy.json", {"review_kp": []})
    cli.server.replies.append(ok(screening_result()))
    cli(
        "screen",
        cart,
        "--policy",
        policy,
        "--block-csc",
        "red_flag,elevated_risk",
        "--unknown",
        "block",
        "--review-risk-score-from",
        "60",
        "--allow-sanctioned",
    )
    assert json.loads(cli.server.requests[0].content)["policy"] == {
        "review_kp": [],
        "block_csc": ["red_flag", "elevated_risk"],
        "unknown": "block",
        "review_risk_score_from": 60,
        "block_sanctions": False,
    }


def test_screen_json_output(cli: CLI, tmp_path: Path) -> None:
    cli.server.replies.append(ok(screening_result()))
    _, out, _ = cli("screen", _write(tmp_path / "c.json", ["7770001", "9990000"]), "--json")
    assert [i["decision"] for i in json.loads(out)["items"]] == ["allow", "review"]


def test_screen_without_a_fallback_reports_a_connection_error(cli: CLI, tmp_path: Path) -> None:
    cli.server.replies.extend(httpx.ConnectError("refused") for _ in range(3))
    assert cli("screen", _write(tmp_path / "c.json", ["1"]))[0] == EXIT_ERROR


def test_screen_fail_open_allows_a_cart_when_the_api_is_down(cli: CLI, tmp_path: Path) -> None:
    cli.server.replies.extend(httpx.ConnectError("refused") for _ in range(3))
    code, out, _ = cli("screen", _write(tmp_path / "c.json", ["1", "2"]), "--fallback", "fail_open")
    assert code == EXIT_OK
    assert "DEGRADED: Clearstone did not answer (connection_error)" in out
    assert "fail_open fallback" in out
    assert "not checked: Clearstone unreachable" in out
    assert "unknown to Clearstone" not in out  # unreachable is not unknown


def test_screen_fail_closed_reviews_a_cart_when_the_api_is_down(cli: CLI, tmp_path: Path) -> None:
    cli.server.replies.extend(problem(503) for _ in range(3))
    code, out, _ = cli(
        "screen", _write(tmp_path / "c.json", ["1"]), "--fallback", "fail_closed", "--json"
    )
    assert code == EXIT_DOES_NOT_PASS
    result = json.loads(out)
    assert (result["degraded"], result["degraded_reason"], result["decision"]) == (
        True,
        "http_503",
        "review",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", "sku\nA\n", "no 'number' column"),
        ("c.csv", "number\n7770001\n\n,\n", "every line needs a certificate number"),
        ("c.json", '{"items": []}', "a JSON cart is a list"),
        ("c.json", "[", "is not JSON"),
        ("c.json", "[]", "1 to 100 lines"),
    ],
)
def test_a_bad_cart_is_a_usage_error(
    cli: CLI, tmp_path: Path, name: str, content: str, message: str
) -> None:
    code, _, err = cli("screen", _write(tmp_path / name, content))
    assert code == EXIT_ERROR
    assert message in err
    assert cli.server.requests == []


def test_a_missing_cart_file_is_a_usage_error(cli: CLI, tmp_path: Path) -> None:
    code, _, err = cli("screen", str(tmp_path / "nope.csv"))
    assert code == EXIT_ERROR and "cannot read" in err


# assess


def _assessment(**changes: Any) -> dict[str, Any]:
    view = certificate_view(**changes)
    del view["stone"], view["assessed_at"]
    return {**view, "subject": {"id": "S1", "kind": "stone", "origin": "natural", "carat": "1"}}


def test_assess_sends_the_record_and_prints_both_verdicts(cli: CLI, tmp_path: Path) -> None:
    record = _write(tmp_path / "record.json", {"subject_id": "S1", "stones": []})
    cli.server.replies.append(ok(_assessment()))
    code, out, _ = cli("assess", record, "--as-of", "2026-11-01")
    assert code == EXIT_OK
    assert json.loads(cli.server.requests[0].content) == {
        "record": {"subject_id": "S1", "stones": []},
        "as_of": "2026-11-01",
    }
    assert "Subject S1: stone, natural, 1 ct" in out
    assert "Kimberley Process (narrow definition): PASS" in out


def test_assess_takes_a_test_vector_and_fails_on_a_red_flag(cli: CLI, tmp_path: Path) -> None:
    vector = _write(tmp_path / "v.json", {"name": "x", "record": {"subject_id": "S1"}})
    cli.server.replies.append(ok(_assessment(csc=RED_FLAG)))
    assert cli("assess", vector)[0] == EXIT_DOES_NOT_PASS
    assert json.loads(cli.server.requests[0].content) == {"record": {"subject_id": "S1"}}


def test_assess_reports_invalid_records_field_by_field(cli: CLI, tmp_path: Path) -> None:
    errors = [{"path": "body.record.subject_id", "message": "Field required", "type": "missing"}]
    cli.server.replies.append(problem(422, title="Unprocessable", errors=errors))
    code, _, err = cli("assess", _write(tmp_path / "r.json", {}))
    assert code == EXIT_ERROR
    assert "body.record.subject_id: Field required" in err


# verify


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey("2026-11-a")


def test_verify_offline_with_a_key_set_file(cli: CLI, tmp_path: Path, key: SigningKey) -> None:
    token = _write(tmp_path / "stone.jws", attestation(key) + "\n")
    jwks = _write(tmp_path / "jwks.json", {"keys": [key.jwk()]})
    code, out, err = cli("verify", token, "--jwks", jwks, "--trust-jwks")
    assert code == EXIT_OK
    assert "VALID attestation, signed with key 2026-11-a (ES256)" in out
    assert f"Key thumbprint (RFC 7638): {thumbprint(JsonWebKey(**key.jwk()))}" in out
    assert "Status: UNKNOWN. The signature is valid, but whether" in out
    assert "days ago" in out
    assert "warning: Verifying with a key set you supplied" in err
    assert "Stone CS-7Q2K" in out
    assert cli.server.requests == []


def test_a_key_set_file_is_refused_without_trust_jwks(
    cli: CLI, tmp_path: Path, key: SigningKey
) -> None:
    """Finding 5: ``clearstone verify forged.jws --jwks forged.json`` printed VALID, exit 0."""
    token = _write(tmp_path / "forged.jws", attestation(key))
    jwks = _write(tmp_path / "forged.json", {"keys": [key.jwk()]})
    code, out, err = cli("verify", token, "--jwks", jwks)
    assert code == EXIT_ERROR
    assert "VALID" not in out
    assert "--jwks FILE is trusted only with --trust-jwks" in err
    assert cli.server.requests == []


def test_verify_takes_the_token_itself(cli: CLI, tmp_path: Path, key: SigningKey) -> None:
    jwks = _write(tmp_path / "jwks.json", {"keys": [key.jwk()]})
    code, out, _ = cli("verify", attestation(key), "--jwks", jwks, "--trust-jwks", "--json")
    assert code == EXIT_OK
    verified = json.loads(out)
    assert verified["valid"] is True
    assert verified["payload"]["assessment"]["kp"]["result"] == "pass"


def test_verify_fetches_the_published_key_set(cli: CLI, key: SigningKey) -> None:
    cli.server.replies.append(ok({"keys": [key.jwk()]}))
    assert cli("verify", attestation(key))[0] == EXIT_OK
    assert cli.server.requests[0].url.path == JWKS_PATH


def test_a_tampered_attestation_is_invalid(cli: CLI, tmp_path: Path, key: SigningKey) -> None:
    head, _, signature = attestation(key).split(".")
    forged = f"{head}.{b64json({'assessment': certificate_view()})}.{signature}"
    jwks = _write(tmp_path / "jwks.json", {"keys": [key.jwk()]})
    code, out, _ = cli("verify", forged, "--jwks", jwks, "--trust-jwks")
    assert code == EXIT_DOES_NOT_PASS
    assert out.startswith("INVALID attestation: The signature does not match")


def test_an_invalid_attestation_in_json(cli: CLI, tmp_path: Path, key: SigningKey) -> None:
    jwks = _write(tmp_path / "jwks.json", {"keys": []})
    code, out, _ = cli("verify", attestation(key), "--jwks", jwks, "--trust-jwks", "--json")
    assert code == EXIT_DOES_NOT_PASS
    assert json.loads(out) == {
        "valid": False,
        "error": "No key with kid '2026-11-a' in the key set.",
    }


def test_verify_needs_a_file_or_a_token(cli: CLI) -> None:
    code, _, err = cli("verify", "not-a-token")
    assert code == EXIT_ERROR and "neither a file nor an attestation" in err
