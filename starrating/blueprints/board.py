"""A village's public notice board (公示栏, DESIGN.md §8): no login, phone first, printable.

Anyone reads the results in publicity, the cadres' public pledges and the receipts of closed
rounds, files an objection and later reads its answer with the reference code. A QR poster of
the board's address goes on the village notice wall.

CSRF: the objection POST is exempt from the app-wide check and validates its own form (with a
six-hour limit), as the ballot does: a board page read for a long while must still send, and a
failed check re-renders the board with what the villager wrote. Filing objections and trying
wrong reference codes are limited per client address only: nobody can stop a whole village's
objections (many filings at once raise an alert on the secretary's objections page instead),
and a right reference is always shown.
"""

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from starrating import ratelimit
from starrating.blueprints.changes import REFUSED, form_problem
from starrating.blueprints.receipts import is_receipt_shaped, typed_receipt
from starrating.database import write_phase
from starrating.extensions import csrf, db
from starrating.forms.board import ObjectionForm
from starrating.models import ObjectionTopic, Village
from starrating.permissions import get_public_village_or_404, guard_blueprint, public
from starrating.queries import board as reads
from starrating.queries.answer_deadlines import answer_days_of, deadline_of
from starrating.queries.assessment import scheme_of
from starrating.queries.stars import public_standing
from starrating.rules.board_scheme import OFF_BOARD
from starrating.rules.tokens import RECEIPT_LENGTH
from starrating.rules.wording import yuan
from starrating.services import ServiceError, guessing, once
from starrating.services.objections import CONTENT_LENGTH, file_objection
from starrating.web import china_today, printing_problem, public_address, qr_svg

bp = Blueprint("board", __name__)
guard_blueprint(bp, roles=None)

FILED_PER_ADDRESS = ratelimit.Limit(hits=10, seconds=60 * 60)
WRONG_REFERENCE_PER_ADDRESS = ratelimit.Limit(hits=20, seconds=10 * 60)
CSRF_EXPIRED = (
    "这个页面打开的时间太长，安全校验过期了，刚才没有提交成功。"
    "您写的内容还在，请再点一次「提交异议」。"
)


@bp.errorhandler(404)
def _not_found(error: HTTPException) -> Any:
    db.session.rollback()
    return _message(
        "找不到这个公示栏", "这个地址不对。请扫描村公示栏上的二维码，或找村里的工作人员。", 404
    )


@bp.errorhandler(429)
def _too_many(error: HTTPException) -> Any:
    db.session.rollback()
    return _message("操作太频繁，请稍等", error.description or "", 429)


def _message(title: str, text: str, status: int) -> Any:
    return render_template("board/message.html", title=title, text=text), status


def board_address(village: Village) -> str | None:
    """The board's full address for the poster, as the printed ballots' QR codes get theirs
    (web.public_address); None when there is no trusted public address."""
    return public_address(url_for(".board", village_code=village.code))


# --- rate limits --------------------------------------------------------------------------------


def _take_slot(kind: str, limit: ratelimit.Limit, what: str) -> ratelimit.Attempt:
    """One of this address's tries (an objection filed, a wrong reference), or 429 with the
    real time left; a refused try is not counted."""
    attempt = ratelimit.acquire((f"board:{kind}:addr:{request.remote_addr}", limit))
    if not attempt.allowed:
        abort(
            429,
            description=f"这台手机（或同一个网络里的手机）{what}的次数太多了，"
            f"请 {attempt.retry_minutes} 分钟后再试。急事请直接找村党支部。",
        )
    return attempt


# --- the board ----------------------------------------------------------------------------------


@bp.route("/<village_code>/board")
@public
def board(village_code: str) -> Any:
    village = get_public_village_or_404(village_code)
    return _board_page(village, ObjectionForm(topic=ObjectionTopic.TENSTAR.value))


def _board_page(
    village: Village, form: ObjectionForm, *, problem: str | None = None, status: int = 200
) -> Any:
    today = china_today()
    return render_template(
        "board/board.html",
        board=reads.public_board(village, today=today),
        stars=public_standing(village.id),
        today=today,
        form=form,
        problem=problem,
        content_length=CONTENT_LENGTH,
        receipt_length=RECEIPT_LENGTH,
        off_board=OFF_BOARD,
        yuan=yuan,
    ), status


