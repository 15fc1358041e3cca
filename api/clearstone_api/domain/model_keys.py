"""The keys a request model takes at a path inside it: what a "did you mean" is chosen from.

Example::

    known_keys(ScreeningCreate, ("policy",))  # ['block_csc', 'block_kp', ...]
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

__all__ = ["known_keys"]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds, through ``Optional``, ``list``, ``Annotated`` and unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (
        typing.Union,
        types.UnionType,
        list,
        tuple,
        typing.Annotated,
    ):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def known_keys(model: Any, path: Sequence[Any]) -> list[str]:
    """The field names (and aliases) of the object at ``path`` in ``model``; [] when the path
    leaves the model (a dict, a list index past a model, a name it does not have)."""
    current = _model_in(model)
    for part in path:
        if current is None:
            return []
        if isinstance(part, int):
            continue  # a list index: the list's items are the same model
        field = current.model_fields.get(str(part))
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    names = set(current.model_fields)
    names |= {field.alias for field in current.model_fields.values() if field.alias}
    return sorted(names)
