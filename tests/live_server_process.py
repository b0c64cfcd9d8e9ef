"""A real gunicorn server on 127.0.0.1 and a standard-library phone that talks to it.

Used by tests/test_ballot_concurrency.py and benchmarks/ballot_load.py (not a test module).

- `live_app()` is the WSGI app gunicorn serves as "tests.live_server_process:live_app()": the
  production defaults plus the database URL and SECRET_KEY given in STARRATING_LIVE_DATABASE_URL
  and STARRATING_LIVE_SECRET_KEY. The key must be the one the codes were generated with: they are
  stored as HMACs keyed with it. CSRF stays on, as in production. Optional: a Redis for the rate
  limits (STARRATING_LIVE_REDIS_URL) and trusted proxies (STARRATING_LIVE_PROXIES, e.g. 1, so
  that a test's X-Forwarded-For stands for many phones' addresses) and any other settings as
  JSON in STARRATING_LIVE_CONFIG.
- `LiveServer` starts gunicorn (sync workers) on a free loopback port, waits until it answers and
  stops it (terminate, wait) on exit; its log is kept for the assertions.
- `Phone` is one villager's browser: its own cookie jar, one connection per request (gunicorn's
  sync workers close every connection), redirects followed by hand, every socket closed.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# STARRATING_LIVE_APP serves another app the same way (e.g. a stand-in while a page is written).
LIVE_APP = os.environ.get("STARRATING_LIVE_APP", "tests.live_server_process:live_app()")


def live_app() -> Any:
    """The app a gunicorn worker serves: production defaults, the given database and key."""
    from starrating import create_app

    config: dict[str, Any] = {
        "SECRET_KEY": os.environ["STARRATING_LIVE_SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": os.environ["STARRATING_LIVE_DATABASE_URL"],
    }
    if redis_url := os.environ.get("STARRATING_LIVE_REDIS_URL"):
        config["RATELIMIT_REDIS_URL"] = redis_url
    if proxies := os.environ.get("STARRATING_LIVE_PROXIES"):
        config["TRUSTED_PROXIES"] = int(proxies)
    config.update(json.loads(os.environ.get("STARRATING_LIVE_CONFIG", "{}")))
    return create_app(config)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """gunicorn on 127.0.0.1:<free port> serving app_spec, for the length of a with block."""

    def __init__(
        self,
        app_spec: str,
        env: dict[str, str],
        *,
        workers: int = 2,
        cwd: Path = ROOT,
        ready_path: str = "/",
        start_timeout: float = 30.0,
        args: tuple[str, ...] = (),
    ) -> None:
        self.app_spec, self.env, self.workers, self.cwd = app_spec, env, workers, cwd
        self.ready_path, self.start_timeout, self.args = ready_path, start_timeout, args
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def __enter__(self) -> "LiveServer":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        command = [
            str(GUNICORN),
            "-c",
            "python:starrating.gunicorn_conf",  # as bin/demo and docs/OPERATIONS.md serve it
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            *self.args,
            self.app_spec,
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_text()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", self.ready_path)
                response = connection.getresponse()
                response.read()
                if response.status < 500:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {self.start_timeout} s:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=15)
            self._text = self._read_log()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _read_log(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def log_text(self) -> str:
        """gunicorn's output so far (its error log: tracebacks of unhandled errors)."""
        return self._read_log() if self._log is not None else getattr(self, "_text", "")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the gunicorn master), for CPU accounting."""
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers so far."""
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the master and its workers so far."""
        assert self.process is not None
        user = system = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            user, system = user + int(fields[11]), system + int(fields[12])  # fields 14, 15
        tick = os.sysconf("SC_CLK_TCK")
        return user / tick, system / tick


@dataclass
class Answer:
    """What the phone finally showed, and the statuses on the way (302/303 then 200)."""

    statuses: list[int]
    body: str
    path: str

    @property
    def status(self) -> int:
        return self.statuses[-1]


@dataclass
class Phone:
    """One villager's browser: a cookie jar and plain HTTP/1.1 to the live server."""

    port: int
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request

    def get(self, path: str) -> Answer:
        return self._follow("GET", path, None)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self._follow("POST", path, urlencode(form).encode())

    def _follow(self, method: str, path: str, body: bytes | None) -> Answer:
        statuses: list[int] = []
        for _ in range(5):
            status, location, text = self._once(method, path, body)
            statuses.append(status)
            if status in (301, 302, 303) and location:
                path = urlsplit(location)._replace(scheme="", netloc="").geturl() or "/"
                method, body = "GET", None
                continue
            return Answer(statuses, text, path)
        raise RuntimeError(f"too many redirects: {statuses}")

    def _once(self, method: str, path: str, body: bytes | None) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            try:
                raw = response.read()
            finally:
                response.close()
        finally:
            # At once: gunicorn's sync worker waits for this end to close (its close_graceful
            # lingers until the peer's FIN), so a slow close here would hold a worker.
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._remember(header)
        return response.status, response.headers.get("Location", ""), raw.decode("utf-8", "replace")

    def _remember(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if not morsel.value or morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


@dataclass(frozen=True)
class BallotForm:
    """The ballot page's form: its CSRF token and, per subject id, the values offered."""

    csrf_token: str
    choices: dict[int, list[str]]


def csrf_token_of(html: str) -> str | None:
    """The hidden csrf_token of the first form on a page (the login page, the code form)."""
    parser = _Inputs()
    parser.feed(html)
    parser.close()
    return next((i.get("value") for i in parser.inputs if i.get("name") == "csrf_token"), None)


def parse_ballot_form(html: str) -> BallotForm | None:
    """The form of a ballot page (hidden csrf_token, radio groups s-<subject id>), or None."""
    parser = _Inputs()
    parser.feed(html)
    parser.close()
    token = csrf_token_of(html)
    choices: dict[int, list[str]] = {}
    for attrs in parser.inputs:
        name, value = attrs.get("name") or "", attrs.get("value")
        # value "" is a row's 「清除」 box (back to blank), not one of the choices
        if name.startswith("s-") and name[2:].isdigit() and value:
            choices.setdefault(int(name[2:]), []).append(value)
    if token is None or not choices:
        return None
    return BallotForm(token, choices)
