"""The township reviewer's downloads (DESIGN.md §9): any village's ten-star summary, round tally
and cadre appraisal within the township, and the township-year workbook."""

from typing import Any

from flask import abort
from flask_login import current_user

from starrating.blueprints.branch.exports import (
    round_filename,
    round_not_closed,
    send_workbook,
)
from starrating.blueprints.township import bp
from starrating.permissions import get_round_or_404, get_village_or_404
from starrating.queries import exports as reads
from starrating.queries.assessment import year_of
from starrating.rules.electorate import RoundState
from starrating.spreadsheets.exports.appraisal import cadre_workbook
from starrating.spreadsheets.exports.ballots import round_workbook
from starrating.spreadsheets.exports.tenstar import tenstar_workbook
from starrating.spreadsheets.exports.township import township_workbook
from starrating.web import china_today


@bp.route("/exports/villages/<int:village_id>/years/<int:year>/tenstar.xlsx")
def export_tenstar(village_id: int, year: int) -> Any:
    village = get_village_or_404(village_id, for_user=current_user)
    found = year_of(village.id, year)
    if found is None:
        abort(404)
    data = tenstar_workbook(reads.tenstar_export(found, today=china_today()))
    return send_workbook(data, f"{village.name}{year}年党员十星级评定汇总表.xlsx")


@bp.route("/exports/rounds/<int:round_id>/tally.xlsx")
def export_round(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    if found.state is not RoundState.CLOSED:
        return round_not_closed(found)
    data = round_workbook(reads.round_export(found, today=china_today()))
    return send_workbook(data, round_filename(found))


@bp.route("/exports/villages/<int:village_id>/appraisal/<int:year>/cadres.xlsx")
def export_cadres(village_id: int, year: int) -> Any:
    village = get_village_or_404(village_id, for_user=current_user)
    data = cadre_workbook(reads.cadre_export(village, year, today=china_today()))
    return send_workbook(data, f"{village.name}{year}年村干部年度考核表.xlsx")


@bp.route("/exports/years/<int:year>/township.xlsx")
def export_township(year: int) -> Any:
    township = current_user.township
    data = township_workbook(reads.township_export(township, year, today=china_today()))
    return send_workbook(data, f"{township.name}{year}年乡镇年度汇总.xlsx")
