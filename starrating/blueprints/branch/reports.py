"""Quarterly reports on pledge items (每季度汇报): a cadre's own pledges on a phone, the report
form (the cadre's own items, or any item of the village for the secretary), and the secretary's
overview of every cadre's items × quarters with the overdue ones highlighted.

Which report is due or overdue is rules/reports.py's call, with today = china_today().
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import form_page, refused
from starrating.errors import refuse
from starrating.extensions import db
from starrating.forms.reports import ReportForm
from starrating.models import Cadre, Pledge, PledgeItem, QuarterlyReport
from starrating.permissions import allow
from starrating.queries.appraisal import active_cadres, get_village_pledge_item_or_404
from starrating.queries.reports import cadres_of_account, pledges_with_items, reports_of
from starrating.rules.pledges import PledgeState
from starrating.rules.reports import QUARTERS, ReportStatus, quarter_dates, report_status
from starrating.rules.reports import years_in_play as report_years
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, StaleEdit
from starrating.services.reports import check_can_file
from starrating.services.reports import file_report as save_report
from starrating.web import china_today, query_int

ATTENTION = (ReportStatus.DUE, ReportStatus.OVERDUE)


@dataclass(frozen=True)
class QuarterCell:
    quarter: int
    status: ReportStatus
    report: QuarterlyReport | None
    due_by: date

    @property
    def fileable(self) -> bool:
        return self.status is not ReportStatus.NOT_STARTED


@dataclass(frozen=True)
class ItemRow:
    item: PledgeItem
    cells: list[QuarterCell]  # empty for an item of a pledge not yet public

    @property
    def latest(self) -> QuarterlyReport | None:
        filed = [cell.report for cell in self.cells if cell.report]
        return filed[-1] if filed else None


@dataclass(frozen=True)
class PledgeCard:
    cadre: Cadre
    pledge: Pledge | None
    rows: list[ItemRow]

    @property
    def public(self) -> bool:
        return self.pledge is not None and self.pledge.state is PledgeState.PUBLIC

    def needing_report(self) -> list[tuple[ItemRow, QuarterCell]]:
        """The reports due now or overdue, oldest quarter first."""
        found = [(r, c) for r in self.rows for c in r.cells if c.status in ATTENTION]
        return sorted(found, key=lambda pair: (pair[1].quarter, pair[0].item.position))

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.status is ReportStatus.OVERDUE)


def _item_or_404(item_id: int) -> PledgeItem:
    """An item of the user's village; a cadre's own items only, for a cadre."""
    own = None if current_user.role is Role.SECRETARY else current_user.id
    return get_village_pledge_item_or_404(
        item_id, village_id=current_user.village_id, cadre_user_id=own
    )


def _row(item: PledgeItem, reports: dict[tuple[int, int], QuarterlyReport], today: date) -> ItemRow:
    pledge = item.pledge
    if pledge.state is not PledgeState.PUBLIC:
        return ItemRow(item, [])
    cells = []
    for quarter in QUARTERS:
        report = reports.get((item.id, quarter))
        status = report_status(year=pledge.year, quarter=quarter, filed=bool(report), today=today)
        cells.append(
            QuarterCell(quarter, status, report, quarter_dates(pledge.year, quarter).due_by)
        )
    return ItemRow(item, cells)


def _cards(cadres: Sequence[Cadre], pledges: Sequence[Pledge], today: date) -> list[PledgeCard]:
    """One card per cadre and pledge (a cadre without a pledge gets an empty card); three
    queries in all, whatever the number of cadres."""
    reports = reports_of([item.id for pledge in pledges for item in pledge.items])
    by_cadre: dict[int, list[Pledge]] = {}
    for pledge in pledges:
        by_cadre.setdefault(pledge.cadre_id, []).append(pledge)
    cards = []
    for cadre in cadres:
        for pledge in by_cadre.get(cadre.id) or [None]:  # type: ignore[list-item]
            rows = [_row(item, reports, today) for item in pledge.items] if pledge else []
            cards.append(PledgeCard(cadre, pledge, rows))
    return cards


@bp.route("/my-pledges")
@allow(Role.CADRE, Role.SECRETARY)
def my_pledges() -> Any:
    today = china_today()
    cadres = cadres_of_account(current_user.id, current_user.village_id)
    pledges = pledges_with_items(cadres, report_years(today))
    public = [p for p in pledges if p.state is PledgeState.PUBLIC]
    cards = [card for card in _cards(cadres, public, today) if card.pledge]
    return render_template(
        "branch/my_pledges.html", cadres=cadres, cards=cards, today=today, year=today.year
    )


@bp.route("/reports")
@allow(Role.SECRETARY)
def reports_overview() -> Any:
    today = china_today()
    year = query_int("year") or report_years(today)[0]
    cadres = active_cadres([current_user.village_id])
    cards = _cards(cadres, pledges_with_items(cadres, [year]), today)
    return render_template(
        "branch/reports_overview.html",
        cards=cards,
        year=year,
        today=today,
        overdue=sum(card.overdue for card in cards),
        quarters=QUARTERS,
    )


@bp.route("/reports/<int:item_id>/<int:quarter>", methods=["GET", "POST"])
@allow(Role.CADRE, Role.SECRETARY)
def file_report(item_id: int, quarter: int) -> Any:
    item = _item_or_404(item_id)
    today = china_today()
    try:
        check_can_file(item=item, quarter=quarter, today=today)
    except ServiceError as error:
        refuse(400, f"不能填写这份汇报：{error.message}")
    form = ReportForm(obj=reports_of([item.id]).get((item.id, quarter)))
    if form.validate_on_submit():
        return _save(form, item, quarter, today)
    if form.is_submitted():
        flash("没有保存：请按标红的提示改正后再保存", "error")
    return form_page(_report_page(form, item, quarter, today))


def _report_page(
    form: ReportForm, item: PledgeItem, quarter: int, today: date, *, stale: bool = False
) -> str:
    """The form as submitted (or as stored), under the report as it is stored now."""
    row = _row(item, reports_of([item.id]), today)
    cell = row.cells[quarter - 1]
    if stale:
        # what is stored now is on the page above the typed values: saving again replaces it
        form.version.data = cell.report.version if cell.report else None
    return render_template(
        "branch/report_form.html",
        form=form,
        item=item,
        quarter=quarter,
        row=row,
        cell=cell,
        stale=stale,
        on_behalf=item.pledge.cadre.user_id != current_user.id,
    )


def _save(form: ReportForm, item: PledgeItem, quarter: int, today: date) -> Any:
    try:
        report = save_report(
            actor=current_user,
            item=item,
            quarter=quarter,
            progress=form.progress.data,
            done=form.done.data or "",
            next_step=form.next_step.data or "",
            today=today,
            expected_version=form.version.data,
        )
    except ServiceError as error:
        db.session.rollback()
        stale = isinstance(error, StaleEdit)
        flash(error.message if stale else f"没有保存：{error.message}", "error")
        return refused(_report_page(form, item, quarter, today, stale=stale), stale=stale)
    db.session.commit()
    flash(
        f"已保存「{item.content}」第 {quarter} 季度汇报（进度 {report.progress.normalize():f}%）",
        "success",
    )
    if current_user.role is Role.SECRETARY:
        return redirect(url_for("branch.reports_overview", year=item.pledge.year))
    return redirect(url_for("branch.my_pledges"))
