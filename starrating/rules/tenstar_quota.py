"""The 优秀 quota of a branch: who of the members eligible for 优秀 is graded 优秀, who 合格."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import floor

from starrating.rules.numbers import round_half_up
from starrating.rules.tenstar import Grade, MemberOutcome
from starrating.rules.tenstar_scheme import TenStarScheme


class DuplicateMember(ValueError):
    """The same member twice among the outcomes of one branch."""


@dataclass(frozen=True)
class Candidate:
    """A member eligible for 优秀, in the order the page lists them: stars, then 满意率."""

    member_id: int
    rank: int
    tied: bool
    star_count: int
    satisfaction_rate: Decimal | None

    def describe(self) -> str:
        rate = (
            "—" if self.satisfaction_rate is None else f"{round_half_up(self.satisfaction_rate)}%"
        )
        tie = "（并列）" if self.tied else ""
        return f"优秀资格第 {self.rank} 名{tie}：{self.star_count} 颗星，满意率 {rate}"


@dataclass(frozen=True)
class QuotaResult:
    """The branch's grades after the quota. Blocked (submission may not go ahead) while more
    members are eligible than the quota allows and no valid confirmation has been given, or
    while some member's stars are still provisional."""

    graded: int
    quota: int
    candidates: tuple[Candidate, ...]
    needs_confirmation: bool
    problems: tuple[str, ...]
    grades: dict[int, Grade]
    explanations: dict[int, tuple[str, ...]]
    summary: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.problems)


def excellence_quota(graded: int, scheme: TenStarScheme) -> int:
    """优秀 may be at most 1/3 (the scheme's share) of graded members, so the share rounded down:
    9 graded → 3, 10 → 3, 2 → 0."""
    return floor(graded * scheme.grades.excellent_quota)


def apply_excellence_quota(
    outcomes: Sequence[MemberOutcome],
    scheme: TenStarScheme,
    confirmed_ids: set[int] | None = None,
) -> QuotaResult:
    """Graded members are those with a grade (not 预备党员, not 免评). When no more are eligible
    than the quota, all eligible are 优秀. Otherwise the 支委会 confirms at most the quota from
    among the eligible (listed by stars, then 满意率): those are 优秀, the other eligible 合格."""
    _refuse_duplicates(outcomes)
    graded = sum(1 for outcome in outcomes if outcome.grade.is_graded)
    quota = excellence_quota(graded, scheme)
    candidates = _ranked(o for o in outcomes if o.grade is Grade.EXCELLENT_ELIGIBLE)
    needs_confirmation = len(candidates) > quota
    refused = _confirmation_problems(candidates, quota, confirmed_ids) if needs_confirmation else []
    settled = not refused
    chosen = confirmed_ids if needs_confirmation and confirmed_ids is not None else set()
    grades = {outcome.member_id: outcome.grade for outcome in outcomes}
    explanations: dict[int, tuple[str, ...]] = {}
    for candidate in candidates:
        grade, line = _candidate_grade(candidate, quota, needs_confirmation, settled, chosen)
        grades[candidate.member_id] = grade
        explanations[candidate.member_id] = (candidate.describe(), line)
    summary = _summary(graded, quota, len(candidates), scheme)
    return QuotaResult(
        graded=graded,
        quota=quota,
        candidates=candidates,
        needs_confirmation=needs_confirmation,
        problems=(*_provisional_problems(outcomes), *refused),
        grades=grades,
        explanations=explanations,
        summary=summary,
    )


def _refuse_duplicates(outcomes: Sequence[MemberOutcome]) -> None:
    ids = [outcome.member_id for outcome in outcomes]
    if len(set(ids)) != len(ids):
        raise DuplicateMember(f"a member appears twice among {ids}")


def _ranked(eligible: Iterable[MemberOutcome]) -> tuple[Candidate, ...]:
    """More stars first; among equal stars the higher 满意率 (none known: last); a tie shares a
    rank. Member id only keeps the order stable, it carries no meaning."""
    members = sorted(
        eligible,
        key=lambda o: (-o.star_count, o.satisfaction_rate is None, -(o.satisfaction_rate or 0)),
    )
    keys = [(o.star_count, o.satisfaction_rate) for o in members]
    return tuple(
        Candidate(
            member_id=o.member_id,
            rank=keys.index(key) + 1,
            tied=keys.count(key) > 1,
            star_count=o.star_count,
            satisfaction_rate=o.satisfaction_rate,
        )
        for o, key in zip(members, keys, strict=True)
    )


def _provisional_problems(outcomes: Sequence[MemberOutcome]) -> list[str]:
    pending = sum(1 for outcome in outcomes if outcome.provisional)
    return [f"尚有 {pending} 名党员的星级未评定完毕，等次为暂定"] if pending else []


def _confirmation_problems(
    candidates: tuple[Candidate, ...], quota: int, confirmed_ids: set[int] | None
) -> list[str]:
    if confirmed_ids is None:
        return [
            f"具备优秀资格 {len(candidates)} 人，超过优秀名额 {quota} 人，"
            "须由支委会确认评为优秀的人选"
        ]
    problems = []
    strangers = confirmed_ids - {candidate.member_id for candidate in candidates}
    if strangers:
        problems.append(f"确认名单中有 {len(strangers)} 人不具备优秀资格")
    if len(confirmed_ids) > quota:
        problems.append(f"确认评为优秀 {len(confirmed_ids)} 人，超过优秀名额 {quota} 人")
    return problems


def _candidate_grade(
    candidate: Candidate, quota: int, needs_confirmation: bool, settled: bool, chosen: set[int]
) -> tuple[Grade, str]:
    if not needs_confirmation:
        return Grade.EXCELLENT, "未超过优秀名额，评为优秀"
    if not settled:
        return Grade.EXCELLENT_ELIGIBLE, "超过优秀名额，待支委会确认"
    if candidate.member_id in chosen:
        return Grade.EXCELLENT, "经支委会确认，评为优秀"
    return Grade.QUALIFIED, f"因优秀名额所限（{quota} 人），未列入支委会确认名单，评为合格"


def _summary(graded: int, quota: int, eligible: int, scheme: TenStarScheme) -> tuple[str, ...]:
    share = scheme.grades.excellent_quota
    first = (
        f"参评党员 {graded} 人（不含预备党员和免评党员），"
        f"优秀名额 = {graded} × {share}，向下取整 = {quota} 人；具备优秀资格 {eligible} 人"
    )
    if eligible <= quota:
        return first, "未超过名额，具备优秀资格的党员全部评为优秀"
    return first, f"超过名额，须由支委会确认不超过 {quota} 人评为优秀，其余具备优秀资格的评为合格"
