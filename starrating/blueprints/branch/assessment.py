"""The secretary's ten-star year: open it, choose raters, watch marking, record vetoes and
exemptions, read the results and confirm 优秀 within the quota."""

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import (
    form_page,
    form_problem,
    refused,
    refused_back,
    submit_change,
)
from starrating.extensions import db
from starrating.forms.assessment import (
    AddYearMemberForm,
    CloseMarkingForm,
    ExcellenceForm,
    OpenYearForm,
    RatersForm,
    ReopenForm,
)
from starrating.models import AssessedMember, AssessmentYear
from starrating.permissions import (
    allow,
    get_member_or_404,
    get_year_or_404,
)
from starrating.queries import assessment as reads
from starrating.queries.stars import standing_before
from starrating.queries.status import year_status_of, year_statuses
from starrating.rules.assessment_state import YearState
from starrating.rules.tenstar import GRADE_ORDER
from starrating.rules.tenstar_quota import QuotaResult
from starrating.rules.vocabulary import Role
from starrating.rules.wording import rate
from starrating.services import ServiceError
from starrating.services import assessment as service
from starrating.web import china_today

CLOSED = "{year} 年度评分已结束，评委不能再修改评分"
CONFIRMED = "已记录支委会确认的优秀人选"


def _year_url(year: AssessmentYear) -> str:
    return url_for("branch.year", year=year.year)


def member_url(year: AssessmentYear, assessed: AssessedMember) -> str:
    return url_for("branch.assessed_member", year=year.year, assessed_id=assessed.id)


def _rater_choices(form: OpenYearForm | RatersForm) -> list[int]:
    candidates = reads.rater_candidates(current_user.village_id)
    form.raters.choices = [
        (user.id, f"{user.display_name}（{user.role.label}）") for user in candidates
    ]
    return [user.id for user in candidates]


# --- the village's years ------------------------------------------------------------------------


@bp.route("/years")
@allow(Role.SECRETARY)
def years() -> Any:
    form = OpenYearForm(year=_year_to_offer())
    form.raters.data = _rater_choices(form)  # the whole committee marks, unless told otherwise
    return _years_page(form)


def _year_to_offer() -> int | None:
    """The year the open-year form starts with: this year while it is not opened; once it is,
    next year if the township already has its scheme; otherwise nothing (never a year that
    is already open)."""
    this_year = china_today().year
    opened = {found.year for found in reads.years_of(current_user.village_id)}
    if this_year not in opened:
        return this_year
    following = this_year + 1
    if following not in opened and reads.scheme_of(current_user.township_id, following):
        return following
    return None


def _years_page(form: OpenYearForm, *, warn: bool = True) -> Any:
    """The years and the form; warn: say beforehand when the township has no scheme for the
    year the form offers (after a refused POST the service's message already says why)."""
    opened = reads.years_of(current_user.village_id)
    wanted = form.year.data
    missing = None
    if (
        warn
        and wanted is not None
        and wanted not in {year.year for year in opened}
        and reads.scheme_of(current_user.township_id, wanted) is None
    ):
        missing = service.missing_scheme_message(wanted)
    return render_template(
        "branch/years.html",
        years=opened,
        statuses=year_statuses(opened, today=china_today()),
        form=form,
        missing_scheme=missing,
    )


@bp.route("/years", methods=["POST"])
@allow(Role.SECRETARY)
def open_year() -> Any:
    form = OpenYearForm()
    _rater_choices(form)
    if form.validate_on_submit():
        try:
            opened = service.open_year(
                actor=current_user,
                village=current_user.village,
                year=form.year.data,
                rater_ids=form.raters.data or [],
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"已开启 {opened.year} 年度党员十星级评定，评定名单和方案已固定", "success")
            return redirect(_year_url(opened))
    return form_page(_years_page(form, warn=False))


# --- one year: raters, progress, roster of the year, closing --------------------------------------


@bp.route("/years/<int:year>", endpoint="year")
@allow(Role.SECRETARY)
def year_overview(year: int) -> Any:
    return _year_page(get_year_or_404(year, for_user=current_user))


def _year_page(
    found: AssessmentYear, close_form: CloseMarkingForm | None = None, close_error: str = ""
) -> str:
    """The year page; after a refused close, with the reason typed and why it was refused."""
    raters = reads.raters(found.id)
    raters_form = RatersForm(raters=[user.id for user in raters])
    _rater_choices(raters_form)
    add_form = AddYearMemberForm()
    _joinable_choices(add_form, found)
    scheme = found.scheme
    members = reads.assessed_members(found.id)
    progress = reads.marking_progress(found.id)
    return render_template(
        "branch/year.html",
        year=found,
        status=year_status_of(found, today=china_today()),
        scheme=scheme,
        marked_stars=sum(1 for star in scheme.tenstar.stars if star.measure is None),
        raters=raters,
        members=members,
        progress=progress,
        raters_form=raters_form,
        add_form=add_form,
        completion=reads.rater_completion(
            found, raters_=raters, members=members, progress=progress
        ),
        close_form=close_form or CloseMarkingForm(),
        close_error=close_error,
        reopen_form=ReopenForm(),
        stars_before=standing_before(found),
    )


def _joinable_choices(form: AddYearMemberForm, found: AssessmentYear) -> None:
    form.member.choices = [
        (member.id, f"{member.name}（{member.birth_date:%Y-%m-%d}）")
        for member in reads.joinable_members(found)
    ]