@bp.route("/<village_code>/board/objections", methods=["POST"])
@public
@csrf.exempt
def file(village_code: str) -> Any:
    village = get_public_village_or_404(village_code)
    attempt = _take_slot("file", FILED_PER_ADDRESS, "提交异议")
    form = ObjectionForm()
    if not form.validate_on_submit():
        ratelimit.release(attempt)
        db.session.commit()
        if "csrf_token" in form.errors:  # the page was open too long: a request to send again
            return _board_page(village, form, problem=CSRF_EXPIRED, status=400)
        return _board_page(village, form, problem=form_problem(form), status=REFUSED)
    if (done := once.claim(form.once.data)) is not None:  # a double tap: the first one's page
        ratelimit.release(attempt)
        db.session.commit()
        flash("您的异议刚才已经收到，没有重复提交。请凭编号查看答复。", "success")
        return redirect(done or url_for(".board", village_code=village.code), 303)
    year, record = reads.board_year(village.id, china_today())
    try:
        objection = file_objection(
            village=village,
            year=year,
            topic=ObjectionTopic(form.topic.data),
            content=form.content.data or "",
            name=form.name.data or "",
            phone=form.phone.data or "",
        )
    except ServiceError as error:
        db.session.rollback()
        ratelimit.release(attempt)  # in Redis; a slot in the database went with the rollback
        return _board_page(village, form, problem=error.message, status=REFUSED)
    guessing.record_filing(village_id=village.id, address=request.remote_addr)
    answerer = reads.answerer_label(record.state if record else None)
    once.made(
        form.once.data,
        url_for(".objection", village_code=village.code, reference=objection.reference),
    )
    db.session.commit()
    flash(f"已收到您的异议，{answerer}会逐条答复，请凭编号查看。", "success")
    return redirect(
        url_for(".objection", village_code=village.code, reference=objection.reference), 303
    )


# --- an objection's answer, by its reference code -------------------------------------------------


@bp.route("/<village_code>/board/objections")
@public
def find(village_code: str) -> Any:
    """The lookup form's target: a typed reference, made plain, leads to its page."""
    village = get_public_village_or_404(village_code)
    typed = typed_receipt(request.args.get("ref", ""))[:40]
    if not typed:
        return redirect(url_for(".board", village_code=village.code) + "#lookup")
    if is_receipt_shaped(typed):
        return redirect(url_for(".objection", village_code=village.code, reference=typed))
    return _not_found_reference(village, typed)


@bp.route("/<village_code>/board/objections/<reference>")
@public
def objection(village_code: str, reference: str) -> Any:
    village = get_public_village_or_404(village_code)
    typed = typed_receipt(reference)[:40]
    if typed != reference and is_receipt_shaped(typed):
        return redirect(url_for(".objection", village_code=village.code, reference=typed))
    if not is_receipt_shaped(typed):  # a slip that cannot be a reference is not a guess
        return _not_found_reference(village, typed)
    found = reads.objection_by_reference(village.id, typed)  # a right one is always shown
    if found is None:
        _count_wrong_reference(village)
        return _not_found_reference(village, typed)
    days = answer_days_of(scheme_of(village.township_id, found.year))
    return render_template(
        "board/objection.html",
        village=village,
        objection=found,
        answerer=reads.objection_answerer_label(found),
        deadline=deadline_of(found, days=days, today=china_today()),
    )


def _count_wrong_reference(village: Village) -> None:
    """Count a wrong reference and commit it, though the request otherwise writes nothing."""
    with write_phase():
        _take_slot("ref", WRONG_REFERENCE_PER_ADDRESS, "查错编号")
        db.session.commit()


def _not_found_reference(village: Village, typed: str) -> Any:
    return render_template(
        "board/objection_missing.html",
        village=village,
        typed=typed,
        receipt_length=RECEIPT_LENGTH,
    ), 404


# --- the poster for the village notice wall -------------------------------------------------------


@bp.route("/<village_code>/board/poster")
@public
def poster(village_code: str) -> Any:
    village = get_public_village_or_404(village_code)
    address = board_address(village)
    return render_template(
        "board/poster.html",
        village=village,
        address=address,
        qr=qr_svg(address) if address else None,
        no_address=printing_problem(),
    )
