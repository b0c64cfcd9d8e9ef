"""Web hygiene for every response (DESIGN.md §11) and the template helpers."""

import hashlib
import io
import os
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

from starrating.config import MAX_UPLOAD_MB
from starrating.models.types import DATABASE_INT_MAX
from starrating.rules.public_address import AddressKind, classify
from starrating.rules.public_address import warning as address_warning
from starrating.rules.stale import fingerprint
from starrating.rules.text import CONTROL_MESSAGE, has_control_characters
from starrating.rules.values import EARLIEST_DATE, LATEST_DATE

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


def china_day(moment: datetime) -> date:
    """The China date of a stored UTC moment (a filing day, an approval day)."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def china_today() -> date:
    """Today's date in China (deadlines and publicity are in Asia/Shanghai)."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def ymd(day: date | None) -> str:
    return day.strftime("%Y-%m-%d") if day else ""


# A static file's address carries its content's hash (…/ballot.css?v=3f9a0c12d4): the browser
# keeps it a year and never asks again; a changed file gets a new address at once.
STATIC_MAX_AGE = 365 * 24 * 3600
_static_hashes: dict[str, tuple[float, str]] = {}


def static_version(app: Flask, filename: str) -> str | None:
    """The first 10 hex digits of the static file's SHA-256 (None when there is no such file);
    computed once per file and again only when the file's modification time changes."""
    folder = app.static_folder
    if folder is None:
        return None
    path = os.path.join(folder, filename)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    known = _static_hashes.get(path)
    if known and known[0] == mtime:
        return known[1]
    with open(path, "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()[:10]
    _static_hashes[path] = (mtime, version)
    return version


def _no_control_characters() -> None:
    """One guard for every form, address and query, public ones included: a request
    carrying a NUL or another control character is refused before any view reads it
    (PostgreSQL cannot store NUL; nothing else should be stored invisibly)."""
    sent = [request.path]
    for values in (request.args, request.form) if request.method != "GET" else (request.args,):
        sent.extend(v for _, vs in values.lists() for v in vs)
    if any(has_control_characters(text) for text in sent):
        from starrating.errors import refuse

        refuse(400, CONTROL_MESSAGE)


def _year_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every address with a <year> in it: a year outside 1900–2100 names nothing (a 404 in
    Chinese), before a view builds a date from it (year 99999 overflowed)."""
    from flask_login import current_user

    year = (values or {}).get("year")
    if not current_user.is_authenticated:
        return  # a stranger is sent to the login page by the view's guard, whatever the year
    if isinstance(year, int) and not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        from starrating.errors import refuse

        refuse(404, f"没有 {year} 年度的记录：年度须在 1900–2100 之间。")


def register(app: Flask) -> None:
    if proxies := app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # the phone's address (per-address limits), scheme and host as the proxy saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    app.before_request(_no_control_characters)
    app.url_value_preprocessor(_year_in_range)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            # Pages and downloads (workbooks with names, grades, phones) are never kept by a
            # browser or a proxy; send_file's "no-cache" would still let them be stored.
            response.headers["Cache-Control"] = "no-store"
        elif response.status_code == 200 and _current_static_version():
            response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
        else:
            # an address without (or with an old) hash: ask again each time (ETag, 304)
            response.headers["Cache-Control"] = "no-cache"
        return response

    def _current_static_version() -> bool:
        filename = (request.view_args or {}).get("filename")
        wanted = request.args.get("v")
        return bool(filename and wanted and wanted == static_version(app, filename))

    @app.url_defaults
    def _static_hash(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        if version := static_version(app, values["filename"]):
            values["v"] = version

    app.add_template_filter(local_time)
    app.add_template_filter(
        lambda args: {k: v for k, v in args.items() if k != "page"}, "dict_without_page"
    )
    app.add_template_filter(ymd)
    from starrating.queries.namesakes import namesake_labels

    # {% set label = namesakes(rows) %} … {{ label(row) }}: namesakes told apart (DECISIONS.md)
    app.add_template_global(namesake_labels, "namesakes")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "app_name": "星级评定",
            "china_year": lambda: china_today().year,
            "brand_href": _brand_href,
            "max_upload_mb": MAX_UPLOAD_MB,
            "fingerprint": fingerprint,
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