@bp.route("/years/<int:year>/raters", methods=["POST"])
@allow(Role.SECRETARY)
def set_raters(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    form = RatersForm()
    if form.validate_on_submit() and form.confirmed.data != "1":
        # Marks are kept but only the current raters' count: say first what this changes.
        try:
            changes = service.grade_changes_with_raters(
                actor=current_user, year=found, user_ids=form.raters.data or []
            )
        except ServiceError:
            changes = []  # set_raters below refuses with the reason
        if changes:
            chosen = [
                user
                for user in reads.rater_candidates(current_user.village_id)
                if user.id in (form.raters.data or [])
            ]
            return render_template(
                "branch/raters_confirm.html", year=found, changes=changes, chosen=chosen
            )
    return submit_change(
        form,
        lambda: service.set_raters(actor=current_user, year=found, user_ids=form.raters.data or []),
        done="已保存评委名单",
        back=_year_url(found),
    )


@bp.route("/years/<int:year>/members", methods=["POST"])
@allow(Role.SECRETARY)
def add_year_member(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    form = AddYearMemberForm()
    _joinable_choices(form, found)
    if not form.validate_on_submit():
        return refused_back(form_problem(form), _year_url(found))
    member = get_member_or_404(form.member.data, for_user=current_user)
    return submit_change(
        form,
        lambda: service.add_member_to_year(actor=current_user, year=found, member=member),
        done=f"已将「{member.name}」加入 {found.year} 年度评定名单",
        back=_year_url(found),
    )


@bp.route("/years/<int:year>/close", methods=["POST"])
@allow(Role.SECRETARY)
def close_marking(year: int) -> Any:
    """Refused (a rater unfinished and no reason): the year page again, the reason typed so far
    kept and the refusal beside the button."""
    found = get_year_or_404(year, for_user=current_user)
    form = CloseMarkingForm()
    if not found.marking_open:  # no close form on the page: say why at the top, as elsewhere
        return submit_change(
            form,
            lambda: service.close_marking(actor=current_user, year=found),
            done=CLOSED.format(year=found.year),
            back=_year_url(found),
        )
    if not form.validate_on_submit():
        return refused(_year_page(found, form, form_problem(form)))
    try:
        service.close_marking(actor=current_user, year=found, reason=form.close_reason.data or "")
    except ServiceError as error:
        db.session.rollback()
        return refused(_year_page(found, form, error.message))
    db.session.commit()
    flash(CLOSED.format(year=found.year), "success")
    return redirect(_year_url(found))


@bp.route("/years/<int:year>/reopen", methods=["POST"])
@allow(Role.SECRETARY)
def reopen_marking(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    form = ReopenForm()
    return submit_change(
        form,
        lambda: service.reopen_marking(
            actor=current_user, year=found, reason=form.reopen_reason.data
        ),
        done=f"已重新开放 {found.year} 年度评分",
        back=_year_url(found),
    )


# --- results and the 优秀 quota ------------------------------------------------------------------


@bp.route("/years/<int:year>/results")
@allow(Role.SECRETARY)
def results(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    outcome = reads.year_results(found)
    chosen = {r.assessed.id for r in outcome.members if r.assessed.excellent_confirmed}
    return _results_page(found, outcome, ExcellenceForm(opinion=found.quota_reason), chosen)


def _results_page(
    found: AssessmentYear,
    outcome: reads.YearResults,
    form: ExcellenceForm,
    chosen: set[int],
    *,
    refused: str = "",
    note: str = "",
) -> str:
    """The results; the quota form shows chosen ticked (the confirmed ones, or what was just
    posted) and, beside its button, why a confirmation was refused or what was done."""
    counts = outcome.grade_counts()
    return render_template(
        "branch/results.html",
        year=found,
        results=outcome,
        scheme=outcome.scheme,
        grade_counts=[(grade, counts.get(grade, 0)) for grade in GRADE_ORDER],
        chosen=chosen,
        excellence_form=form,
        excellence_refused=refused,
        excellence_note=note,
        rate=rate,
    )


@bp.route("/years/<int:year>/excellence", methods=["POST"])
@allow(Role.SECRETARY)
def confirm_excellence(year: int) -> Any:
    """Refused, the form comes back as it was sent: every tick and the opinion kept. Without
    JavaScript, "按排序勾选前 M 名" comes here too and only re-shows the form so ticked."""
    found = get_year_or_404(year, for_user=current_user)
    form = ExcellenceForm()
    outcome = reads.year_results(found)
    quota = outcome.quota
    if found.state not in (YearState.MARKING, YearState.PUBLICITY) or not quota.needs_confirmation:
        # no quota form on the page (under review, approved, returned; or no more candidates
        # than places): the refusal at the top
        return submit_change(
            form, lambda: _confirm(found, form, quota), done=CONFIRMED, back=_results_url(found)
        )
    posted = set(form.members.data or [])
    if form.pick_top.data:
        top = {c.member_id for c in quota.candidates[: quota.quota]}
        note = f"已按排序勾选前 {quota.quota} 名，尚未保存：请核对后点「确认优秀人选」"
        return _results_page(found, outcome, form, top, note=note)
    if not form.validate_on_submit():
        return refused(_results_page(found, outcome, form, posted, refused=form_problem(form)))
    try:
        _confirm(found, form, quota)
    except ServiceError as error:
        db.session.rollback()
        return refused(_results_page(found, outcome, form, posted, refused=error.message))
    db.session.commit()
    flash(CONFIRMED, "success")
    return redirect(_results_url(found))


def _confirm(found: AssessmentYear, form: ExcellenceForm, quota: QuotaResult) -> None:
    service.confirm_excellence(
        actor=current_user,
        year=found,
        member_ids=set(form.members.data or []),
        reason=form.opinion.data,
        eligible_ids={candidate.member_id for candidate in quota.candidates},
        quota=quota.quota,
    )


def _results_url(found: AssessmentYear) -> str:
    return url_for("branch.results", year=found.year) + "#excellence"
