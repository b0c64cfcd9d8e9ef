"""Frozen dataclasses as plain JSON values and back, by their type hints: how a stored result
version (queries/versions.py) keeps the rows the pages and workbooks were built from.

Decimals travel as strings (never floats: 92.5 stays 92.5), dates as ISO days, enums as their
values, tuples and lists as lists, dataclasses as objects of their init fields. What comes back
is equal to what went in: `restore(T, plain(x)) == x` (tests/test_plain.py).
"""

import dataclasses
import types
import typing
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def plain(value: Any, *, canonical: bool = False) -> Any:
    """value as JSON-ready data (dicts, lists, strings, numbers, booleans, None). canonical
    writes each decimal without its trailing zeros (95.0 and 95 are the same figure: what a
    session has just assigned and what it reads back from a NUMERIC column differ only so),
    for digests."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name), canonical=canonical)
            for f in dataclasses.fields(value)
            if f.init
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if canonical else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item, canonical=canonical) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, canonical=canonical) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} as plain data")


def restore(kind: Any, data: Any) -> Any:
    """What plain(value) made, back as a value of that kind (a type hint)."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin is not None:
        return _restore_generic(kind, origin, data)
    if kind is Any:
        return data
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        fields = (f for f in dataclasses.fields(kind) if f.init and f.name in data)
        return kind(**{f.name: restore(hints[f.name], data[f.name]) for f in fields})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is Decimal:
        return Decimal(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind in (int, float, bool) or (isinstance(kind, type) and issubclass(kind, str)):
        return kind(data)  # a str subclass too: a Markup label this app escaped is Markup again
    raise TypeError(f"cannot restore a {kind}")


def _restore_generic(kind: Any, origin: Any, data: Any) -> Any:
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in args if k is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot restore an ambiguous {kind}")
        return restore(options[0], data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(restore(args[0], item) for item in data)
        return tuple(restore(arg, item) for arg, item in zip(args, data, strict=True))
    if origin in (list, Sequence):
        return [restore(args[0], item) for item in data]
    if origin is dict:
        return {restore(args[0], k): restore(args[1], v) for k, v in data.items()}
    raise TypeError(f"cannot restore a {kind}")


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
