"""What text and dates a record, a reference row or a request may carry.

Names and numbers reach the public page, logs and PostgreSQL, so text refuses:

- C0 control characters (PostgreSQL cannot store NUL at all), DEL and the C1 controls; tab,
  line feed and carriage return only in fields marked :data:`MULTI_LINE`;
- the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make a name
  display as something other than what it is ("Trojan Source", CVE-2021-42574);

and dates lie in :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`: no diamond chain starts before
the first recorded finds' era, and nothing is dated past the end of this century.

Models opt in by inheriting :class:`CheckedValues`; the check covers every string and date
field, nested lists included, and names the field in its error.

Example::

    class Party(CheckedValues):
        name: str
        notes: Annotated[str, MULTI_LINE] | None = None
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic.fields import FieldInfo

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MULTI_LINE",
    "STORED",
    "CheckedValues",
    "check_date",
    "check_https_url",
    "check_web_url",
    "refused_character",
]

STORED = "clearstone.stored"
"""A validation context key: ``model_validate_json(data, context={STORED: True})`` reads back
what was checked when it was stored (a stored record), without checking every string again."""

EARLIEST_DATE = dt.date(1850, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI_CONTROLS + "]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI_CONTROLS + "]")


class _MultiLine:
    """Marks a text field in which tab, line feed and carriage return are allowed."""

    def __repr__(self) -> str:
        return "MULTI_LINE"


MULTI_LINE = _MultiLine()


def refused_character(value: str, *, multi_line: bool = False) -> str | None:
    """The first character ``value`` may not carry, as ``U+XXXX``; None when it is clean."""
    found = (_MULTI_LINE if multi_line else _SINGLE_LINE).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"a date between {EARLIEST_DATE} and {LATEST_DATE} is expected")
    return value


def check_https_url(value: str | None) -> str | None:
    """Only ``https://`` links are stored (never ``javascript:``, ``data:`` or plain http)."""
    if value is not None and not value.lower().startswith("https://"):
        raise ValueError("a source URL must start with https://")
    return value


def check_web_url(value: str | None) -> str | None:
    """Links in shipped reference data: ``http`` or ``https``, nothing a browser would run."""
    if value is not None and not value.lower().startswith(("https://", "http://")):
        raise ValueError("a source URL must start with https:// (or http:// in shipped data)")
    return value


def _marked(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        if any(isinstance(meta, _MultiLine) for meta in typing.get_args(annotation)[1:]):
            return True
    return any(_marked(arg) for arg in typing.get_args(annotation))


@functools.cache
def _is_multi_line(field: FieldInfo) -> bool:
    if any(isinstance(meta, _MultiLine) for meta in field.metadata):
        return True
    return _marked(field.annotation)


def _check(value: Any, multi_line: bool) -> Any:
    if isinstance(value, str):
        refused = refused_character(value, multi_line=multi_line)
        if refused is not None:
            raise ValueError(f"the character {refused} is not allowed here")
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        check_date(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item, multi_line)
    return value


class CheckedValues(BaseModel):
    """A model whose every string and date field is checked as this module says."""

    @field_validator("*", mode="after")
    @classmethod
    def _checked(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None or (info.context and info.context.get(STORED)):
            return value
        return _check(value, _is_multi_line(cls.model_fields[info.field_name]))
