"""The township sets the scheme's 摘星 and 升星 reasons and whether 升星 is allowed with the other
ten-star settings (issue 19), and whether the board shows the 党员星级榜; frozen with the rest."""

from starrating.rules.star_changes import DEFAULT_AWARD_REASONS, DEFAULT_REMOVAL_REASONS
from tests.blueprints.test_schemes import _edit, _opened_year, _reviewer, _scheme, form_values
from tests.factories import create_scheme


def test_the_reviewer_sees_the_default_reasons_and_edits_them(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    values = form_values(client.get("/township/schemes/2026").get_data(as_text=True))
    assert values["removal_reasons"].splitlines() == list(DEFAULT_REMOVAL_REASONS)
    assert values["award_reasons"].splitlines() == list(DEFAULT_AWARD_REASONS)

    values.pop("csrf_token", None)
    values.pop("award_allowed")  # the box unticked: a browser sends nothing for it
    values["removal_reasons"] = "未按时交纳党费\n\n不参加组织生活\n"
    response = client.post("/township/schemes/2026", data=values)
    assert response.status_code == 302
    changes = _scheme(reviewer).tenstar.changes
    assert changes.removal_reasons == ("未按时交纳党费", "不参加组织生活")
    assert changes.award_reasons == DEFAULT_AWARD_REASONS
    assert changes.award_allowed is False


def test_no_removal_reason_is_refused_and_nothing_is_saved(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    response = _edit(client, removal_reasons="  \n")
    assert response.status_code == 422
    assert "至少须列出一种摘星理由" in response.get_data(as_text=True)
    assert _scheme(reviewer).tenstar.changes.removal_reasons == DEFAULT_REMOVAL_REASONS


def test_the_frozen_scheme_shows_the_reasons_and_the_board_setting(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    assert "党员星级榜（现有星级及摘星、升星情况）" in client.get(
        "/township/schemes/2026/board"
    ).get_data(as_text=True)
    _opened_year(reviewer)
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert "摘星与升星" in page and "允许升星" in page
    assert all(reason in page for reason in DEFAULT_REMOVAL_REASONS + DEFAULT_AWARD_REASONS)
    assert "党员星级榜（现有星级及摘星、升星情况）：<strong>公开</strong>" in page
