"""Where a shopper checks a grading report on the lab's own site: one row per lab, with a source.

``reference/lab_report_checks.csv`` holds, per lab code, the lab's report-check page and, where
the lab's links take the report number, a URL template with ``{number}``. Every row names its
source and whether it was confirmed. A lab not listed gets no link (never a guessed one).

Example::

    report_check("GIA", "0000310040").url
    # "https://www.gia.edu/report-check?reportno=0000310040"
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from importlib import resources
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, field_validator

from clearstone_api.domain.text import check_https_url

__all__ = ["LabReportCheck", "ReportCheckLink", "lab_report_checks", "report_check"]


class LabReportCheck(BaseModel):
    """One row of ``lab_report_checks.csv``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lab: str
    name: str
    url_template: str
    """An https URL; ``{number}`` in it is replaced by the URL-encoded report number."""
    source_title: str
    source_url: str
    retrieved_at: dt.date
    verification: Literal["verified", "unverified"]
    note: str = ""

    @field_validator("url_template", "source_url")
    @classmethod
    def _https(cls, value: str) -> str:
        checked = check_https_url(value)
        assert checked is not None
        return checked


class ReportCheckLink(BaseModel):
    """A link to the lab's own check of one report."""

    model_config = ConfigDict(frozen=True)

    lab: str
    name: str
    url: str
    takes_number: bool
    """False when the page opens the lab's lookup and the number must be typed there."""


@functools.cache
def lab_report_checks() -> dict[str, LabReportCheck]:
    """The shipped rows by lab code (upper case)."""
    path = resources.files("clearstone_api") / "reference" / "lab_report_checks.csv"
    text = path.read_text(encoding="utf-8")
    rows = [LabReportCheck.model_validate(row) for row in csv.DictReader(io.StringIO(text))]
    return {row.lab.upper(): row for row in rows}


def report_check(lab: str | None, number: str | None) -> ReportCheckLink | None:
    """The lab's own report check for ``number``; None for a lab not listed."""
    if not lab or not number:
        return None
    row = lab_report_checks().get(lab.strip().upper())
    if row is None:
        return None
    takes_number = "{number}" in row.url_template
    url = row.url_template.replace("{number}", quote(number.strip(), safe=""))
    return ReportCheckLink(lab=row.lab, name=row.name, url=url, takes_number=takes_number)
