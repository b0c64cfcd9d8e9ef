"""The secretary's member roster: by hand, by upload, never losing a record; the audit trail."""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from starrating import queries
from starrating.blueprints.branch import bp
from starrating.blueprints.branch.exports import send_workbook
from starrating.blueprints.changes import form_page, refused_back
from starrating.extensions import db
from starrating.forms import LeaveForm, MemberForm, RosterUploadForm, VersionForm
from starrating.permissions import allow, get_member_or_404
from starrating.rules.roster import MemberFacts, village_group
from starrating.rules.vocabulary import (
    Gender,
    MemberCategory,
    Membership,
    MemberStatus,
    Role,
)
from starrating.services import ServiceError, StaleEdit
from starrating.services.members import (
    ImportRejected,
    add_member,
    import_members,
    mark_member_left,
    restore_member,
    update_member,
)
from starrating.spreadsheets.roster import (
    RosterFileRejected,
    RowError,
    read_roster,
)
from starrating.spreadsheets.roster_template import roster_template
from starrating.web import china_today, query_int


@bp.route("/members")
@allow(Role.SECRETARY, Role.COMMITTEE)
def members() -> Any:
    include_left = request.args.get("all") == "1"
    return render_template(
        "branch/members.html",
        members=queries.roster(current_user.village_id, include_left=include_left),
        include_left=include_left,
    )


def _facts(form: MemberForm) -> MemberFacts:
    return MemberFacts(
        name=form.name.data.strip(),
        gender=Gender(form.gender.data),
        birth_date=form.birth_date.data,
        joined_on=form.joined_on.data,
        membership=Membership(form.membership.data),
        category=MemberCategory(form.category.data),
        phone=(form.phone.data or "").replace(" ", "").replace("-", "") or None,
        exempt_meeting_date=form.exempt_meeting_date.data,
        exempt_reason=(form.exempt_reason.data or "").strip() or None,
        note=(form.note.data or "").strip() or None,
        village_group=village_group(form.village_group.data),
    )


@bp.route("/members/new", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def new_member() -> Any:
    form = MemberForm()
    if form.validate_on_submit():
        try:
            member = add_member(
                actor=current_user,
                village=current_user.village,
                facts=_facts(form),
                today=china_today(),
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"已添加党员「{member.name}」", "success")
            return redirect(url_for("branch.members"))
    return form_page(render_template("branch/member_form.html", form=form, member=None))


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def edit_member(member_id: int) -> Any:
    member = get_member_or_404(member_id, for_user=current_user)
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.version.data = member.version
    stale = False
    if form.validate_on_submit():
        try:
            update_member(
                actor=current_user,
                member=member,
                facts=_facts(form),
                expected_version=form.version.data or 0,
                today=china_today(),
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
            stale = isinstance(error, StaleEdit)
        else:
            db.session.commit()
            flash(f"已保存「{member.name}」的信息", "success")
            return redirect(url_for("branch.members"))
    page = render_template(
        "branch/member_form.html",
        form=form,
        member=member,
        leave_form=LeaveForm(version=member.version, formdata=None),
        restore_form=VersionForm(version=member.version, formdata=None),
    )
    return form_page(page, stale=stale)


@bp.route("/members/<int:member_id>/leave", methods=["POST"])
@allow(Role.SECRETARY)
def leave_member(member_id: int) -> Any:
    member = get_member_or_404(member_id, for_user=current_user)
    form = LeaveForm()
    back = url_for("branch.edit_member", member_id=member.id)
    if not form.validate_on_submit():
        return refused_back("请选择变动类型并填写日期", back)
    try:
        mark_member_left(
            actor=current_user,
            member=member,
            status=MemberStatus(form.status.data),
            on=form.on.data,
            expected_version=form.version.data,
            today=china_today(),
        )
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, back)
    db.session.commit()
    flash(f"「{member.name}」已标记为{member.status.label}，记录保留在花名册中", "success")
    return redirect(url_for("branch.members"))


@bp.route("/members/<int:member_id>/restore", methods=["POST"])
@allow(Role.SECRETARY)
def restore(member_id: int) -> Any:
    member = get_member_or_404(member_id, for_user=current_user)
    form = VersionForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError("表单已过期，请刷新后重试")
        restore_member(actor=current_user, member=member, expected_version=form.version.data)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, url_for("branch.edit_member", member_id=member.id))
    db.session.commit()
    flash(f"「{member.name}」已恢复为在册", "success")
    return redirect(url_for("branch.members"))


@bp.route("/members/import", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def import_roster() -> Any:
    form = RosterUploadForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = read_roster(upload.read(), filename=upload.filename or "", today=china_today())
            errors = result.errors
            if not errors:
                rows = [(row.row_number, row) for row in result.rows]
                imported = import_members(
                    actor=current_user, village=current_user.village, rows=rows, today=china_today()
                )
        except RosterFileRejected as rejected:
            errors = [RowError(row=None, column=None, message=rejected.message)]
        except ImportRejected as rejected:
            db.session.rollback()
            errors = [RowError(row=r, column=c, message=m) for r, c, m in rejected.problems]
        if not errors:
            db.session.commit()
            skipped = (
                f"（跳过空行 {result.blank_rows_skipped} 行）" if result.blank_rows_skipped else ""
            )
            flash(f"已导入党员 {len(imported)} 名{skipped}", "success")
            return redirect(url_for("branch.members"))
    return form_page(render_template("branch/import.html", form=form, errors=errors))


@bp.route("/members/template.xlsx")
@allow(Role.SECRETARY)
def roster_template_file() -> Any:
    return send_workbook(roster_template(), "党员花名册导入模板.xlsx")


@bp.route("/audit")
@allow(Role.SECRETARY)
def audit() -> Any:
    page = queries.audit_events(
        township_id=current_user.township_id,
        village_id=current_user.village_id,
        page=query_int("page", 1) or 1,
    )
    return render_template("branch/audit.html", page=page)
