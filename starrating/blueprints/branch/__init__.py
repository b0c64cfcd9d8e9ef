"""The village branch's pages: every village role's home, the roster, the ten-star year.

One blueprint, a module per area; each module adds its routes to `bp`.
"""

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from starrating import queries
from starrating.models import User
from starrating.permissions import guard_blueprint
from starrating.queries import assessment as year_queries
from starrating.queries.status import year_status_of
from starrating.queries.versions import awaiting_sign_off
from starrating.rules.result_versions import signing_role
from starrating.rules.vocabulary import VILLAGE_ROLES, Role
from starrating.services.supervision import has_supervisors, on_committee
from starrating.services.todo import secretary_todos
from starrating.web import china_today

bp = Blueprint("branch", __name__)
guard_blueprint(bp, roles=VILLAGE_ROLES)


def _may_sign(user: User) -> bool:
    """Whether the user is who signs the village's 公示稿 off: a 监委会 member once it is
    established, else a committee member."""
    established = has_supervisors(user.village_id)
    if user.role is not signing_role(has_supervisors=established):
        return False
    return on_committee(user) if established else True


@bp.route("/")
def index() -> Any:
    counts = latest = status = todos = None
    drafts = awaiting_sign_off(current_user.village_id) if _may_sign(current_user) else []
    if current_user.role is Role.SECRETARY:
        today = china_today()
        counts = queries.roster_counts(current_user.village_id)
        years = year_queries.years_of(current_user.village_id)
        if years:
            latest = years[0]
            status = year_status_of(latest, today=today)
        todos = secretary_todos(current_user.village_id, today=today)
    return render_template(
        "branch/index.html",
        counts=counts,
        latest=latest,
        status=status,
        todos=todos,
        drafts=[d for d in drafts if d.made_by_id != current_user.id],
    )


from starrating.blueprints.branch import (  # noqa: E402, F401  (registers its routes)
    appraisal,
    assessment,
    ballot_printing,
    ballots,
    cadres,
    contact,
    exports,
    marking,
    paper,
    pledges,
    relatives,
    reports,
    review,
    roster,
    screen,
    stars,
    supervisors,
    versions,
    year_members,
)
