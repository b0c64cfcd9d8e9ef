"""The secretary's cadre appraisal: every active cadre's year-end result, and one cadre's
explanation with the form for each item's verified completion."""

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import submit_change
from starrating.forms.appraisal import CompletionForm
from starrating.permissions import allow, get_cadre_or_404
from starrating.queries import appraisal as reads
from starrating.queries import assessment as year_queries
from starrating.rules.pledges import PledgeState
from starrating.rules.stale import fingerprint
from starrating.rules.vocabulary import Role
from starrating.rules.wording import plain, rate, yuan
from starrating.services import appraisal as service

HELPERS = {"rate": rate, "yuan": yuan, "plain": plain}


@bp.route("/appraisal/<int:year>")
@allow(Role.SECRETARY)
def appraisal(year: int) -> Any:
    cadres = reads.active_cadres([current_user.village_id])
    results = reads.appraise_cadres(cadres, year)
    ballot_round = reads.cadre_ballot_round(current_user.village_id, year)
    return render_template(
        "branch/appraisal.html", year=year, results=results, ballot_round=ballot_round, **HELPERS
    )


@bp.route("/appraisal/<int:year>/<int:cadre_id>")
@allow(Role.SECRETARY)
def cadre_appraisal(year: int, cadre_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    (result,) = reads.appraise_cadres([cadre], year)
    pledge = result.pledge
    locked = year_queries.year_lock(cadre.village_id, year)
    editable = pledge is not None and pledge.state is PledgeState.PUBLIC and not locked
    forms = {
        item.id: CompletionForm(
            prefix=f"item-{item.id}",
            completion=item.verified_completion,
            shown=fingerprint(item.verified_completion),
        )
        for item in (pledge.items if pledge else [])
    }
    return render_template(
        "branch/appraisal_cadre.html",
        year=year,
        result=result,
        editable=editable,
        locked=locked,
        forms=forms,
        **HELPERS,
    )


@bp.route("/appraisal/<int:year>/<int:cadre_id>/items/<int:item_id>", methods=["POST"])
@allow(Role.SECRETARY)
def verify_item(year: int, cadre_id: int, item_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    item = reads.get_pledge_item_or_404(item_id, cadre=cadre, year=year)
    form = CompletionForm(prefix=f"item-{item.id}")
    back = url_for("branch.cadre_appraisal", year=year, cadre_id=cadre.id)
    return submit_change(
        form,
        lambda: service.record_verified_completion(
            actor=current_user, item=item, completion=form.completion.data, shown=form.shown.data
        ),
        done=f"已核定“{item.content}”的完成情况",
        back=back,
    )
