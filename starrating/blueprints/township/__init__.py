"""The township reviewer's pages: villages and accounts, the yearly scheme, the audit trail.

One blueprint, a module per area; each module adds its routes to `bp`.
"""

from flask import Blueprint

from starrating.permissions import guard_blueprint
from starrating.rules.vocabulary import Role

bp = Blueprint("township", __name__)
guard_blueprint(bp, roles=frozenset({Role.TOWNSHIP}))

from starrating.blueprints.township import appraisal, dashboard, exports, review, schemes, villages  # noqa: E402, F401  (registers its routes)
