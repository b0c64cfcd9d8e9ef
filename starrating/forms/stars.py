"""摘星 and 升星 (DESIGN.md §15): the secretary's form for the 支委会's decision. Shape only:
whether the star is held, the dates fall in the year and the reason is the scheme's is the
rules' business (rules/star_changes.py)."""

from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from starrating.forms import ChineseDateField, required, required_date
from starrating.forms.base import ChineseForm
from starrating.rules.star_changes import ChangeKind, StarChangeRules

NOTE_LENGTH = 200


class StarChangeForm(ChineseForm):
    kind = SelectField(
        "摘星还是升星",
        choices=[SelectChoice(kind.value, kind.label) for kind in ChangeKind],
        validators=[required()],
    )
    star_code = SelectField("哪一颗星", validate_choice=False, validators=[required()])
    reason = SelectField("理由（在公示栏公开）", validate_choice=False, validators=[required()])
    changed_on = ChineseDateField("摘星或升星的日期", validators=[required_date()])
    decided_on = ChineseDateField("支委会研究决定的日期", validators=[required_date()])
    note = TextAreaField(
        "备注（不公开，只有本村党支部和乡镇能看到）",
        validators=[Optional(), Length(max=NOTE_LENGTH)],
    )

    def offer(self, stars: list[tuple[str, str]], rules: StarChangeRules) -> None:
        """The approved year's stars and the scheme's reasons as the choices."""
        self.star_code.choices = [SelectChoice("", "请选择")] + [
            SelectChoice(code, name) for code, name in stars
        ]
        kinds = [k for k in ChangeKind if k is ChangeKind.REMOVE or rules.award_allowed]
        self.reason.choices = [SelectChoice("", "请选择")] + [
            SelectChoice(reason, reason, optgroup=f"{kind.label}理由")
            for kind in kinds
            for reason in rules.reasons(kind)
        ]
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in kinds]
