"""Response models are tolerant: new fields are kept and new enum values parse."""

from __future__ import annotations

import datetime as dt

from clearstone import CertificateView, Page, Problem, ScreeningResult

from .factories import certificate_view, screening_result


def test_a_certificate_view_parses_with_its_verdicts() -> None:
    view = CertificateView.model_validate(certificate_view())
    assert view.as_of == dt.date(2026, 11, 1)
    assert (view.kp.result, view.csc.result, view.sanctions.result) == (
        "pass",
        "no_known_red_flags",
        "clear",
    )
    assert view.kp.checks[0].evidence[0].kind == "participant_status"
    assert view.csc.risk_score == 3
    assert view.policy_version == "2026.1"
    assert view.reference_data_version == "2026-10-15"


def test_unknown_fields_are_kept() -> None:
    view = CertificateView.model_validate(
        certificate_view(attestation="eyJ...", kp={"result": "pass", "summary": "ok", "new": 1})
    )
    assert view.model_extra == {"attestation": "eyJ..."}
    assert view.kp.model_extra == {"new": 1}


def test_unknown_enum_values_parse() -> None:
    view = CertificateView.model_validate(
        certificate_view(
            kp={"result": "provisional", "summary": "New result kind.", "checks": []},
            csc={
                "result": "watchlist",
                "risk_score": 40,
                "summary": "s",
                "criteria": [{"code": "C16", "name": "New criterion", "level": "severe"}],
            },
            sanctions={"result": "under_review"},
        )
    )
    assert view.kp.result == "provisional"
    assert view.csc.criteria[0].level == "severe"
    assert view.sanctions.result == "under_review"


def test_a_screening_result_is_not_degraded_unless_it_says_so() -> None:
    result = ScreeningResult.model_validate(screening_result())
    assert result.decision == "review"
    assert [item.decision for item in result.items] == ["allow", "review"]
    assert not result.degraded
    assert result.degraded_reason is None
    assert not any(item.degraded for item in result.items)


def test_a_screening_decision_the_sdk_does_not_know_still_parses() -> None:
    result = ScreeningResult.model_validate(screening_result(decision="hold"))
    assert result.decision == "hold"


def test_a_problem_accepts_any_error_body() -> None:
    assert Problem.model_validate({}).type == "about:blank"
    problem = Problem.model_validate({"title": "t", "errors": [{"path": "body.x"}], "trace": "t1"})
    assert problem.errors[0].path == "body.x"
    assert problem.model_extra == {"trace": "t1"}


def test_a_page_is_generic_over_its_items() -> None:
    page = Page[CertificateView].model_validate({"data": [certificate_view()], "has_more": False})
    assert isinstance(page.data[0], CertificateView)
    assert page.next_cursor is None


def test_a_null_errors_list_is_an_empty_one() -> None:
    problem = Problem.model_validate({"title": "Not Found", "status": 404, "errors": None})
    assert (problem.title, problem.errors) == ("Not Found", [])
