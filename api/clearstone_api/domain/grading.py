"""The grading report a stone comes with, and what on it a shopper can match to the stone in hand.

Beside the lab and the number, a report states the stone's shape, carat weight, measurements,
colour and clarity grades and, where the girdle is inscribed, the inscription: what a lab's own
report check shows first, and what a jeweller can compare with a loupe and a gauge. Every one of
these is optional (records stored before they existed keep their digests: unset fields are left
out of the serialised record), validated, and unknown keys are errors.

Example::

    GradingReport(lab="GIA", number="0000310040", shape="round_brilliant", carat="1.02",
                  measurements={"length_mm": "6.45", "width_mm": "6.49", "depth_mm": "3.98"},
                  colour="G", clarity="VS1", laser_inscription="GIA 0000310040")
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clearstone_api.domain.decimals import DecimalInput
from clearstone_api.domain.text import CheckedValues

__all__ = ["SHAPES", "GradingReport", "Measurements", "ReportIdentity"]

Shape = Literal[
    "round_brilliant",
    "princess",
    "cushion",
    "oval",
    "emerald",
    "pear",
    "marquise",
    "radiant",
    "asscher",
    "heart",
    "other",
]
Clarity = Literal["FL", "IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2", "I1", "I2", "I3"]
SHAPES: tuple[str, ...] = get_args(Shape)

Colour = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=60, pattern=r"^([D-Z](-[D-Z])?|Fancy( [A-Za-z-]+){1,5})$"
    ),
]
"""A D-to-Z grade (``G``), a range (``K-L``) or a fancy colour (``Fancy Intense Yellow``)."""

_MM = DecimalInput({"exclusiveMinimum": 0, "maximum": 100}, 3, 2)
Millimetres = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("100"), max_digits=5, decimal_places=2),
    _MM.validator,
    _MM.schema,
]
Carat = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1000000"), max_digits=12, decimal_places=3),
    DecimalInput({"exclusiveMinimum": 0, "maximum": 1000000}, 7, 3).validator,
    DecimalInput({"exclusiveMinimum": 0, "maximum": 1000000}, 7, 3).schema,
]


def _unset(value: object) -> bool:
    return value is None


class _Model(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Measurements(_Model):
    """As the report prints them: minimum and maximum diameter (or length and width) and depth,
    in millimetres."""

    length_mm: Millimetres
    width_mm: Millimetres
    depth_mm: Millimetres


_Inscription = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ReportIdentity(_Model):
    """What the report says the stone looks like: the facts a shopper can match."""

    shape: Shape | None = Field(default=None, exclude_if=_unset)
    carat: Carat | None = Field(default=None, exclude_if=_unset)
    measurements: Measurements | None = Field(default=None, exclude_if=_unset)
    colour: Colour | None = Field(default=None, exclude_if=_unset)
    clarity: Clarity | None = Field(default=None, exclude_if=_unset)
    laser_inscription: _Inscription | None = Field(default=None, exclude_if=_unset)
    """The text inscribed on the girdle, as the report gives it (usually the lab and number)."""


class GradingReport(_Model):
    """A grading lab's report on the stone: its lab, number and date, and what it states."""

    lab: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    date: dt.date | None = None
    carat: Carat | None = None
    shape: Shape | None = Field(default=None, exclude_if=_unset)
    measurements: Measurements | None = Field(default=None, exclude_if=_unset)
    colour: Colour | None = Field(default=None, exclude_if=_unset)
    """A D-to-Z grade (``G``), a range (``K-L``) or a fancy colour (``Fancy Intense Yellow``)."""
    clarity: Clarity | None = Field(default=None, exclude_if=_unset)
    laser_inscription: _Inscription | None = Field(default=None, exclude_if=_unset)
    """The text inscribed on the girdle, as the report gives it (usually the lab and number)."""

    def identity(self) -> ReportIdentity | None:
        """The identity facts this report states; None when it states none but the carat (as
        records stored before these fields existed)."""
        facts = self.model_dump(include=set(ReportIdentity.model_fields), exclude_none=True)
        if set(facts) <= {"carat"}:
            return None
        return ReportIdentity.model_validate(facts)
