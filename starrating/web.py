"""Web hygiene for every response (DESIGN.md §11) and the template helpers."""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import Flask, Response, current_app, request
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from starrating.models.types import DATABASE_INT_MAX
from starrating.rules.public_address import AddressKind, classify
from starrating.rules.public_address import warning as address_warning

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
        return {
            "app_name": "星级评定",
            "china_year": lambda: china_today().year,
            "brand_href": _brand_href,
        }


def _brand_href() -> str:
    """Where the ★ 星级评定 link in the top bar leads. On a village's public pages it is that
    village's board (a villager has no account; the login page is a dead end for them);
    elsewhere it is the user's home, or the login page."""
    from flask import url_for
    from flask_login import current_user

    village_code = (request.view_args or {}).get("village_code")
    if request.blueprint == "board" and village_code:
        return url_for("board.board", village_code=village_code)
    if current_user.is_authenticated:
        return url_for("auth.home")
    return url_for("auth.login")


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


NO_PUBLIC_ADDRESS = (
    "没有设置村民手机访问本系统的地址，所以不能打印二维码。"
    "请管理员在服务器上设置 STARRATING_PUBLIC_URL 为村民手机能打开的地址"
    "（例如 STARRATING_PUBLIC_URL=http://192.168.1.10:5000），重新启动本系统后再打印；"
    "或者把本页地址栏里的主机名列入 STARRATING_HOSTS。"
    "为了不让二维码被引到别的网站，系统不使用浏览器发来的地址。"
)


def public_base_url() -> str | None:
    """The address printed on ballots and the poster: the configured public address
    (STARRATING_PUBLIC_URL), else the one this browser used if its host is one of the
    configured hosts (STARRATING_HOSTS). Else None: the Host header is the browser's (or a
    forger's) word, and a QR leading to a forged host would collect villagers' codes."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if host_is_allowed(request.host, current_app.config["PUBLIC_HOSTS"]):
        return request.host_url.rstrip("/")
    return None


def host_is_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether host ("name" or "name:port", as the request says) is in the list: an entry
    with a port allows that port only, an entry without one allows the name on any port."""
    host = host.lower()
    name, _, port = host.rpartition(":")
    if not port.isdigit():
        name = host
    names = {host, name, name.strip("[]")}  # an IPv6 host comes as [fd00::2]:5000
    return any(entry.lower() in names for entry in allowed)


@dataclass(frozen=True)
class PrintedAddress:
    """The address printed codes would carry, and what kind it is (rules/public_address.py)."""

    base: str
    kind: AddressKind

    @property
    def warning(self) -> str:
        return address_warning(self.kind, self.base)


def printed_address() -> PrintedAddress | None:
    """The address QR codes printed from this request would lead to, classified; None when
    there is none (printing_problem says why)."""
    base = public_base_url()
    if base is None:
        return None
    configured = bool(current_app.config.get("PUBLIC_BASE_URL"))
    return PrintedAddress(base, classify(base, configured=configured))


def printing_problem() -> str | None:
    """Why QR codes cannot be printed from this request (no trusted public address), or None."""
    return NO_PUBLIC_ADDRESS if public_base_url() is None else None


def public_address(path: str) -> str | None:
    """A full address for print (a QR, the text under it), or None when there is no trusted
    public address (the page then says NO_PUBLIC_ADDRESS and prints no QR)."""
    base = public_base_url()
    return f"{base}{path}" if base else None


def ballot_address(village_code: str, code: str) -> str | None:
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
