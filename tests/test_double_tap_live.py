"""A villager double-taps 提交 on the public objection form: two requests with the same form
reach a real gunicorn at the same moment. One objection is filed, and both taps land on its
page (services/once.py: the second waits for the first's claim, then finds it)."""

import re
import threading

from sqlalchemy import create_engine, func, select

from starrating.models import Objection
from tests.live_server_process import Phone, csrf_token_of
from tests.test_ratelimit_live import served


def test_a_double_tapped_objection_is_filed_once(databases):
    with served(databases, codes=1) as s:
        phone = Phone(s.server.port)
        page = phone.get(f"/{s.live.village_code}/board").body
        token = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
        form = {
            "csrf_token": csrf_token_of(page) or "",
            "once": token,
            "topic": "tenstar",
            "content": "第三组评分有误",
            "name": "",
            "phone": "",
        }
        taps = [Phone(s.server.port, cookies=dict(phone.cookies)) for _ in range(2)]
        start, landed = threading.Barrier(2), [None, None]

        def tap(i: int) -> None:
            start.wait()
            landed[i] = taps[i].post(f"/{s.live.village_code}/board/objections", form)

        threads = [threading.Thread(target=tap, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    first, second = landed
    assert first.statuses[0] == second.statuses[0] == 303, (first.statuses, second.statuses)
    assert first.path == second.path and "/board/objections/" in first.path
    engine = create_engine(s.database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Objection.__table__)) == 1
    finally:
        engine.dispose()
