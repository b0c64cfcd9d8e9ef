"""Villages of the township, their accounts and rosters, and the audit trail."""

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating import queries
from starrating.blueprints.changes import form_page, refused, refused_back
from starrating.blueprints.township import bp
from starrating.extensions import db
from starrating.forms import ConfirmForm, UserForm, VillageForm
from starrating.permissions import get_managed_user_or_404, get_village_or_404
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import create_user, create_village, reset_password
from starrating.web import query_int


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    form = VillageForm()
    if form.validate_on_submit():
        try:
            village = create_village(
                township=current_user.township,
                name=form.name.data,
                code=form.code.data,
                actor=current_user,
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"已创建「{village.name}」，请为它创建支部书记等账号", "success")
            return redirect(url_for("township.village", village_id=village.id))
    rows = queries.township_villages(current_user.township_id)
    return form_page(render_template("township/index.html", rows=rows, form=form))


@bp.route("/villages/<int:village_id>")
def village(village_id: int) -> Any:
    found = get_village_or_404(village_id, for_user=current_user)
    return render_template(
        "township/village.html",
        village=found,
        form=UserForm(),
        confirm=ConfirmForm(),
        accounts=queries.village_accounts(found.id),
        members=queries.roster(found.id),
    )


@bp.route("/villages/<int:village_id>/users", methods=["POST"])
def add_user(village_id: int) -> Any:
    found = get_village_or_404(village_id, for_user=current_user)
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, password = create_user(
                actor=current_user,
                username=form.username.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                village=found,
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            return render_template(
                "township/password.html", user=user, password=password, created=True
            )
    page = render_template(
        "township/village.html",
        village=found,
        form=form,
        confirm=ConfirmForm(),
        accounts=queries.village_accounts(found.id),
        members=queries.roster(found.id),
    )
    return refused(page)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_user_password(user_id: int) -> Any:
    user = get_managed_user_or_404(user_id, for_user=current_user)
    if not ConfirmForm().validate_on_submit():
        back = url_for("township.village", village_id=user.village_id)
        return refused_back("请从页面上的按钮重置密码", back)
    password = reset_password(actor=current_user, user=user)
    db.session.commit()
    return render_template("township/password.html", user=user, password=password, created=False)


@bp.route("/audit")
def audit() -> Any:
    village_id = query_int("village")
    village = get_village_or_404(village_id, for_user=current_user) if village_id else None
    page = queries.audit_events(
        township_id=current_user.township_id,
        village_id=village.id if village else None,
        page=query_int("page", 1) or 1,
    )
    villages = [row.village for row in queries.township_villages(current_user.township_id)]
    return render_template("township/audit.html", page=page, village=village, villages=villages)
