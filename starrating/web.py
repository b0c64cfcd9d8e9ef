"""Web hygiene for every response (DESIGN.md §11) and the template helpers."""

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import Flask, Response, current_app, request
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from starrating.models.types import DATABASE_INT_MAX

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC moment as China time, whatever the server's clock zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def china_today() -> date:
    """Today's date in China (deadlines and publicity are in Asia/Shanghai)."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def ymd(day: date | None) -> str:
    return day.strftime("%Y-%m-%d") if day else ""


def register(app: Flask) -> None:
    if proxies := app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # the phone's address (per-address limits), scheme and host as the proxy saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            # Pages and downloads (workbooks with names, grades, phones) are never kept by a
            # browser or a proxy; send_file's "no-cache" would still let them be stored.
            response.headers["Cache-Control"] = "no-store"
        return response

    app.add_template_filter(local_time)
    app.add_template_filter(
        lambda args: {k: v for k, v in args.items() if k != "page"}, "dict_without_page"
    )
    app.add_template_filter(ymd)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"app_name": "星级评定", "china_year": lambda: china_today().year}


class DatabaseIntConverter(IntegerConverter):
    """Flask's `int` URL converter bounded to what the database's columns hold: a larger id
    matches no route (404) instead of overflowing the database driver (a 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(*args, **kwargs)


def install_url_converters(app: Flask) -> None:
    """Before any route is added: every `<int:…>` in a URL is a database integer."""
    app.url_map.converters["int"] = DatabaseIntConverter


def query_int(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string (`?page=2`, `?year=2026`), or default when it is
    missing, not a number, or outside the database's integer range (it names nothing)."""
    value = request.args.get(name, type=int)
    if value is None or not 0 <= value <= DATABASE_INT_MAX:
        return default
    return value


def public_address(path: str) -> str:
    """A full address for print (a QR, the text under it): the configured public address
    (STARRATING_PUBLIC_URL) when there is one, else the one this browser used."""
    from flask import request

    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return f"{base.rstrip('/')}{path}"


def ballot_address(village_code: str, code: str) -> str:
    """The address a printed QR (and the text under it) leads to: the village's ballot page
    with this code, which the page swaps for a session at once (DESIGN.md §11)."""
    from starrating.rules.tokens import shown

    return public_address(f"/v/{village_code}/t/{shown(code)}")


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code of text (error correction M: still reads from a worn photocopy);
    sized by CSS, black on white, no inline style (the CSP forbids it)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, svgclass="qr",
        lineclass=None, dark="#000", light="#fff",
    )  # fmt: skip
    return Markup(out.getvalue().decode())  # noqa: S704  (segno's own SVG, no user markup)
