"""Decimals in records and requests: a JSON number, or a string of plain digits.

One rule for the contract (the ``validation`` JSON Schema) and the server (a before validator).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BeforeValidator, WithJsonSchema

__all__ = ["DecimalInput"]


class DecimalInput:
    """A JSON number, or a decimal string of plain digits: ``""`` and ``"1e3"`` are not one.

    The same rule for the contract (the ``validation`` JSON Schema) and the server (a before
    validator), so what the schema refuses the service refuses too.
    """

    def __init__(self, number: dict[str, float], digits: int, places: int) -> None:
        self.pattern = rf"^\d{{1,{digits}}}(\.\d{{1,{places}}})?$"
        string = {"type": "string", "pattern": self.pattern}
        either = {"anyOf": [{"type": "number", **number}, string]}
        self.schema = WithJsonSchema(either, "validation")
        self.validator = BeforeValidator(self._check)

    def _check(self, value: object) -> object:
        # After a before-validator pydantic validates a Python object, and strict mode takes
        # only a Decimal there: the JSON forms the contract allows become one here.
        if isinstance(value, str):
            if not re.fullmatch(self.pattern, value):
                raise ValueError("a decimal is a number or a string of digits such as '1.25'")
            return Decimal(value)
        if isinstance(value, float | int) and not isinstance(value, bool):
            return Decimal(str(value))
        return value
