"""The township decides what the village boards show (公示栏公开内容, DESIGN.md §16): every item
is on by default — pay standards and pay results too, as 村务公开 requires — and a reviewer
may turn one off while the scheme is not yet frozen."""

from html import unescape

from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent
from starrating.rules.board_scheme import BoardScheme
from tests.blueprints.test_appraisal_scheme import _open_year, _reviewer, _scheme
from tests.blueprints.test_schemes import form_values
from tests.factories import create_scheme

PAGE = "/township/schemes/2026/board"


def test_every_item_is_on_by_default_and_the_reviewer_turns_pay_results_off(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    page = unescape(client.get(PAGE).get_data(as_text=True))
    values = form_values(page)
    assert {values.get(name) for name in BoardScheme().to_dict()} == {"y"}
    overview = unescape(client.get("/township/schemes/2026").get_data(as_text=True))
    assert "村干部报酬兑现结果（应发报酬）：公开" in " ".join(
        overview.replace("<strong>", "").split()
    )
    values.pop("pay_results")
    values.pop("csrf_token", None)
    response = client.post(PAGE, data=values, follow_redirects=True)
    assert "已保存 2026 年度公示栏公开内容" in response.get_data(as_text=True)
    assert _scheme(reviewer).board == BoardScheme(pay_results=False)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert audit.before["pay_results"] is True and audit.after["pay_results"] is False


def test_a_frozen_scheme_shows_what_the_boards_show_and_refuses_edits(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get(PAGE).get_data(as_text=True))
    _open_year(reviewer)
    page = unescape(client.get(PAGE).get_data(as_text=True))
    assert (
        "✔ 公开：村干部报酬标准（基本报酬）" in page and "<form" not in page.split("board-items")[1]
    )
    old.pop("pay_standards")
    response = client.post(PAGE, data=old)
    assert response.status_code == 409
    assert "年度方案已于有村开始评定时冻结" in response.get_data(as_text=True)
    assert _scheme(reviewer).board == BoardScheme()
    count = select(func.count(AuditEvent.id)).where(AuditEvent.action == "scheme.update")
    assert db.session.scalar(count) == 0
