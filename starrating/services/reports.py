"""Filing a quarterly report on a pledge item, by the cadre or by the secretary on their behalf."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from starrating.extensions import db
from starrating.models import PledgeItem, QuarterlyReport, User
from starrating.models.types import utcnow
from starrating.rules.pledges import PledgeState
from starrating.rules.reports import filing_problems
from starrating.services import ServiceError, StaleEdit
from starrating.services.audit import record_event
from starrating.services.locks import ensure_village_may_edit

AUDITED_FIELDS = ("progress", "done", "next_step", "filed_by_id")


def _snapshot(report: QuarterlyReport) -> dict[str, object]:
    return {
        "progress": str(Decimal(report.progress).quantize(Decimal("0.1"))),
        "done": report.done,
        "next_step": report.next_step,
        "filed_by_id": report.filed_by_id,
    }


def _store(
    report: QuarterlyReport | None,
    *,
    item: PledgeItem,
    quarter: int,
    values: dict[str, object],
) -> QuarterlyReport:
    """Write the report in a savepoint: on PostgreSQL a filing committed by someone else after
    our read (a first report for the quarter, or a newer version) surfaces only here."""
    try:
        with db.session.begin_nested():
            if report is None:
                report = QuarterlyReport(item_id=item.id, quarter=quarter)
                db.session.add(report)
            for field, value in values.items():
                setattr(report, field, value)
    except (IntegrityError, StaleDataError) as error:
        raise StaleEdit() from error
    return report


def check_can_file(*, item: PledgeItem, quarter: int, today: date) -> None:
    """Raise ServiceError unless item's pledge is public and quarter is 1–4 and has begun."""
    pledge = item.pledge
    ensure_village_may_edit(pledge.cadre.village_id, pledge.year)
    problems = filing_problems(
        pledge_public=pledge.state is PledgeState.PUBLIC,
        year=pledge.year,
        quarter=quarter,
        today=today,
    )
    if problems:
        raise ServiceError("；".join(problems))


def file_report(
    *,
    actor: User,
    item: PledgeItem,
    quarter: int,
    progress: Decimal,
    done: str,
    next_step: str,
    today: date,
    expected_version: int | None = None,
) -> QuarterlyReport:
    """Record (or, for a quarter already reported, update) one item's report; audited with who
    filed it, and before/after on a re-filing.

    expected_version is the version of the report the form showed, None when it showed none: a
    report filed or changed since then (by the cadre, or by the secretary on their behalf) is
    not overwritten, StaleEdit is raised instead."""
    pledge = item.pledge
    ensure_village_may_edit(pledge.cadre.village_id, pledge.year)
    problems = filing_problems(
        pledge_public=pledge.state is PledgeState.PUBLIC,
        year=pledge.year,
        quarter=quarter,
        today=today,
        progress=progress,
    )
    done, next_step = done.strip(), next_step.strip()
    if not done or not next_step:
        problems.append("请填写做了什么和下一步打算")
    if problems:
        raise ServiceError("；".join(problems))
    report = db.session.scalars(
        select(QuarterlyReport).where(
            QuarterlyReport.item_id == item.id, QuarterlyReport.quarter == quarter
        )
    ).first()
    if (report.version if report else None) != expected_version:
        raise StaleEdit()
    before = _snapshot(report) if report else None
    report = _store(
        report,
        item=item,
        quarter=quarter,
        values={
            "progress": progress,
            "done": done,
            "next_step": next_step,
            "filed_by_id": actor.id,
            "filed_at": utcnow(),
        },
    )
    cadre = pledge.cadre
    on_behalf = "" if cadre.user_id == actor.id else f"（由{actor.display_name}代报）"
    record_event(
        actor=actor,
        action="report.update" if before else "report.create",
        summary=(
            f"{'修改' if before else '填写'}「{cadre.name}」{pledge.year} 年第 {quarter} 季度汇报："
            f"{item.content}，进度 {progress}%{on_behalf}"
        ),
        object_type="quarterly_report",
        object_id=report.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        before=before,
        after=_snapshot(report),
    )
    return report
