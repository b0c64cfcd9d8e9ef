"""Result versions on the village's side (DESIGN.md §16): the secretary prepares a 公示稿 of
the ten-star or the cadres' results, a 监委会 member (until the village's 村务监督委员会 is
established, another committee member) reads and signs it off (审核签字),
then the secretary publishes it — or, during publicity, publishes it as a correction. Every
version, published or not, can be read here; the archive lists the published ones."""

from typing import Any

from flask import abort, render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.branch.exports import send_workbook
from starrating.blueprints.changes import submit_change
from starrating.extensions import db
from starrating.forms import ConfirmForm
from starrating.models import AssessmentYear, ResultVersion
from starrating.permissions import allow, get_year_or_404
from starrating.queries.archive import archive_book, publications
from starrating.queries.versions import cadres_of, tenstar_of, versions_of
from starrating.rules.result_versions import Part, sign_off_problem
from starrating.rules.vocabulary import Role
from starrating.rules.wording import yuan
from starrating.services import review as review_service
from starrating.services import versions as service
from starrating.services.supervision import has_supervisors, on_committee
from starrating.spreadsheets.exports.archive import archive_workbook
from starrating.web import china_today

READERS = (Role.SECRETARY, Role.COMMITTEE, Role.SUPERVISOR)


def _part_or_404(part: str) -> Part:
    try:
        return Part(part)
    except ValueError:
        abort(404)


def _version_or_404(year: AssessmentYear, version_id: int) -> ResultVersion:
    found = db.session.get(ResultVersion, version_id)
    if found is None or found.year_id != year.id:
        abort(404)
    return found


def _review_url(year: AssessmentYear, part: Part) -> str:
    anchor = "publish" if part is Part.TENSTAR else "publish-cadres"
    return url_for("branch.review", year=year.year) + f"#{anchor}"


@bp.route("/years/<int:year>/versions/<part>/prepare", methods=["POST"])
@allow(Role.SECRETARY)
def prepare_version(year: int, part: str) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    which = _part_or_404(part)
    return submit_change(
        ConfirmForm(),
        lambda: service.prepare_version(actor=current_user, year=found, part=which),
        done=lambda v: (
            f"已生成{which.label}公示稿第 {v.number} 版：请监委会成员（尚未设立的，"
            "另一位支委）登录后审核签字，签字后才能公示"
        ),
        back=_review_url(found, which),
    )


@bp.route("/years/<int:year>/versions/<part>/correct", methods=["POST"])
@allow(Role.SECRETARY)
def publish_correction(year: int, part: str) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    which = _part_or_404(part)
    return submit_change(
        ConfirmForm(),
        lambda: review_service.publish_correction(
            actor=current_user, year=found, part=which, today=china_today()
        ),
        done=lambda n: f"已公示更正：公示栏现在显示{which.label}第 {n} 版，并列出更正的内容",
        back=_review_url(found, which),
    )


@bp.route("/years/<int:year>/versions")
@allow(*READERS)
def versions(year: int) -> Any:
    """Every version of the year, newest first: the archive of what went public and the
    drafts that were signed or replaced."""
    found = get_year_or_404(year, for_user=current_user)
    return render_template(
        "branch/versions.html", year=found, versions=versions_of(found.id), Part=Part
    )


@bp.route("/years/<int:year>/versions/<int:version_id>")
@allow(*READERS)
def version(year: int, version_id: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    shown = _version_or_404(found, version_id)
    latest = versions_of(found.id, shown.part)[0]
    problem = sign_off_problem(
        signer_role=current_user.role,
        signer_id=current_user.id,
        maker_id=shown.made_by_id or 0,
        published=shown.published,
        latest=latest.id == shown.id,
        has_supervisors=has_supervisors(found.village_id),
        on_committee=on_committee(current_user),
    )
    return render_template(
        "branch/version.html",
        year=found,
        version=shown,
        tenstar=tenstar_of(shown) if shown.part is Part.TENSTAR else None,
        cadres=cadres_of(shown) if shown.part is Part.CADRES else None,
        may_sign=problem is None and not shown.signed,
        sign_problem=problem,
        form=ConfirmForm(),
        yuan=yuan,
    )


@bp.route("/years/<int:year>/versions/<int:version_id>/sign", methods=["POST"])
@allow(*READERS)
def sign_version(year: int, version_id: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    shown = _version_or_404(found, version_id)
    return submit_change(
        ConfirmForm(),
        lambda: service.sign_off(actor=current_user, version=shown),
        done=f"已审核签字：{shown.part.label}公示稿第 {shown.number} 版，支部书记现在可以公示",
        back=url_for("branch.version", year=found.year, version_id=shown.id),
    )


@bp.route("/years/<int:year>/archive")
@allow(*READERS)
def archive(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return render_archive(
        found,
        back_url=url_for("branch.versions", year=found.year),
        workbook_url=url_for("branch.export_archive", year=found.year),
    )


@bp.route("/exports/years/<int:year>/archive.xlsx")
@allow(*READERS)
def export_archive(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return send_archive(found)


def render_archive(year: AssessmentYear, *, back_url: str, workbook_url: str) -> Any:
    """The archive page, the village's and the township's."""
    book = archive_book(year, today=china_today())
    return render_template(
        "archive.html",
        year=year,
        published=publications(year),
        objections=book.objections,
        back_url=back_url,
        workbook_url=workbook_url,
        yuan=yuan,
    )


def send_archive(year: AssessmentYear) -> Any:
    data = archive_workbook(archive_book(year, today=china_today()))
    return send_workbook(data, f"{year.village.name}{year.year}年公示档案.xlsx")
