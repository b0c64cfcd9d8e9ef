"""The township's dashboard: every village's year at a glance (stage, marking progress, member
ballot, objections, cadres) with the objections overdue for an answer, a chart of the grades
per village and, village by village, the cadres' satisfaction and pledge completion (DESIGN.md
§5.6, §8, §16)."""

from collections import Counter
from typing import Any

from flask import render_template
from flask_login import current_user

from starrating import queries, ratelimit
from starrating.blueprints.township import bp
from starrating.blueprints.township.review import cadre_charts
from starrating.queries.answer_deadlines import answer_days_of, overdue_objections
from starrating.queries.board import answerer_label
from starrating.queries.township import township_year
from starrating.rules.assessment_state import YearState
from starrating.rules.tenstar import GRADE_ORDER
from starrating.web import china_today, query_int

NOT_OPENED = "未开启"
STAGES = (NOT_OPENED, *(state.label for state in YearState))


@bp.route("/dashboard")
def dashboard() -> Any:
    schemes = [row.scheme for row in queries.scheme_rows(current_user.township_id)]
    years = [scheme.year for scheme in schemes]
    year = query_int("year") or (years[0] if years else china_today().year)
    rows = township_year(current_user.township_id, year)
    stages = Counter(row.stage for row in rows)
    days = answer_days_of(next((s for s in schemes if s.year == year), None))
    overdue = overdue_objections(
        [row.village.id for row in rows], year, days=days, today=china_today()
    )
    return render_template(
        "township/dashboard.html",
        year=year,
        years=sorted({*years, year}, reverse=True),
        rows=rows,
        stages=[(stage, stages[stage]) for stage in STAGES],
        grades=GRADE_ORDER,
        grade_rows=[(row.village.name, row.grade_counts) for row in rows if row.figures],
        open_objections=sum(row.open_objections for row in rows),
        overdue=overdue,
        overdue_by_village=Counter(o.village_id for o in overdue),
        village_rows={row.village.id: row for row in rows},
        answerers={row.village.id: answerer_label(row.state) for row in rows},
        answer_days=days,
        cadre_charts=[
            (row, cadre_charts(row.cadres, row.record.scheme.appraisal))
            for row in rows
            if row.record and row.cadres
        ],
        rate_limit_store=ratelimit.store_status(),
    )
