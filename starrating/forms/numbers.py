"""Form fields for typed figures: one parse for every form (rules/values.py decides what a
figure may be), so a full-width ８０．５, a unit typed after it or a stray 1e308 is read or
refused the same way everywhere, in Chinese, and never reaches a service as nonsense."""

from decimal import Decimal
from typing import Any

from wtforms import DecimalField, IntegerField

from starrating.forms import REQUIRED
from starrating.rules.values import Figure, Whole, typed


class _Typed:
    """What both fields share: blank is None (or, when required, 此项必填); anything else is
    read by the field's rule (a Figure or a Whole), which says in Chinese what is wrong."""

    data: Any
    required: bool
    rule: Figure | Whole

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        text = str(valuelist[0])
        if not typed(text):
            if self.required:
                raise ValueError(REQUIRED)
            return
        self.data = self.rule.read(text)


class FigureField(_Typed, DecimalField):
    """A decimal figure within its Figure's range and places. Give no validators: the Figure
    is the whole check."""

    def __init__(self, label: str, figure: Figure, *, required: bool = True, **kwargs: Any):
        super().__init__(label, places=None, **kwargs)
        self.rule, self.required = figure, required

    def process_data(self, value: Decimal | None) -> None:
        self.data = value


class WholeNumberField(_Typed, IntegerField):
    """A whole number within its Whole's range (never one the database cannot hold)."""

    def __init__(self, label: str, whole: Whole, *, required: bool = True, **kwargs: Any):
        super().__init__(label, **kwargs)
        self.rule, self.required = whole, required
