"""Web hygiene for every response (DESIGN.md §11) and the template helpers."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app

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


def ballot_address(village_code: str, code: str) -> str:
    """The address a printed QR (and the text under it) leads to: the village's ballot page
    with this code, which the page swaps for a session at once (DESIGN.md §11)."""
    from flask import request

    from starrating.rules.tokens import shown

    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return f"{base.rstrip('/')}/v/{village_code}/t/{shown(code)}"
