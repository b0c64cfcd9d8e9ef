"""A cadre's yearly pledges (年初承诺, DESIGN.md §7.1) on the secretary's side: the items with
their indicators, targets, deadlines and weights, confirmed, published on the board, reopened."""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.branch.cadres import flash_problem
from starrating.blueprints.changes import form_page, refused_back
from starrating.extensions import db
from starrating.forms import VersionForm
from starrating.forms.cadres import (
    PledgeItemForm,
)
from starrating.models import Cadre, PledgeItem
from starrating.permissions import allow, get_cadre_or_404
from starrating.queries.appraisal import get_pledge_item_or_404
from starrating.queries.assessment import year_lock
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, StaleEdit, once
from starrating.services.pledges import (
    ItemFacts,
    add_pledge_item,
    amend_pledge_item,
    find_pledge,
    update_pledge_item,
)
from starrating.services.pledges import (
    confirm_pledge as confirm,
)
from starrating.services.pledges import (
    publish_pledge as publish,
)
from starrating.services.pledges import (
    remove_pledge_item as remove_item,
)
from starrating.services.pledges import (
    reopen_pledge as reopen,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _cadre_and_year(cadre_id: int, year: int) -> Cadre:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return get_cadre_or_404(cadre_id, for_user=current_user)


def _item_facts(form: PledgeItemForm) -> ItemFacts:
    return ItemFacts(
        content=form.content.data.strip(),
        indicator=form.indicator.data.strip(),
        target=form.target.data.strip(),
        deadline=form.deadline.data,
        weight=form.weight.data,
    )


def _item_form(*, with_reason: bool, **kwargs: Any) -> PledgeItemForm:
    """An item's form; with the reason for the change only where the page asks for one (an item
    of a pledge past its draft): a field the page does not show is neither read nor checked."""
    form = PledgeItemForm(**kwargs)
    if not with_reason:
        del form.reason
    return form


def _pledge_url(cadre: Cadre, year: int) -> str:
    return url_for("branch.pledge", cadre_id=cadre.id, year=year)


def _to_pledge(cadre: Cadre, year: int) -> Any:
    return redirect(_pledge_url(cadre, year))


def _render_pledge(cadre: Cadre, year: int, form: PledgeItemForm) -> str:
    pledge = find_pledge(cadre, year)
    return render_template(
        "branch/pledge.html",
        locked=year_lock(cadre.village_id, year),
        cadre=cadre,
        year=year,
        pledge=pledge,
        form=form,
        weights=sum(i.weight for i in pledge.items) if pledge else 0,
        state_form=VersionForm(version=pledge.version if pledge else 0, formdata=None),
        draft=pledge is None or pledge.state is PledgeState.DRAFT,
        editing=None,
    )


@bp.route("/cadres/<int:cadre_id>/pledges/<int:year>", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def pledge(cadre_id: int, year: int) -> Any:
    """The pledge sheet; a POST adds an item to the draft."""
    cadre = _cadre_and_year(cadre_id, year)
    form = _item_form(with_reason=False)
    if form.validate_on_submit():
        if (done := once.claim(form.once.data)) is not None:
            flash(once.ALREADY, "info")
            return redirect(done) if done else _to_pledge(cadre, year)
        try:
            add_pledge_item(actor=current_user, cadre=cadre, year=year, facts=_item_facts(form))
        except ServiceError as error:
            flash_problem(error)
        else:
            once.made(form.once.data, url_for("branch.pledge", cadre_id=cadre.id, year=year))
            db.session.commit()
            flash("已添加承诺事项", "success")
            return _to_pledge(cadre, year)
    return form_page(_render_pledge(cadre, year, form))


@bp.route(
    "/cadres/<int:cadre_id>/pledges/<int:year>/items/<int:item_id>/edit", methods=["GET", "POST"]
)
@allow(Role.SECRETARY)
def edit_pledge_item(cadre_id: int, year: int, item_id: int) -> Any:
    """Edit an item of a draft, or amend an item of a public pledge with a reason; an item saved
    by someone else since the form was opened is not overwritten."""
    cadre = _cadre_and_year(cadre_id, year)
    item = get_pledge_item_or_404(item_id, cadre=cadre, year=year)
    form = _item_form(with_reason=item.pledge.state is not PledgeState.DRAFT, obj=item)
    stale = False
    if form.validate_on_submit():
        try:
            _save_item(item, form)
        except ServiceError as error:
            flash_problem(error)
            stale = isinstance(error, StaleEdit)
        else:
            db.session.commit()
            flash(f"已保存第 {item.position} 项", "success")
            return _to_pledge(cadre, year)
    if stale:
        # the stored item is shown above the typed values; saving again replaces it knowingly
        form.version.data = item.version
    page = render_template(
        "branch/pledge.html",
        locked=year_lock(cadre.village_id, year),
        cadre=cadre,
        year=year,
        pledge=item.pledge,
        form=form,
        weights=sum(i.weight for i in item.pledge.items),
        state_form=VersionForm(version=item.pledge.version, formdata=None),
        draft=item.pledge.state is PledgeState.DRAFT,
        editing=item,
        stale=stale,
    )
    return form_page(page, stale=stale)


def _save_item(item: PledgeItem, form: PledgeItemForm) -> None:
    shown = form.version.data or 0  # 0 is no version: a form without one is stale
    if item.pledge.state is PledgeState.PUBLIC:
        amend_pledge_item(
            actor=current_user,
            item=item,
            facts=_item_facts(form),
            reason=form.reason.data or "",
            expected_version=shown,
        )
    else:
        update_pledge_item(
            actor=current_user, item=item, facts=_item_facts(form), expected_version=shown
        )


@bp.route("/cadres/<int:cadre_id>/pledges/<int:year>/items/<int:item_id>/remove", methods=["POST"])
@allow(Role.SECRETARY)
def remove_pledge_item(cadre_id: int, year: int, item_id: int) -> Any:
    cadre = _cadre_and_year(cadre_id, year)
    item = get_pledge_item_or_404(item_id, cadre=cadre, year=year)
    try:
        remove_item(actor=current_user, item=item)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, _pledge_url(cadre, year))
    db.session.commit()
    flash("已删除该承诺事项", "success")
    return _to_pledge(cadre, year)


def _step(cadre_id: int, year: int, service: Any, done: str) -> Any:
    cadre = _cadre_and_year(cadre_id, year)
    found = find_pledge(cadre, year)
    form = VersionForm()
    try:
        if found is None:
            raise ServiceError("还没有承诺事项")
        if not form.validate_on_submit():
            raise ServiceError("表单已过期，请刷新后重试")
        service(actor=current_user, pledge=found, expected_version=form.version.data)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, _pledge_url(cadre, year))
    db.session.commit()
    flash(done, "success")
    return _to_pledge(cadre, year)


@bp.route("/cadres/<int:cadre_id>/pledges/<int:year>/confirm", methods=["POST"])
@allow(Role.SECRETARY)
def confirm_pledge(cadre_id: int, year: int) -> Any:
    """Confirmed only when the weights sum to 100."""
    return _step(cadre_id, year, confirm, "承诺已确认，可以公开")


@bp.route("/cadres/<int:cadre_id>/pledges/<int:year>/reopen", methods=["POST"])
@allow(Role.SECRETARY)
def reopen_pledge(cadre_id: int, year: int) -> Any:
    return _step(cadre_id, year, reopen, "承诺已退回草稿，可以修改")


@bp.route("/cadres/<int:cadre_id>/pledges/<int:year>/publish", methods=["POST"])
@allow(Role.SECRETARY)
def publish_pledge(cadre_id: int, year: int) -> Any:
    """公开承诺: from now on an item is changed only with a reason."""
    return _step(cadre_id, year, publish, "承诺已公开；今后修改须说明理由")
