"""The township's review of one village's year: what the village submitted, the history of its
steps, the objections and answers, and the decision — approve (each 优秀 and 不合格 member
ticked), return with an opinion, or reopen an approved year with a reason (DESIGN.md §5.6)."""

from typing import Any

from flask import abort, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch.versions import render_archive, send_archive
from starrating.blueprints.changes import submit_change
from starrating.blueprints.township import bp
from starrating.forms.board import AnswerForm
from starrating.forms.township_review import ApproveForm, ReopenYearForm, ReturnForm
from starrating.models import AssessmentYear
from starrating.permissions import get_village_or_404
from starrating.queries import township as reads
from starrating.queries.answer_deadlines import deadlines, most_urgent_first
from starrating.queries.assessment import year_of
from starrating.queries.board import get_objection_or_404, village_objections
from starrating.queries.versions import (
    CadreFigures,
    TenStarContent,
    cadres_of,
    live_cadre_content,
    tenstar_content,
    tenstar_of,
)
from starrating.rules.appraisal_scheme import AppraisalScheme
from starrating.rules.pay import PayRuleKind
from starrating.rules.tenstar import Grade
from starrating.rules.vocabulary import Role
from starrating.rules.wording import plain, rate, yuan
from starrating.services import review as service
from starrating.services.objections import ANSWER_LENGTH, answer_objection, answer_problems
from starrating.web import china_today


def _load(village_id: int, year: int) -> AssessmentYear:
    """The year of a village of the reviewer's township; 404 for another township's village or a
    year the village has not opened."""
    village = get_village_or_404(village_id, for_user=current_user)
    return year_of(village.id, year) or abort(404)


@bp.route("/villages/<int:village_id>/years/<int:year>/review")
def review(village_id: int, year: int) -> Any:
    record = _load(village_id, year)
    found = reads.village_year(record.village, year)
    tenstar = _tenstar(found)
    needing = set(service.members_needing_approval(record))
    objections = village_objections(record.village_id, year)
    due = deadlines(objections, days=record.scheme.tenstar.answer_days, today=china_today())
    return render_template(
        "township/review.html",
        record=record,
        found=found,
        tenstar=tenstar,
        cadres=(
            cadres_of(found.cadre_version)
            if found.cadre_version
            else live_cadre_content(record.village_id, year)
        ),
        needing=sorted(
            (m for m in (tenstar.members if tenstar else ()) if m.assessed_id in needing),
            key=lambda m: m.grade is not Grade.EXCELLENT,
        ),
        history=reads.review_history(record.id),
        objections=most_urgent_first(objections, due),
        deadlines=due,
        overdue=sum(1 for deadline in due.values() if deadline.overdue),
        answer_problems=answer_problems(
            objections=objections, state=record.state, role=Role.TOWNSHIP
        ),
        answer_form=AnswerForm(),
        answer_length=ANSWER_LENGTH,
        approve_form=ApproveForm(),
        return_form=ReturnForm(),
        reopen_form=ReopenYearForm(),
        charts=cadre_charts(found.cadres, record.scheme.appraisal),
        rate=rate,
        yuan=yuan,
    )


def _tenstar(found: reads.VillageYear) -> TenStarContent | None:
    """The ten-star rows the township reviews: the version on the board (the one submitted),
    or the live results of a year not yet public."""
    if found.tenstar_version is not None:
        return tenstar_of(found.tenstar_version)
    return tenstar_content(found.results) if found.results else None


def cadre_charts(cadres: list[CadreFigures], scheme: AppraisalScheme) -> dict[str, Any]:
    """Rows for the charts of satisfaction and pledge completion per cadre, with the scheme's
    lines: satisfaction below which a cadre is to be adjusted, completion that earns the reward
    (proportional pay only)."""
    proportional = scheme.pay_rule.kind is PayRuleKind.PROPORTIONAL
    adjust = scheme.consequences.adjust_below_satisfaction
    passing = scheme.pay_rule.pass_ratio * 100
    return {
        "satisfaction": [
            (c.name, c.satisfaction, "未测评" if c.grade is not None else "尚无结果")
            for c in cadres
        ],
        "completion": [(c.name, c.completion, c.waiting or "") for c in cadres],
        "adjust_below": adjust,
        "adjust_label": f"低于 {plain(adjust)}% 建议调整",
        "pass_at": passing if proportional else None,
        "pass_label": f"达标线 {plain(passing)}%",
    }


def _back(record: AssessmentYear) -> str:
    return url_for("township.review", village_id=record.village_id, year=record.year)


@bp.route(
    "/villages/<int:village_id>/years/<int:year>/objections/<int:objection_id>/answer",
    methods=["POST"],
)
def answer(village_id: int, year: int, objection_id: int) -> Any:
    """While the township reviews the year or after it approved it, the township answers the
    villagers' objections that come in (rules: answer_problem)."""
    record = _load(village_id, year)
    objection = get_objection_or_404(objection_id, year=record)
    form = AnswerForm()
    return submit_change(
        form,
        lambda: answer_objection(
            actor=current_user,
            objection=objection,
            answer=form.answer.data,
            shown=form.shown.data,
        ),
        done=f"已答复异议 {objection.reference}，提出人凭编号可在公示栏看到答复",
        back=_back(record) + f"#objection-{objection.id}",
    )


@bp.route("/villages/<int:village_id>/years/<int:year>/approve", methods=["POST"])
def approve_year(village_id: int, year: int) -> Any:
    record = _load(village_id, year)
    form = ApproveForm()
    return submit_change(
        form,
        lambda: service.approve_year(
            actor=current_user,
            year=record,
            approved_members=form.members.data or [],
            opinion=form.opinion.data or "",
        ),
        done=f"已审核通过{record.village.name} {year} 年度评定，结果已锁定",
        back=_back(record),
    )


@bp.route("/villages/<int:village_id>/years/<int:year>/return", methods=["POST"])
def return_year(village_id: int, year: int) -> Any:
    record = _load(village_id, year)
    form = ReturnForm()
    return submit_change(
        form,
        lambda: service.return_year(
            actor=current_user, year=record, opinion=form.opinion.data or ""
        ),
        done=f"已将{record.village.name} {year} 年度评定退回修改",
        back=_back(record),
    )


@bp.route("/villages/<int:village_id>/years/<int:year>/reopen", methods=["POST"])
def reopen_year(village_id: int, year: int) -> Any:
    record = _load(village_id, year)
    form = ReopenYearForm()
    return submit_change(
        form,
        lambda: service.reopen_year(actor=current_user, year=record, reason=form.reason.data or ""),
        done=f"已重新打开{record.village.name} {year} 年度评定，村里可以修改后重新报送",
        back=_back(record),
    )


@bp.route("/villages/<int:village_id>/years/<int:year>/archive")
def archive(village_id: int, year: int) -> Any:
    """The village-year's 公示档案, as the village keeps it (read only)."""
    record = _load(village_id, year)
    return render_archive(
        record,
        back_url=_back(record),
        workbook_url=url_for("township.export_archive", village_id=village_id, year=year),
    )


@bp.route("/exports/villages/<int:village_id>/years/<int:year>/archive.xlsx")
def export_archive(village_id: int, year: int) -> Any:
    return send_archive(_load(village_id, year))
