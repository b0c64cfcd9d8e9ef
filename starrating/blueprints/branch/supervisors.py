"""The village's 村务监督委员会, kept by the secretary (DESIGN.md §14): who sits on it, who
chairs it, and when it is complete; services/supervision.py says what each step checks."""

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import form_problem, refused_back
from starrating.extensions import db
from starrating.forms import ConfirmForm
from starrating.forms.supervisors import SupervisorForm
from starrating.permissions import allow
from starrating.rules.supervision import MAX_MEMBERS, MIN_MEMBERS
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services import supervision as service

BACK = "branch.supervisors"


def _form() -> SupervisorForm:
    form = SupervisorForm()
    form.user_id.choices = [
        SelectChoice(str(u.id), f"{u.display_name}（{u.username}）")
        for u in service.candidates(current_user.village_id)
    ]
    return form


@bp.route("/supervisors")
@allow(Role.SECRETARY)
def supervisors() -> Any:
    village_id = current_user.village_id
    return render_template(
        "branch/supervisors.html",
        village=current_user.village,
        seats=service.seats(village_id),
        problems=service.seat_problems(village_id),
        warning=service.chair_warning_of(village_id),
        form=_form(),
        button=ConfirmForm(),
        unkinded=[c.name for c in service.village_cadres(village_id) if c.kind is None],
        sizes=(MIN_MEMBERS, MAX_MEMBERS),
    )


def _change(change: Any, done: Any, form: Any = None, *, warns: bool = True) -> Any:
    """Run one change of the committee: commit and say so (and the warning it returns, when
    warns), or roll back and say why."""
    form = form or ConfirmForm()
    if not form.validate_on_submit():
        return refused_back(form_problem(form), url_for(BACK))
    try:
        result = change()
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, url_for(BACK))
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    if warns and result:
        flash(result, "info")
    return redirect(url_for(BACK))


@bp.route("/supervisors/add", methods=["POST"])
@allow(Role.SECRETARY)
def add_supervisor() -> Any:
    form = _form()
    return _change(
        lambda: service.add_supervisor(
            actor=current_user,
            village=current_user.village,
            user_id=int(form.user_id.data),
            chair=form.chair.data,
        ),
        "已添加村务监督委员会成员",
        form,
    )


@bp.route("/supervisors/<int:seat_id>/remove", methods=["POST"])
@allow(Role.SECRETARY)
def remove_supervisor(seat_id: int) -> Any:
    return _change(
        lambda: service.remove_supervisor(
            actor=current_user, village=current_user.village, seat_id=seat_id
        ),
        lambda name: f"已将「{name}」移出村务监督委员会",
        warns=False,
    )


@bp.route("/supervisors/<int:seat_id>/chair", methods=["POST"])
@allow(Role.SECRETARY)
def make_supervisor_chair(seat_id: int) -> Any:
    return _change(
        lambda: service.make_chair(
            actor=current_user, village=current_user.village, seat_id=seat_id
        ),
        "已更换村务监督委员会主任",
    )


@bp.route("/supervisors/establish", methods=["POST"])
@allow(Role.SECRETARY)
def establish_supervisors() -> Any:
    return _change(
        lambda: service.establish(actor=current_user, village=current_user.village),
        "村务监督委员会名单已确认：今后公示稿由监委会成员审核签字",
    )
