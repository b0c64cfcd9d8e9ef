"""The rows of a village-year's results, worked out live from the marks, the ballots and the
pledges: each member's line (the 汇总表's, with its private remarks) and what the board shows of
it, each cadre's line (with pay) and what the board shows of it. A stored result version
(queries/versions.py) keeps exactly these rows; the pages, the board and the workbooks read them
from there once the year is public."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AssessedMember, QuarterlyReport
from starrating.queries.appraisal import CadreAppraisal, cadre_ballot_round
from starrating.queries.assessment import MemberResult, YearResults
from starrating.queries.namesakes import namesake_labels
from starrating.rules.tenstar import Grade, StarStatus
from starrating.rules.tenstar_scheme import MassMeasure
from starrating.rules.vocabulary import Membership
from starrating.spreadsheets.exports.appraisal import CadreLine, ItemLine
from starrating.spreadsheets.exports.tenstar import MemberLine
from starrating.web import china_day

# --- members ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStarRow:
    """A member's line on the board: the name (namesakes told apart), one flag per star (scheme
    order), the grade.
    A veto shows only as the grade 不合格; 预备党员 as 不评定等次; an exempt member as 免评,
    without stars (not marked at all). by_quota: graded 优秀 or 合格 by the 支委会 under the
    优秀 quota (more were eligible than it allows)."""

    name: Markup  # namesakes told apart (queries/namesakes.py), escaped
    stars: tuple[bool, ...]
    star_count: int
    grade: str
    exempt: bool = False
    by_quota: bool = False


@dataclass(frozen=True)
class PublicCadreResult:
    """A cadre's published result, without consequence flags; the pay standard and the pay
    result are shown where the scheme says so (村务公开: on by default)."""

    name: Markup
    post: str
    completion: Decimal | None
    ballot_score: Decimal | None
    satisfaction: Decimal | None
    township_score: Decimal | None
    combined: Decimal | None
    missing: tuple[str, ...]
    grade: str | None
    base_pay: Decimal | None = None
    total_pay: Decimal | None = None


def public_star_rows(results: YearResults) -> tuple[list[PublicStarRow], str | None]:
    """The members' rows as the board shows them, and the quota note when the 支委会 had to
    choose the 优秀."""
    codes = [star.code for star in results.scheme.stars]
    chosen = results.quota.needs_confirmation
    candidates = {candidate.member_id for candidate in results.quota.candidates}
    label = namesake_labels(result.assessed for result in results.members)
    rows = [
        _star_row(
            result,
            codes,
            name=label(result.assessed),
            by_quota=chosen and result.assessed.id in candidates,
        )
        for result in results.members
    ]
    note = f"优秀名额 {results.quota.quota} 人，经支委会确定" if chosen else None
    return rows, note


def _star_row(
    result: MemberResult, codes: list[str], *, name: Markup, by_quota: bool
) -> PublicStarRow:
    exempt = result.grade is Grade.EXEMPT
    return PublicStarRow(
        name=name,
        stars=() if exempt else tuple(code in result.outcome.awarded for code in codes),
        star_count=result.outcome.star_count,
        grade=result.grade.label,
        exempt=exempt,
        by_quota=by_quota,
    )


def _statuses(result: MemberResult) -> tuple[StarStatus, ...]:
    """Each star as the results page marks it: awarded only when it counts, a vetoed member's
    stars not awarded."""
    outcome, vetoed = result.outcome, result.assessed.veto_reason is not None
    statuses = []
    for decision in outcome.decisions:
        if decision.star_code in outcome.awarded:
            statuses.append(StarStatus.AWARDED)
        elif vetoed or decision.status is StarStatus.AWARDED:
            statuses.append(StarStatus.NOT_AWARDED)
        else:
            statuses.append(decision.status)
    return tuple(statuses)


def _note(result: MemberResult, statuses: Sequence[StarStatus], minimum_sample: int) -> str:
    assessed, outcome = result.assessed, result.outcome
    parts = []
    if assessed.veto_reason:
        on = f"（{assessed.veto_on:%Y-%m-%d}）" if assessed.veto_on else ""
        parts.append(f"一票否决：{assessed.veto_reason}{on}")
    if result.grade is Grade.EXEMPT and assessed.exempt_meeting_date:
        parts.append(f"免评（党员大会 {assessed.exempt_meeting_date:%Y-%m-%d} 同意）")
    if assessed.membership is Membership.PROBATIONARY:
        parts.append("预备党员")
    if outcome.title:
        parts.append(outcome.title)
    if StarStatus.INSUFFICIENT_SAMPLE in statuses:
        parts.append(
            f"群众星样本不足（有效票少于 {minimum_sample} 票，认可率、满意率不作评星依据）"
        )
    return "；".join(parts)


def roster_numbers(members: Iterable[AssessedMember]) -> dict[int, int]:
    """Assessed member id → 序号: 1, 2, … in roster order over the members still in the year.
    One person has one 序号 in the ten-star summary and in the ballot's tally workbook (an
    exempt member keeps his, though not on the ballot)."""
    ordered = sorted((m for m in members if m.removed_at is None), key=lambda m: m.position)
    return {member.id: number for number, member in enumerate(ordered, start=1)}


def member_line(result: MemberResult, results: YearResults, number: int) -> MemberLine:
    """One row of the summary, the figures of the results page."""
    outcome, member = result.outcome, result.assessed.member
    statuses = _statuses(result)
    rates = {d.star_code: d.shown_value for d in outcome.decisions}
    exempt = result.grade is Grade.EXEMPT
    provisional = "（暂定）" if outcome.provisional and result.grade.is_graded else ""
    return MemberLine(
        number=number,
        name=member.name,
        gender=member.gender.label,
        category=member.category.label,
        stars=statuses,
        exempt=exempt,
        star_count=outcome.star_count,
        recognition=None if exempt else rates.get(mass_code(results, MassMeasure.RECOGNITION)),
        satisfaction=None if exempt else rates.get(mass_code(results, MassMeasure.SATISFACTION)),
        grade=result.grade.label + provisional,
        note=_note(result, statuses, results.scheme.mass.minimum_sample),
    )


def mass_code(results: YearResults, measure: MassMeasure) -> str:
    return results.scheme.mass_star(measure).code


# --- cadres -------------------------------------------------------------------------------------


def public_cadre_result(found: CadreAppraisal, name: Markup) -> PublicCadreResult:
    outcome = found.outcome
    return PublicCadreResult(
        name=name,
        post=found.cadre.post,
        completion=outcome.completion if outcome else None,
        ballot_score=outcome.ballot_score if outcome else None,
        satisfaction=outcome.satisfaction if outcome else None,
        township_score=outcome.township_score if outcome else None,
        combined=outcome.combined_score if outcome else None,
        missing=outcome.combined.missing if outcome else (),
        grade=outcome.grade.label if outcome else None,
        base_pay=found.cadre.base_pay,
        total_pay=outcome.total_pay if outcome else None,
    )


def quarterly_progress(item_ids: Collection[int]) -> dict[tuple[int, int], Decimal]:
    """(pledge item id, quarter) → the progress % reported; one query."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(QuarterlyReport.item_id, QuarterlyReport.quarter, QuarterlyReport.progress).where(
            QuarterlyReport.item_id.in_(item_ids)
        )
    )
    return {(item_id, quarter): progress for item_id, quarter, progress in rows}


