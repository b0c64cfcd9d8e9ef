"""The township's cadre appraisal: every cadre of every village with results and pay, and the
township's own score (乡镇评价) of each."""

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from starrating.blueprints.changes import submit_change
from starrating.blueprints.township import bp
from starrating.extensions import db
from starrating.forms.appraisal import TownshipScoreForm
from starrating.models import Village
from starrating.permissions import get_cadre_or_404, visible_villages
from starrating.queries import appraisal as reads
from starrating.queries.ordering import cadres_in_township_order
from starrating.rules.stale import fingerprint
from starrating.rules.wording import plain, rate, yuan
from starrating.services import appraisal as service


@bp.route("/appraisal/<int:year>")
def appraisal(year: int) -> Any:
    village_ids = db.session.scalars(visible_villages(current_user).with_only_columns(Village.id))
    results = cadres_in_township_order(
        reads.appraise_cadres(reads.active_cadres(list(village_ids)), year), year
    )
    forms = {
        r.cadre.id: TownshipScoreForm(
            prefix=f"cadre-{r.cadre.id}",
            score=r.township_score,
            shown=fingerprint(r.township_score),
        )
        for r in results
    }
    return render_template(
        "township/appraisal.html",
        year=year,
        results=results,
        forms=forms,
        rate=rate,
        yuan=yuan,
        plain=plain,
    )


@bp.route("/appraisal/<int:year>/<int:cadre_id>/score", methods=["POST"])
def score_cadre(year: int, cadre_id: int) -> Any:
    cadre = get_cadre_or_404(cadre_id, for_user=current_user)
    form = TownshipScoreForm(prefix=f"cadre-{cadre.id}")
    return submit_change(
        form,
        lambda: service.record_township_score(
            actor=current_user, cadre=cadre, year=year, score=form.score.data, shown=form.shown.data
        ),
        done=f"已保存{cadre.name}的乡镇评价",
        back=url_for("township.appraisal", year=year),
    )
