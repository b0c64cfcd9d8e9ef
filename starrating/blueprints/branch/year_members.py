"""One member of the secretary's ten-star year (DESIGN.md §5): their page with the stars and
the explanation, and the year's facts about them — 一票否决, 免评, taken out of the year."""

from typing import Any

from flask import render_template
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.branch.assessment import member_url
from starrating.blueprints.changes import (
    submit_change,
)
from starrating.forms import VersionForm
from starrating.forms.assessment import (
    ExemptionForm,
    RemoveForm,
    VetoForm,
)
from starrating.models import AssessedMember, AssessmentYear
from starrating.permissions import (
    allow,
    get_assessed_member_or_404,
    get_year_or_404,
)
from starrating.queries import assessment as reads
from starrating.rules.vocabulary import MemberCategory, Role
from starrating.services import assessment as service
from starrating.services import vetoes
from starrating.web import china_today


def _load(year: int, assessed_id: int) -> tuple[AssessmentYear, AssessedMember]:
    found = get_year_or_404(year, for_user=current_user)
    return found, get_assessed_member_or_404(assessed_id, year=found)


@bp.route("/years/<int:year>/members/<int:assessed_id>")
@allow(Role.SECRETARY)
def assessed_member(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    outcome = reads.year_results(found)
    veto_form = VetoForm(version=assessed.version, veto_on=china_today())
    veto_form.veto_reason.choices = [(r, r) for r in outcome.scheme.veto_reasons]
    return render_template(
        "branch/assessed_member.html",
        year=found,
        assessed=assessed,
        member=assessed.member,
        result=outcome.by_id.get(assessed.id),
        scheme=outcome.scheme,
        may_be_exempt=assessed.member.category is MemberCategory.ELDERLY_INFIRM,
        veto_form=veto_form,
        exemption_form=ExemptionForm(version=assessed.version),
        version_form=VersionForm(version=assessed.version),
        remove_form=RemoveForm(),
    )


@bp.route("/years/<int:year>/members/<int:assessed_id>/veto", methods=["POST"])
@allow(Role.SECRETARY)
def record_veto(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    form = VetoForm()
    return submit_change(
        form,
        lambda: vetoes.record_veto(
            actor=current_user,
            assessed=assessed,
            reason=form.veto_reason.data,
            on=form.veto_on.data,
            note=form.veto_note.data or "",
            expected_version=form.version.data,
            today=china_today(),
        ),
        done=f"已记录对「{assessed.member.name}」的一票否决",
        back=member_url(found, assessed),
    )


@bp.route("/years/<int:year>/members/<int:assessed_id>/veto/clear", methods=["POST"])
@allow(Role.SECRETARY)
def clear_veto(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    form = VersionForm()
    return submit_change(
        form,
        lambda: vetoes.clear_veto(
            actor=current_user, assessed=assessed, expected_version=form.version.data
        ),
        done=f"已撤销对「{assessed.member.name}」的一票否决",
        back=member_url(found, assessed),
    )


@bp.route("/years/<int:year>/members/<int:assessed_id>/exemption", methods=["POST"])
@allow(Role.SECRETARY)
def record_exemption(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    form = ExemptionForm()
    return submit_change(
        form,
        lambda: vetoes.record_exemption(
            actor=current_user,
            assessed=assessed,
            meeting_date=form.meeting_date.data,
            reason=form.exempt_reason.data or "",
            expected_version=form.version.data,
            today=china_today(),
        ),
        done=f"已记录「{assessed.member.name}」经党员大会同意免评",
        back=member_url(found, assessed),
    )


@bp.route("/years/<int:year>/members/<int:assessed_id>/exemption/clear", methods=["POST"])
@allow(Role.SECRETARY)
def clear_exemption(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    form = VersionForm()
    return submit_change(
        form,
        lambda: vetoes.record_exemption(
            actor=current_user,
            assessed=assessed,
            meeting_date=None,
            reason="",
            expected_version=form.version.data,
            today=china_today(),
        ),
        done=f"已撤销「{assessed.member.name}」的免评，须参加评定",
        back=member_url(found, assessed),
    )


@bp.route("/years/<int:year>/members/<int:assessed_id>/remove", methods=["POST"])
@allow(Role.SECRETARY)
def remove_year_member(year: int, assessed_id: int) -> Any:
    found, assessed = _load(year, assessed_id)
    form = RemoveForm()
    return submit_change(
        form,
        lambda: service.remove_member_from_year(
            actor=current_user, assessed=assessed, reason=form.removed_reason.data
        ),
        done=f"已将「{assessed.member.name}」移出 {found.year} 年度评定名单",
        back=member_url(found, assessed),
    )
