"""gunicorn settings the app brings along: `gunicorn -c python:starrating.gunicorn_conf ...`.

Python's cyclic garbage collector, at its default thresholds, walks every live object again and
again while a page builds many short-lived ones: a township's dashboard grades 2,400 members and
spends about a third of its time collecting (docs/PERFORMANCE.md). Once a worker has loaded the
app, what exists then (modules, the app, SQLAlchemy's mappers) lives as long as the worker:
freeze it out of the collector's walks and collect the young generation less often.
"""

import gc
from typing import Any

YOUNG_THRESHOLD = 50_000  # default 700 allocations
OLDER_THRESHOLDS = (20, 100)  # default (10, 10)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def post_worker_init(worker: Any) -> None:  # gunicorn hook: the worker has loaded the app
    tune_garbage_collector()
