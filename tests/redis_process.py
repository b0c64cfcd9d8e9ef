"""A throwaway redis-server of the test's own, on a free loopback port, to kill or freeze.

The shared Redis on 6379 serves other people's tests: a test that takes Redis away (killed, or
frozen with SIGSTOP as a hung server would be) does it to one of these only.
"""

import os
import signal
import subprocess
import tempfile
import time
from types import TracebackType

import redis

from tests.live_server_process import free_port


class RedisServer:
    """redis-server on 127.0.0.1:<free port>, no persistence, for the length of a with block."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._folder = tempfile.TemporaryDirectory(prefix="starrating-redis-")
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.kill()
        self._folder.cleanup()

    def start(self) -> None:
        try:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    self._folder.name,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError as missing:
            raise RuntimeError(
                "redis-server is not installed (apt-get install redis-server)"
            ) from (missing)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer")

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel, nothing is ever answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def kill(self) -> None:
        if self.process is None:
            return
        if self.frozen:
            self.thaw()
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None
