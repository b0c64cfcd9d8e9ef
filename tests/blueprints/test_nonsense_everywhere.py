"""Every POST route of every role (the table of tests/blueprints/test_locked_year.py), in a
year that allows the write, sent its own form with one field at a time replaced by each kind of
nonsense: never a 500, and nothing in English on the page that answers (issue 14)."""

import re

import pytest

from tests.blueprints.test_locked_year import CASES, _client, build

NONSENSE = ["", "   ", "x" * 5000, "1e308", "Infinity", "-1", "9" * 24, "ＡＢＣ－１２３", "😀"]
ENGLISH_SENTENCE = re.compile(r"[A-Z][a-z]+(?: [a-z]+){2,}")  # "Not a valid choice", ...


def _answer(response) -> str:
    """What the page says to the user: its flashes and field errors (not the page's markup)."""
    html = response.get_data(as_text=True)
    said = re.findall(r'class="(?:flash[^"]*|error|problem[^"]*)"[^>]*>(.*?)</', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", part) for part in said)


@pytest.mark.parametrize(("endpoint", "case"), CASES, ids=[e for e, _ in CASES])
def test_nonsense_in_any_field_of_any_form_is_answered_in_chinese(app, endpoint, case):
    world = build(None)
    if case.control:
        case.control(world)
    client = _client(app, world, case)
    url, good = case.url(world), case.data(world)
    fields = list(good) or ["note"]
    for field in fields:
        for value in NONSENSE:
            data = {**good, field: value}
            response = client.post(url, data=data, follow_redirects=True)
            assert response.status_code < 500, (endpoint, field, value[:20])
            english = ENGLISH_SENTENCE.findall(_answer(response))
            assert english == [], (endpoint, field, value[:20], english)
