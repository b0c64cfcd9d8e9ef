"""Error pages in Chinese; a failed request's transaction is rolled back.

Every error page is the Chinese one, even for an error no Flask handler sees: one raised while
the request's context is torn down (closing its database session when PostgreSQL has just
restarted), or while an error page itself is rendered (its top bar reads the user from the
database). ChineseErrorPage wraps the whole WSGI app and answers those with a page rendered
when the app started, so gunicorn never sends its bare English "Internal Server Error".
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from starrating.config import MAX_UPLOAD_MB
from starrating.extensions import db
from starrating.web import redact_path

MESSAGES = {
    400: ("请求有误", "页面收到的内容不完整或格式不对，请返回重试。"),
    403: ("没有权限", "您的账号不能访问这个页面。如需使用，请联系支部书记或乡镇管理员。"),
    404: ("找不到页面", "您要找的页面或记录不存在，或不在您的管辖范围内。"),
    405: ("操作方式不对", "这个页面不能这样打开，请从菜单进入。"),
    413: (
        "文件太大",
        f"上传的文件超过 {MAX_UPLOAD_MB} MB 上限，没有保存任何内容。请检查是否选错了文件。",
    ),
    429: ("操作太频繁", "尝试次数太多，请稍后再试。"),
    500: (
        "系统出错了",
        "处理您的请求时出了错，您的操作没有保存。请稍后重试；如果一直出错，请联系管理员。",
    ),
}


DRAIN_LIMIT = 64 * 1024 * 1024


def _drain_body() -> None:
    """Read and drop the rest of a refused upload. A browser sends the whole file before it
    reads any answer: answering early and closing makes it show "connection reset" instead of
    the Chinese page. Bounded: a body announced above DRAIN_LIMIT is not read."""
    stream = request.environ.get("wsgi.input")
    left = request.content_length or 0
    if stream is None or left > DRAIN_LIMIT:
        return
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            return
        left -= len(chunk)


def _page(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, (f"错误 {code}", "请求没有完成。"))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


# An error outside the handlers may come after the request's commit (closing its session):
# the pages answering it cannot say that nothing was saved.
UNSURE = (
    "处理您的请求时出了错，不能确定刚才的操作是否已经保存。"
    "请返回上一页、刷新看看；如果没有保存，再做一次。如果一直出错，请联系管理员。"
)
VILLAGER_UNSURE = (
    "刚才没有处理完。请重新打开投票页面，或回到上一页再点一次「提交」："
    "已经收到的选票会显示回执码，不会重复计算；没有收到的，可以再投。"
)
BALLOT_PATHS = "/v/"


def register(app: Flask) -> None:
    _handlers(app)
    template = app.jinja_env.get_template("errors/offline.html")
    pages = {
        False: template.render(title=MESSAGES[500][0], message=UNSURE).encode(),
        True: template.render(title="投票页面出错了", message=VILLAGER_UNSURE).encode(),
    }
    app.wsgi_app = ChineseErrorPage(app.wsgi_app, pages, app.logger)  # type: ignore[method-assign]


def _handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        db.session.rollback()
        detail = (
            "页面已过期或表单不完整（安全校验未通过），您的操作没有保存。"
            "请返回、刷新页面后重新提交。"
        )
        return _page(400, detail)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        db.session.rollback()
        code = error.code or 500
        if code == 413:
            _drain_body()
        detail = error.description if getattr(error, "chinese", False) else None
        return _page(code, detail)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, redact_path(request.path))
        return _page(500)


StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ChineseErrorPage:
    """WSGI middleware around the whole app: anything that escapes Flask becomes the Chinese
    500 page (built without the database), logged, instead of the server's English one.

    The app's start_response is held back until the app has returned, so an error raised
    after Flask chose its response (in a teardown) can still replace it whole. A villager's
    ballot pages get a page of their own (pages[True]), saying what to do on a phone."""

    def __init__(self, app: WSGIApp, pages: dict[bool, bytes], logger: logging.Logger) -> None:
        self.app, self.pages, self.logger = app, pages, logger

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        held: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            held[:] = [status, headers]

            def write(data: bytes) -> None:  # the legacy write(): the headers go first
                start_response(*held)(data)

            return write

        try:
            body = self.app(environ, hold)
        except Exception:
            path = str(environ.get("PATH_INFO", ""))
            self.logger.exception(
                "error outside the app's handlers on %s %s",
                environ.get("REQUEST_METHOD"),
                redact_path(path),
            )
            return self._error(start_response, self.pages[path.startswith(BALLOT_PATHS)])
        start_response(*held)
        return body

    def _error(self, start_response: StartResponse, page: bytes) -> list[bytes]:
        from starrating.web import SECURITY_HEADERS

        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            ("Cache-Control", "no-store"),
            *SECURITY_HEADERS.items(),
        ]
        # the real start_response was not called yet (held back): no exc_info needed
        start_response("500 INTERNAL SERVER ERROR", headers)
        return [page]


def refuse(code: int, message: str) -> None:
    """Abort with an HTTP error whose page shows message (in Chinese) instead of the default."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.chinese = True  # type: ignore[attr-defined]
    raise error
