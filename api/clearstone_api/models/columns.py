"""Column types shared by the tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, LargeBinary
from sqlalchemy.types import TypeDecorator

__all__ = ["JSON_TYPE", "BinaryBlob", "UtcDateTime", "utcnow"]

JSON_TYPE = JSON().with_variant(JSON(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    # `dialect` is unused but part of the TypeDecorator signature.
    def process_bind_param(
        self,
        value: dt.datetime | None,
        dialect: object,  # noqa: ARG002
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: object,  # noqa: ARG002
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


BinaryBlob = LargeBinary


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
