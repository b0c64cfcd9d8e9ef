"""Web hygiene for every response (DESIGN.md §11) and the template helpers."""

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import Flask, Response, current_app
from markupsafe import Markup

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


# a scanned QR address carries the ballot code: /v/<village>/t/<code>
_CODE_IN_PATH = re.compile(r"(/v/[^/?#\s]+/t/)[^/?#\s]*")


def redact_path(text: str) -> str:
    """A path, request line or URL with any ballot code in it replaced by "…" (for logs)."""
    return _CODE_IN_PATH.sub(r"\1…", text)


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
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_template_filter(local_time)
    app.add_template_filter(
        lambda args: {k: v for k, v in args.items() if k != "page"}, "dict_without_page"
    )
    app.add_template_filter(ymd)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"app_name": "星级评定", "china_year": lambda: china_today().year}


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
