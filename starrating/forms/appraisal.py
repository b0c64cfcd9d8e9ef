"""The cadres' year end: the secretary's verified completion of an item, the township's score."""

from decimal import Decimal

from wtforms import HiddenField

from starrating.forms.base import ChineseForm
from starrating.forms.numbers import FigureField
from starrating.rules.values import Figure


class CompletionForm(ChineseForm):
    """核定完成 in percent: not negative; above 100 is kept and counted as 100 by the rule."""

    shown = HiddenField()  # rules/stale.fingerprint of the completion the form showed

    completion = FigureField(
        "核定完成（%）",
        Figure(
            Decimal(0),
            Decimal(1000),
            places=1,
            example="80 或 80.5",
            range_message="核定完成须在 0–1000 之间（超过 100 按 100 计）",
        ),
    )


class TownshipScoreForm(ChineseForm):
    """乡镇评价: 0–100, one decimal."""

    shown = HiddenField()  # rules/stale.fingerprint of the score the form showed

    score = FigureField(
        "乡镇评价",
        Figure(
            Decimal(0),
            Decimal(100),
            places=1,
            example="85 或 85.5",
            range_message="乡镇评价须在 0–100 之间",
        ),
    )
