"""Stars through the year (DESIGN.md §15): the branch's 星级榜 (each member's current stars),
a member's stars page (every year's stars and grade, every 摘星 and 升星), the secretary's
form for the 支委会's 摘星 or 升星, and the printed 党员户星级牌 for the house doors."""

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
from starrating.web import china_today, query_int

CARDS_PER_SHEET = 4  # 党员户星级牌: four A6 cards to an A4 sheet


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


@bp.route("/stars/cards")
@allow(Role.SECRETARY)
def star_cards() -> Any:
    """The 党员户星级牌 for the house doors: one card per member still on the roster, four to
    an A4 sheet, the whole branch in one print run (or one member's card: ?member=<id>)."""
    standing = star_standing(current_user.village_id)
    if standing is None:
        abort(404)
    cards = [m for m in standing.members if m.leaver is None]
    one = query_int("member")
    if one is not None:
        cards = [m for m in cards if m.member_id == one]
        if not cards:
            abort(404)
    sheets = [cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
    return render_template(
        "branch/star_cards.html", standing=standing, sheets=sheets, today=china_today()
    )
