"""A cadre's close relatives (近亲属), listed on the cadre's page by the secretary: a name, the
relation and the person's account if they have one (DESIGN.md §14). They may not sit on the
村务监督委员会 nor key, scrutinise or certify the cadre's review (services/supervision.py)."""

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import form_problem, refused_back, submit_change
from starrating.extensions import db
from starrating.forms import ConfirmForm
from starrating.forms.cadres import NOT_LINKED, RelativeForm
from starrating.models import CadreRelative, User
from starrating.permissions import allow, get_cadre_or_404
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.cadres import add_relative, remove_relative


def _village_accounts() -> list[User]:
    """Any active account of the village: a relative may hold one of any role."""
    statement = select(User).where(User.village_id == current_user.village_id, User.active)
    return list(db.session.scalars(statement.order_by(User.id)))


def account_label(user: User) -> str:
    return f"{user.display_name}（{user.username}，{user.role.label}）"


def relative_form(*, blank: bool = False) -> RelativeForm:
    """The relative form, as posted (or blank, to show on the edit page)."""
    form = RelativeForm(formdata=None) if blank else RelativeForm()
    form.user_id.choices = [SelectChoice(NOT_LINKED, "（没有账号）")] + [
        SelectChoice(str(u.id), account_label(u)) for u in _village_accounts()
    ]
    return form


@bp.route("/cadres/<int:cadre_id>/relatives", methods=["POST"])
@allow(Role.SECRETARY)
def add_cadre_relative(cadre_id: int) -> Any:
    """List a close relative (近亲属) on the cadre's record."""
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    form = relative_form()
    back = url_for("branch.edit_cadre", cadre_id=cadre.id) + "#relatives"
    if not form.validate_on_submit():
        return refused_back(form_problem(form), back)
    try:
        _, warning = add_relative(
            actor=current_user,
            cadre=cadre,
            name=form.name.data,
            relation=form.relation.data or "",
            user_id=int(form.user_id.data) if form.user_id.data else None,
        )
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, back)
    db.session.commit()
    flash(f"已登记「{cadre.name}」的近亲属「{form.name.data.strip()}」", "success")
    if warning:
        flash(warning, "info")
    return redirect(back)


@bp.route("/cadres/<int:cadre_id>/relatives/<int:relative_id>/remove", methods=["POST"])
@allow(Role.SECRETARY)
def remove_cadre_relative(cadre_id: int, relative_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    relative = db.session.get(CadreRelative, relative_id)
    if relative is None or relative.cadre_id != cadre.id:
        abort(404)
    back = url_for("branch.edit_cadre", cadre_id=cadre.id) + "#relatives"
    return submit_change(
        ConfirmForm(),
        lambda: remove_relative(actor=current_user, relative=relative),
        done=f"已删除近亲属「{relative.name}」",
        back=back,
    )
