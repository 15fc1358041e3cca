"""The grading report's identity fields and the labs' own report checks."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from clearstone_api.domain.grading import GradingReport
from clearstone_api.domain.report_checks import lab_report_checks, report_check

FULL: dict[str, Any] = {
    "lab": "GIA",
    "number": "0000310040",
    "carat": "1.02",
    "shape": "round_brilliant",
    "measurements": {"length_mm": "6.41", "width_mm": 6.45, "depth_mm": "3.97"},
    "colour": "G",
    "clarity": "VS1",
    "laser_inscription": "GIA 0000310040",
}


def test_a_report_states_what_a_shopper_can_match() -> None:
    identity = GradingReport.model_validate(FULL).identity()
    assert identity is not None
    assert identity.shape == "round_brilliant" and identity.clarity == "VS1"
    assert identity.measurements is not None
    assert str(identity.measurements.width_mm) == "6.45"


def test_a_report_without_identity_fields_serialises_as_before() -> None:
    report = GradingReport.model_validate({"lab": "GIA", "number": "1", "carat": "1.02"})
    assert report.identity() is None
    assert report.model_dump(mode="json") == {
        "lab": "GIA",
        "number": "1",
        "date": None,
        "carat": "1.02",
    }


@pytest.mark.parametrize("colour", ["D", "K-L", "Fancy Intense Yellow"])
def test_colour_grades_on_the_scale_or_fancy_are_accepted(colour: str) -> None:
    assert GradingReport.model_validate({**FULL, "colour": colour}).colour == colour


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("colour", "purple"),
        ("colour", "A"),
        ("clarity", "VS3"),
        ("shape", "triangle"),
        ("measurements", {"length_mm": "0", "width_mm": "6", "depth_mm": "4"}),
        ("measurements", {"length_mm": "6", "width_mm": "6"}),
        ("measurements", {"length_mm": "6", "width_mm": "6", "depth_mm": "4", "girdle": "x"}),
        ("laser_inscription", ""),
        ("laser_inscription", "GIA\u202e123"),
        ("colr", "G"),
    ],
)
def test_bad_identity_fields_and_unknown_keys_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        GradingReport.model_validate({**FULL, field: value})
    assert raised.value.errors()[0]["loc"][0] == field


def test_every_lab_report_check_row_has_an_https_link_and_a_source() -> None:
    rows = lab_report_checks()
    assert {"GIA", "IGI", "HRD"} <= set(rows)
    for row in rows.values():
        assert row.url_template.startswith("https://") and row.source_url.startswith("https://")
        assert row.source_title


def test_a_report_check_link_carries_the_number_where_the_lab_takes_it() -> None:
    gia = report_check("gia", "0000 310040")
    assert gia is not None and gia.takes_number
    assert gia.url == "https://www.gia.edu/report-check?reportno=0000%20310040"
    hrd = report_check("HRD", "1")
    assert hrd is not None and not hrd.takes_number and "{number}" not in hrd.url
    assert report_check("NOLAB", "1") is None
    assert report_check(None, "1") is None
