"""Benchmark: the app's own CPU per cast, in-process, against the baseline app's per request.

    .venv/bin/python benchmarks/cast_cpu.py [--casts 400] [--database-url URL]

No server and no client: each request is built beforehand (a phone that scanned its code and
opened its ballot page, with its cookie and 58 marks) and handed to `app.wsgi_app`, timed with
`time.process_time()` (this process's CPU, user + system, so an fsync's kernel time counts). The
baseline is benchmarks/baseline_app.py's one-row insert with a body of the same size, the same
way. What gunicorn adds (parsing, writing, closing) is left out: benchmarks/ballot_load.py
measures the whole. The garbage collector is tuned as in a gunicorn worker. SQLite in a
temporary folder unless --database-url names an empty database.
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ballot_load import SECRET_KEY, build  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from tests.live_server_process import parse_ballot_form  # noqa: E402


def _cpu_per_request(app: Any, environs: list[dict[str, Any]]) -> list[float]:
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    times = []
    for environ in environs:
        started = time.process_time()
        b"".join(app(environ, start_response))
        times.append(time.process_time() - started)
    assert all(status.startswith("200") for status in statuses), set(statuses)
    return times


def cast_requests(url: str, casts: int) -> tuple[Any, list[dict[str, Any]]]:
    """The app and, per code, the cast's request as a phone would send it."""
    from starrating import create_app

    village, _, codes = build(url, 58, casts)
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(7)  # noqa: S311 — marks, not secrets
    environs = []
    for code in codes:
        phone = app.test_client()
        page = phone.get(f"/v/{village}/t/{code[:5]}-{code[5:]}", follow_redirects=True)
        form = parse_ballot_form(page.get_data(as_text=True))
        assert form is not None
        fields = {"csrf_token": form.csrf_token} | {
            f"s-{subject}": rng.choice(offered) for subject, offered in form.choices.items()
        }
        cookie = phone.get_cookie("session")
        assert cookie is not None
        environs.append(
            EnvironBuilder(
                path=f"/v/{village}/ballot",
                method="POST",
                data=fields,
                headers={"Cookie": f"session={cookie.value}"},
            ).get_environ()
        )
    return app, environs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casts", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="an empty database to use")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="starrating-cast-cpu-"))
    try:
        url = args.database_url or f"sqlite:///{folder / 'cast.sqlite'}"
        app, environs = cast_requests(url, args.casts)
        from baseline_app import create_baseline_app, create_table

        base_url = f"sqlite:///{folder / 'baseline.sqlite'}" if not args.database_url else url
        create_table(base_url)
        baseline = create_baseline_app(base_url)
        body = {"csrf_token": "x" * 91} | {f"s-{i}": "satisfied" for i in range(58)}
        base_environs = [
            EnvironBuilder(path="/hit", method="POST", data=body).get_environ()
            for _ in range(args.casts)
        ]
        from starrating.gunicorn_conf import tune_garbage_collector

        tune_garbage_collector()
        cast = _cpu_per_request(app.wsgi_app, environs)
        base = _cpu_per_request(baseline.wsgi_app, base_environs)
        cast_ms, base_ms = statistics.median(cast) * 1000, statistics.median(base) * 1000
        print(f"app CPU per cast (median of {len(cast)}): {cast_ms:.2f} ms")
        print(f"baseline app CPU per request (median of {len(base)}): {base_ms:.2f} ms")
        print(f"ratio: {cast_ms / base_ms:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
