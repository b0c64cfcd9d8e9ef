"""The secretary's cadre list (by hand or by upload) and each cadre's yearly pledge."""

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from starrating import queries
from starrating.blueprints.branch import bp, relatives
from starrating.blueprints.branch.exports import send_workbook
from starrating.blueprints.changes import form_page, refused_back
from starrating.extensions import db
from starrating.forms import ConfirmForm, VersionForm
from starrating.forms.cadres import (
    NOT_LINKED,
    CadreForm,
    CadreUploadForm,
    RelativeForm,
)
from starrating.models import Cadre, User
from starrating.permissions import allow, get_cadre_or_404
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.vocabulary import PostKind, Role
from starrating.services import ServiceError, StaleEdit, once
from starrating.services.cadres import (
    LINKABLE_ROLES,
    CadreFacts,
    CadreImportRejected,
    add_cadre,
    deactivate_cadre,
    import_cadres,
    update_cadre,
)
from starrating.spreadsheets.cadres import cadre_template, read_cadres
from starrating.spreadsheets.roster import RowError
from starrating.spreadsheets.upload import UploadRejected
from starrating.web import china_today


def _village_cadres() -> list[Cadre]:
    statement = select(Cadre).where(Cadre.village_id == current_user.village_id)
    return list(db.session.scalars(statement.order_by(Cadre.active.desc(), Cadre.id)))


def _cadre_accounts() -> list[User]:
    """The accounts a cadre's record may link: the cadres', and the secretary's own (the 书记
    is a cadre too)."""
    statement = select(User).where(
        User.village_id == current_user.village_id,
        User.role.in_(LINKABLE_ROLES),
        User.active,
    )
    return list(db.session.scalars(statement.order_by(User.role, User.id)))


def _set_choices(form: CadreForm) -> None:
    members = queries.roster(current_user.village_id)
    form.member_id.choices = [SelectChoice(NOT_LINKED, "（不关联）")] + [
        SelectChoice(str(m.id), f"{m.name}（{m.birth_date:%Y-%m-%d}）") for m in members
    ]
    form.user_id.choices = [SelectChoice(NOT_LINKED, "（不关联）")] + [
        SelectChoice(str(u.id), relatives.account_label(u)) for u in _cadre_accounts()
    ]


def _linked(value: str | None) -> int | None:
    return int(value) if value else None


def _facts(form: CadreForm) -> CadreFacts:
    return CadreFacts(
        name=form.name.data.strip(),
        post=form.post.data.strip(),
        post_kind=PostKind(form.post_kind.data),
        base_pay=form.base_pay.data,
        performance_pay=form.performance_pay.data or Decimal(0),
        reward_amount=form.reward_amount.data or Decimal(0),
        previous_grade=CadreGrade(form.previous_grade.data) if form.previous_grade.data else None,
        member_id=_linked(form.member_id.data),
        user_id=_linked(form.user_id.data),
    )


def flash_problem(error: ServiceError) -> None:
    db.session.rollback()
    flash(error.message, "error")


@bp.route("/cadres")
@allow(Role.SECRETARY)
def cadres() -> Any:
    return render_template("branch/cadres.html", cadres=_village_cadres(), year=china_today().year)


@bp.route("/cadres/new", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def new_cadre() -> Any:
    form = CadreForm()
    _set_choices(form)
    if form.validate_on_submit():
        if (done := once.claim(form.once.data)) is not None:
            flash(once.ALREADY, "info")
            return redirect(done or url_for("branch.cadres"))
        try:
            cadre = add_cadre(actor=current_user, village=current_user.village, facts=_facts(form))
        except ServiceError as error:
            flash_problem(error)
        else:
            once.made(form.once.data, url_for("branch.cadres"))
            db.session.commit()
            flash(f"已添加村干部「{cadre.name}」", "success")
            return redirect(url_for("branch.cadres"))
    return form_page(render_template("branch/cadre_form.html", form=form, cadre=None))


@bp.route("/cadres/<int:cadre_id>/edit", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def edit_cadre(cadre_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    form = CadreForm(obj=cadre)
    _set_choices(form)
    if request.method == "GET":
        form.version.data = cadre.version
    stale = False
    if form.validate_on_submit():
        try:
            update_cadre(
                actor=current_user,
                cadre=cadre,
                facts=_facts(form),
                expected_version=form.version.data or 0,
            )
        except ServiceError as error:
            flash_problem(error)
            stale = isinstance(error, StaleEdit)
        else:
            db.session.commit()
            flash(f"已保存「{cadre.name}」的信息", "success")
            return redirect(url_for("branch.cadres"))
    return _edit_page(cadre, form, stale=stale)


def _edit_page(
    cadre: Cadre, form: CadreForm, relative_form: RelativeForm | None = None, *, stale: bool = False
) -> Any:
    deactivate_form = VersionForm(version=cadre.version, formdata=None)
    page = render_template(
        "branch/cadre_form.html",
        form=form,
        cadre=cadre,
        deactivate_form=deactivate_form,
        relative_form=relative_form or relatives.relative_form(blank=True),
        remove_form=ConfirmForm(),
    )
    return form_page(page, stale=stale)


@bp.route("/cadres/<int:cadre_id>/deactivate", methods=["POST"])
@allow(Role.SECRETARY)
def deactivate(cadre_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    form = VersionForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError("表单已过期，请刷新后重试")
        deactivate_cadre(actor=current_user, cadre=cadre, expected_version=form.version.data)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, url_for("branch.edit_cadre", cadre_id=cadre.id))
    db.session.commit()
    flash(f"「{cadre.name}」已停用，记录和承诺保留", "success")
    return redirect(url_for("branch.cadres"))


@bp.route("/cadres/import", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def import_cadre_list() -> Any:
    form = CadreUploadForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = read_cadres(upload.read(), filename=upload.filename or "")
            errors = result.errors
            if not errors:
                imported = import_cadres(
                    actor=current_user, village=current_user.village, rows=result.rows
                )
        except UploadRejected as rejected:
            errors = [RowError(row=None, column=None, message=rejected.message)]
        except CadreImportRejected as rejected:
            db.session.rollback()
            errors = [RowError(row=r, column=c, message=m) for r, c, m in rejected.problems]
        if not errors:
            db.session.commit()
            flash(f"已导入村干部 {len(imported)} 名", "success")
            return redirect(url_for("branch.cadres"))
    return form_page(render_template("branch/cadre_import.html", form=form, errors=errors))


@bp.route("/cadres/template.xlsx")
@allow(Role.SECRETARY)
def cadre_template_file() -> Any:
    return send_workbook(cadre_template(), "村干部名单导入模板.xlsx")


# --- pledges ----------------------------------------------------------------------------------