def cadre_line(result: CadreAppraisal, progress: dict[tuple[int, int], Decimal]) -> CadreLine:
    cadre, pledge = result.cadre, result.pledge
    items = [
        ItemLine(
            position=item.position,
            content=item.content,
            indicator=f"{item.indicator}：{item.target}",
            weight=item.weight,
            quarters=tuple(progress.get((item.id, q)) for q in range(1, 5)),
            verified=item.verified_completion,
        )
        for item in (pledge.items if pledge else [])
    ]
    last = result.last_year_grade
    return CadreLine(
        name=cadre.name,
        post=cadre.post,
        base_pay=cadre.base_pay,
        reward_amount=cadre.reward_amount,
        performance_pay=cadre.performance_pay,
        last_year_grade=last.label if last else None,
        items=items,
        outcome=result.outcome,
        waiting=result.waiting,
    )


def ballot_note(village_id: int, year: int) -> str:
    """Where the ballot figures come from, as the appraisal page says it."""
    ballot_round = cadre_ballot_round(village_id, year)
    if ballot_round is None or ballot_round.certified_at is None:
        return "尚无已确认且达到法定人数的村干部测评；综合得分暂按其余各项折算。"
    day = china_day(ballot_round.certified_at)
    return f"群众测评按已确认计票结果的测评「{ballot_round.title}」计算（{day:%Y-%m-%d} 确认）。"
