"""The raters' marking: the members left to mark, and one member's organisational stars.

A rater sees and writes only their own marks; the queries here never read another rater's.
"""

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import form_page
from starrating.errors import refuse
from starrating.extensions import db
from starrating.forms.marking import MarkForm, mark_form_class, stored_marks_data
from starrating.models import AssessedMember, AssessmentYear, StarMark
from starrating.permissions import allow, get_assessed_member_or_404, get_year_or_404
from starrating.queries import assessment as year_queries
from starrating.rules.assessment_state import YearState
from starrating.rules.stale import fingerprint
from starrating.rules.tenstar_scheme import MarkingMode, Star, StarGroup
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, StaleEdit
from starrating.services.marking import marks_state, record_marks

ORGANISATIONAL_GROUPS = (StarGroup.BASIC, StarGroup.VANGUARD)


@dataclass(frozen=True)
class MarkingRow:
    """One member on the rater's list: position among the members to mark, own marks so far
    (marked counts every star decided, 弃权 included)."""

    assessed: AssessedMember
    position: int
    marked: int
    star_count: int
    abstained: int = 0

    @property
    def complete(self) -> bool:
        return self.marked >= self.star_count


@dataclass(frozen=True)
class MarkingSheet:
    """A rater's view of one year: the markable members in roster order and their own marks."""

    year: AssessmentYear
    stars: tuple[Star, ...]
    rows: list[MarkingRow]
    marks: dict[int, dict[str, StarMark]]
    not_markable: int

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.complete)

    @property
    def next_row(self) -> MarkingRow | None:
        return next((row for row in self.rows if not row.complete), None)

    def row_of(self, assessed_id: int) -> MarkingRow | None:
        return next((row for row in self.rows if row.assessed.id == assessed_id), None)

    def next_after(self, assessed_id: int) -> MarkingRow | None:
        """The first member after this one still lacking marks, wrapping round to the start."""
        index = next((i for i, r in enumerate(self.rows) if r.assessed.id == assessed_id), -1)
        ordered = self.rows[index + 1 :] + self.rows[: index + 1]
        return next((row for row in ordered if not row.complete), None)


def _organisational_stars(year: AssessmentYear) -> tuple[Star, ...]:
    scheme = year.scheme.tenstar
    return tuple(star for star in scheme.stars if star.group in ORGANISATIONAL_GROUPS)


def _sheet(year: AssessmentYear) -> MarkingSheet:
    """Two queries whatever the number of members: the year's members and this rater's marks."""
    stars = _organisational_stars(year)
    codes = {star.code for star in stars}
    members = year_queries.assessed_members(year.id)
    marks = year_queries.rater_marks(year.id, current_user.id)
    markable = [assessed for assessed in members if assessed.markable]
    rows = [
        MarkingRow(
            assessed=assessed,
            position=position,
            marked=len(codes & marks.get(assessed.id, {}).keys()),
            star_count=len(stars),
            abstained=sum(
                1 for code, m in marks.get(assessed.id, {}).items() if code in codes and m.abstained
            ),
        )
        for position, assessed in enumerate(markable, start=1)
    ]
    return MarkingSheet(year, stars, rows, marks, len(members) - len(markable))


def _is_rater(year: AssessmentYear) -> bool:
    return any(rater.id == current_user.id for rater in year_queries.raters(year.id))


def _marking_years() -> list[AssessmentYear]:
    """The user's village's years in which they are a rater, still at the marking stage or
    reopened for corrections during publicity."""
    years = year_queries.years_of(current_user.village_id)
    return [
        year
        for year in years
        if (year.state is YearState.MARKING or year.marking_open) and _is_rater(year)
    ]


@bp.route("/marking")
@allow(Role.SECRETARY, Role.COMMITTEE)
def marking() -> Any:
    sheets = [_sheet(year) for year in _marking_years()]
    return render_template("branch/marking.html", sheets=sheets)


@bp.route("/marking/<int:year>/<int:assessed_id>", methods=["GET", "POST"])
@allow(Role.SECRETARY, Role.COMMITTEE)
def mark_member(year: int, assessed_id: int) -> Any:
    assessment = get_year_or_404(year, for_user=current_user)
    assessed = get_assessed_member_or_404(assessed_id, year=assessment)
    if not _is_rater(assessment):
        refuse(403, f"您不是 {assessment.year} 年度的评委，不能评分。如有疑问请联系支部书记。")
    sheet = _sheet(assessment)
    points_mode = assessment.scheme.tenstar.marking.mode is MarkingMode.POINTS
    form_class = mark_form_class(sheet.stars, points_mode=points_mode)
    mine = sheet.marks.get(assessed.id, {})
    stored = {
        **stored_marks_data(mine, points_mode=points_mode),
        "shown": fingerprint(marks_state(mine)),
    }
    form = form_class(data=stored)
    stale = False
    if form.validate_on_submit():
        try:
            return _save(form, sheet, assessed)
        except ServiceError as error:
            # another tab saved first, marking was closed, the member removed or exempted: the
            # page shows the marks as stored now (a save from it replaces them knowingly)
            db.session.rollback()
            flash(f"没有保存：{error.message}", "error")
            form, stale = form_class(formdata=None, data=stored), isinstance(error, StaleEdit)
    elif form.is_submitted():
        flash("没有保存：请按标红的提示改正后再保存", "error")
    page = render_template(
        "branch/mark_member.html",
        form=form,
        sheet=sheet,
        assessed=assessed,
        row=sheet.row_of(assessed.id),
        following=sheet.next_after(assessed.id),
        groups=[
            (group, [s for s in sheet.stars if s.group is group]) for group in ORGANISATIONAL_GROUPS
        ],
        points_mode=points_mode,
        read_only=not (assessment.marking_open and assessed.markable),
    )
    return form_page(page, stale=stale)


def _save(form: MarkForm, sheet: MarkingSheet, assessed: AssessedMember) -> Any:
    """Save (a refusal is the service's ServiceError); "保存并评下一位" moves on only when
    every star is decided (marked or 弃权): a half-marked member keeps the rater on the page,
    told how many stars are left."""
    year, name, total = sheet.year.year, assessed.member.name, len(sheet.stars)
    here = url_for("branch.mark_member", year=year, assessed_id=assessed.id)
    decided = record_marks(
        rater=current_user,
        assessed=assessed,
        marks=form.marks(),
        notes=form.notes(),
        shown=form.shown.data,
    )
    db.session.commit()
    if form.save_next.data and decided < total:
        flash(_still_to_mark(form, sheet, decided), "info")
        return redirect(here)
    flash(f"已保存「{name}」的评分（已评 {decided} / {total} 颗星）", "success")
    if not (form.save_next.data or form.save_skip.data):
        return redirect(here)
    following = _sheet(sheet.year).next_after(assessed.id)
    if following is None or following.assessed.id == assessed.id:
        if following is None:
            flash(f"{year} 年度的党员您已全部评完。评分结束前仍可点姓名修改。", "success")
        return redirect(url_for("branch.marking"))  # or skipped the only one left
    return redirect(url_for("branch.mark_member", year=year, assessed_id=following.assessed.id))


def _still_to_mark(form: MarkForm, sheet: MarkingSheet, decided: int) -> str:
    total = len(sheet.stars)
    marks = form.marks()
    left = [star.name for star in sheet.stars if marks.get(star.code) is None]
    return (
        f"已保存 {decided}/{total}，尚有 {total - decided} 项未评（{'、'.join(left)}）。"
        "评完再点「保存并评下一位」；不打算评的星请选「弃权」。"
    )
