"""Stars through the year (DESIGN.md §15): the branch's 星级榜 (each member's current stars),
a member's stars page (every year's stars and grade, every 摘星 and 升星) and the secretary's
form for the 支委会's 摘星 or 升星."""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.extensions import db
from starrating.forms.stars import StarChangeForm
from starrating.permissions import allow, get_member_or_404
from starrating.queries.stars import member_history, star_standing
from starrating.rules.star_changes import ChangeKind
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.stars import ChangeFacts, record_star_change
from starrating.web import china_today


@bp.route("/stars")
@allow(Role.SECRETARY, Role.COMMITTEE)
def stars() -> Any:
    return render_template("branch/stars.html", standing=star_standing(current_user.village_id))


@bp.route("/members/<int:member_id>/stars", methods=["GET", "POST"])
@allow(Role.SECRETARY, Role.COMMITTEE)
def member_stars(member_id: int) -> Any:
    member = get_member_or_404(member_id, for_user=current_user)
    standing = star_standing(member.village_id)
    form = StarChangeForm()
    if standing is not None:
        form.offer(list(zip(standing.star_codes, standing.star_names, strict=True)), standing.rules)
    status = 200
    if form.is_submitted():
        if current_user.role is not Role.SECRETARY:
            abort(403)
        if form.validate():
            try:
                change = record_star_change(
                    actor=current_user,
                    member=member,
                    facts=ChangeFacts(
                        kind=ChangeKind(form.kind.data),
                        star_code=form.star_code.data or "",
                        changed_on=form.changed_on.data,
                        decided_on=form.decided_on.data,
                        reason=form.reason.data or "",
                        note=form.note.data or "",
                    ),
                    today=china_today(),
                )
            except ServiceError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                assert standing is not None
                flash(
                    f"已登记：{member.name}{change.kind.label}「"
                    f"{standing.star_name(change.star_code)}」",
                    "success",
                )
                return redirect(url_for("branch.member_stars", member_id=member.id), 303)
        status = 422
    return render_template(
        "branch/member_stars.html",
        member=member,
        standing=standing,
        current=standing.member(member.id) if standing else None,
        history=member_history(member),
        form=form,
    ), status
