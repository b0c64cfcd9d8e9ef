"""How the ballot pages answer what goes wrong, in the ballot's own layout (a villager's phone
has no staff login to go back to), and that nothing of a ballot is kept by a browser or proxy."""

from typing import Any

from flask import (
    Response,
    current_app,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from starrating.blueprints.ballot import bp, message_page
from starrating.errors import MESSAGES, VILLAGER_UNSURE
from starrating.extensions import db
from starrating.web import redact_path


@bp.after_request
def _no_store(response: Response) -> Response:
    """Nothing of a ballot is kept by the phone's browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(404)
def _not_found(error: HTTPException) -> Any:
    db.session.rollback()
    return message_page(
        "找不到投票页面",
        "这个投票地址不对。请扫描选票上的二维码，或找村里的工作人员。",
        status=404,
    )


@bp.errorhandler(HTTPException)
def _other_http_error(error: HTTPException) -> Any:
    """Any other refusal on a ballot page, in the ballot's own layout (a villager's phone has
    no staff login to go back to)."""
    db.session.rollback()
    title, text = MESSAGES.get(error.code or 500, MESSAGES[500])
    if getattr(error, "chinese", False) and error.description:
        text = error.description
    return message_page(title, text, status=error.code or 500)


@bp.errorhandler(Exception)
def _server_error(error: Exception) -> Any:
    """An error while voting: say what to do, true whether or not the ballot went in (a code
    entered again shows its receipt, never a second ballot)."""
    db.session.rollback()
    current_app.logger.exception(
        "unhandled error on %s %s", request.method, redact_path(request.path)
    )
    return message_page("投票页面出错了", VILLAGER_UNSURE, status=500)


@bp.errorhandler(429)
def _too_many(error: HTTPException) -> Any:
    db.session.rollback()
    village_code = (request.view_args or {}).get("village_code", "")
    return message_page(
        "请稍等一下再输入",
        error.description or "",
        status=429,
        retry=url_for(".enter", village_code=village_code),
    )
