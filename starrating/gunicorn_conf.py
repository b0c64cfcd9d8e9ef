"""gunicorn settings the app brings along: `gunicorn -c python:starrating.gunicorn_conf ...`.

The access log (when one is asked for, `--access-logfile`) has the project's own format: no
referrer, no user agent, and the ballot code of a scanned QR address (`/v/<village>/t/<code>`)
replaced by "…", so that codes never reach a log file (DESIGN.md §11).

No "Server: gunicorn" banner: it tells a prober which server and version to aim at, and
gunicorn has no setting to leave it out (its Response.default_headers writes it on every
response), so each worker drops that line from the headers gunicorn writes itself.

Python's cyclic garbage collector, at its default thresholds, walks every live object again and
again while a page builds many short-lived ones: a township's dashboard grades 2,400 members and
spends about a third of its time collecting (docs/PERFORMANCE.md). Once a worker has loaded the
app, what exists then (modules, the app, SQLAlchemy's mappers) lives as long as the worker:
freeze it out of the collector's walks and collect the young generation less often.
"""

import gc
from typing import Any

from gunicorn.glogging import Logger

from starrating.web import redact_path

YOUNG_THRESHOLD = 50_000  # default 700 allocations
OLDER_THRESHOLDS = (20, 100)  # default (10, 10)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def hide_server_banner() -> None:
    """Leave gunicorn's own "Server:" header line out of every response of this worker."""
    from gunicorn.http import wsgi  # type: ignore[import-untyped]

    written_by_gunicorn = wsgi.Response.default_headers
    if getattr(written_by_gunicorn, "without_banner", False):
        return

    def default_headers(self: Any) -> list[str]:
        lines: list[str] = written_by_gunicorn(self)
        return [line for line in lines if not line.lower().startswith("server:")]

    default_headers.without_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


def post_worker_init(worker: Any) -> None:  # gunicorn hook: the worker has loaded the app
    hide_server_banner()
    tune_garbage_collector()


access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger, with ballot codes taken out of every logged path."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_path(atoms[name])
        return atoms


logger_class = RedactingLogger
