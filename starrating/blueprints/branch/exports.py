"""The secretary's downloads of the village's workbooks (DESIGN.md §9): the ten-star summary of a
year, a closed round's tally and the cadres' appraisal, each built from the pages' own reads."""

import io
import re
from typing import Any

from flask import Response, render_template, send_file
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.models import BallotRound
from starrating.permissions import allow, get_round_or_404, get_year_or_404
from starrating.queries import exports as reads
from starrating.rules.electorate import RoundState
from starrating.rules.vocabulary import Role
from starrating.spreadsheets.exports.appraisal import cadre_workbook
from starrating.spreadsheets.exports.ballots import round_workbook
from starrating.spreadsheets.exports.tenstar import tenstar_workbook
from starrating.web import china_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_IN_A_FILENAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]')


def send_workbook(data: bytes, filename: str) -> Response:
    """An .xlsx download under a Chinese filename (sent as RFC 5987 filename*, with an ASCII
    fallback for old clients)."""
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=_NOT_IN_A_FILENAME.sub("", filename),
    )


def round_not_closed(ballot_round: BallotRound) -> tuple[str, int]:
    """Nobody sees results while a round is open (DESIGN.md §6): no tally, no workbook."""
    message = f"测评「{ballot_round.title}」{ballot_round.state.label}，投票结束后才能下载统计表。"
    return render_template(
        "errors/error.html", code=409, title="测评尚未结束", message=message
    ), 409


def round_filename(ballot_round: BallotRound) -> str:
    title = ballot_round.title or f"{ballot_round.year}年度测评"
    return f"{ballot_round.village.name}{title}民主测评统计表.xlsx"


@bp.route("/exports/years/<int:year>/tenstar.xlsx")
@allow(Role.SECRETARY)
def export_tenstar(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    data = tenstar_workbook(reads.tenstar_export(found, today=china_today()))
    return send_workbook(data, f"{found.village.name}{found.year}年党员十星级评定汇总表.xlsx")


@bp.route("/exports/rounds/<int:round_id>/tally.xlsx")
@allow(Role.SECRETARY)
def export_round(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    if found.state is not RoundState.CLOSED:
        return round_not_closed(found)
    data = round_workbook(reads.round_export(found, today=china_today()))
    return send_workbook(data, round_filename(found))


@bp.route("/exports/appraisal/<int:year>/cadres.xlsx")
@allow(Role.SECRETARY)
def export_cadres(year: int) -> Any:
    village = current_user.village
    data = cadre_workbook(reads.cadre_export(village, year, today=china_today()))
    return send_workbook(data, f"{village.name}{year}年村干部年度考核表.xlsx")
