"""Stars through the year (动态管理, DESIGN.md §15): after a year is approved each member's stars
are their current stars; from then to the end of the following year the 支委会 may 摘星 (take
one away) or 升星 (restore or add one), each with a public reason from the scheme's list and
its decision date.

The scheme's part of it (StarChangeRules, kept inside the ten-star scheme): the public reasons
for 摘星 and for 升星, and whether 升星 is allowed at all. A scheme made before these settings
uses the defaults below. Pure: the checks and the arithmetic of current stars."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

MAX_REASON = 100

# drawn from the stars' criteria (DESIGN §4, the 翁家埠村 scheme): what costs a member a star
DEFAULT_REMOVAL_REASONS = (
    "无正当理由不参加三会一课或主题党日",
    "未按时足额交纳党费",
    "不服从组织安排",
    "参与赌博、封建迷信等活动",
    "在村级重点工作中未发挥带头作用",
    "未兑现公开承诺",
    "群众反映强烈、造成不良影响",
)
DEFAULT_AWARD_REASONS = (
    "问题已整改到位，经支委会研究恢复",
    "在急难险重任务中表现突出",
    "在志愿服务、结对帮扶中表现突出",
    "带领群众发展产业、增收致富成效明显",
)


class ChangeKind(StrEnum):
    REMOVE = "remove"  # 摘星
    AWARD = "award"  # 升星

    @property
    def label(self) -> str:
        return "摘星" if self is ChangeKind.REMOVE else "升星"


@dataclass(frozen=True)
class StarChangeRules:
    removal_reasons: tuple[str, ...] = DEFAULT_REMOVAL_REASONS
    award_reasons: tuple[str, ...] = DEFAULT_AWARD_REASONS
    award_allowed: bool = True

    def reasons(self, kind: ChangeKind) -> tuple[str, ...]:
        return self.removal_reasons if kind is ChangeKind.REMOVE else self.award_reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "removal_reasons": list(self.removal_reasons),
            "award_reasons": list(self.award_reasons),
            "award_allowed": self.award_allowed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "StarChangeRules":
        """The settings back; one left out (a scheme older than it) takes the default."""
        default = cls()
        allowed = data.get("award_allowed", default.award_allowed)
        if not isinstance(allowed, bool):
            raise TypeError(f"expected true or false, got {allowed!r}")
        return cls(
            removal_reasons=_texts(data.get("removal_reasons", default.removal_reasons)),
            award_reasons=_texts(data.get("award_reasons", default.award_reasons)),
            award_allowed=allowed,
        )


def _texts(values: Iterable[object]) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"expected a list of text, got {values!r}")
    return tuple(str(v) for v in values)


def rules_problems(rules: StarChangeRules) -> list[str]:
    """What is wrong with the settings, in Chinese (the scheme's validation lists them)."""
    problems = [] if rules.removal_reasons else ["至少须列出一种摘星理由"]
    if rules.award_allowed and not rules.award_reasons:
        problems.append("允许升星时，至少须列出一种升星理由")
    for what, reasons in (("摘星理由", rules.removal_reasons), ("升星理由", rules.award_reasons)):
        if any(not reason.strip() for reason in reasons):
            problems.append(f"{what}不能为空白")
        if any(len(reason) > MAX_REASON for reason in reasons):
            problems.append(f"每条{what}不能超过 {MAX_REASON} 字")
        counts = Counter(reason.strip() for reason in reasons)
        problems += [f"{what}“{r}”重复" for r, n in counts.items() if r and n > 1]
    return problems


# --- a member's current stars ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    star_code: str


def current_stars(
    codes: Sequence[str], approved: Sequence[bool], changes: Iterable[Change]
) -> tuple[bool, ...]:
    """The stars held now, in the scheme's order: the approved ones, with each 摘星 and 升星
    applied in the order they were made."""
    held = {code for code, got in zip(codes, approved, strict=True) if got}
    for change in changes:
        if change.kind is ChangeKind.REMOVE:
            held.discard(change.star_code)
        else:
            held.add(change.star_code)
    return tuple(code in held for code in codes)


@dataclass(frozen=True)
class Proposed:
    """A 摘星 or 升星 as the secretary typed it."""

    kind: ChangeKind
    star_code: str
    on: date | None
    decided_on: date | None
    reason: str


@dataclass(frozen=True)
class Standing:
    """What the check needs to know of the member and the approved year."""

    year: int  # the approved assessment year
    approved_on: date  # the township approved it: changes fall from then to the next year's end
    in_year: bool  # the member is in the approved year's list
    exempt: bool  # 免评 in that year: no stars to change
    leaver: str | None  # 已转出 / 已去世, or None for a member still on the roster
    star_names: Mapping[str, str]  # code → name, in the scheme's order
    held: frozenset[str]


def change_problems(
    proposed: Proposed, standing: Standing, rules: StarChangeRules, *, today: date
) -> list[str]:
    """Every reason the change is refused, in Chinese; none means it may be recorded."""
    kind, label, year = proposed.kind, proposed.kind.label, standing.year
    if not standing.in_year:
        return [f"该党员不在 {year} 年度的评定名单中，没有可调整的星级"]
    if standing.exempt:
        return [f"该党员 {year} 年度免评，没有星级，不能{label}"]
    if standing.leaver:
        return [f"该党员{standing.leaver}，不能再{label}"]
    problems = []
    if kind is ChangeKind.AWARD and not rules.award_allowed:
        problems.append(f"按 {year} 年度方案，不允许升星")
    name = standing.star_names.get(proposed.star_code)
    if name is None:
        problems.append(f"请从 {year} 年度方案的十颗星中选择")
    elif kind is ChangeKind.REMOVE and proposed.star_code not in standing.held:
        problems.append(f"该党员目前没有「{name}」，不能摘星")
    elif kind is ChangeKind.AWARD and len(standing.held) >= len(standing.star_names):
        problems.append("该党员已是十星，不能再升星")
    elif kind is ChangeKind.AWARD and proposed.star_code in standing.held:
        problems.append(f"该党员已有「{name}」，不能再升星")
    if proposed.reason not in rules.reasons(kind):
        problems.append(f"请从方案列出的{label}理由中选择")
    window = (standing.approved_on, date(year + 1, 12, 31))
    problems += _date_problems(proposed.on, f"{label}日期", window, today)
    problems += _date_problems(proposed.decided_on, "支委会研究决定的日期", window, today)
    if proposed.on and proposed.decided_on and proposed.decided_on > proposed.on:
        problems.append(f"支委会研究决定的日期不能晚于{label}日期")
    return problems


def _date_problems(
    value: date | None, what: str, window: tuple[date, date], today: date
) -> list[str]:
    """A day from the approval to the end of the year after the approved one, not in the future."""
    if value is None:
        return [f"请填写{what}"]
    first, last = window
    if not first <= value <= last:
        return [
            f"{what}须在 {first.year}年{first.month}月{first.day}日（评定结果审批）"
            f"至 {last.year} 年底之间"
        ]
    if value > today:
        return [f"{what}不能晚于今天"]
    return []
