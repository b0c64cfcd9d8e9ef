from decimal import Decimal

from starrating.rules.stale import changed_since_shown, fingerprint


def test_a_value_is_unchanged_while_it_is_the_one_shown():
    assert not changed_since_shown(Decimal("79.0"), fingerprint(Decimal("79.0")))
    assert not changed_since_shown(None, "")  # nothing shown, nothing stored yet
    assert changed_since_shown(Decimal("80.0"), fingerprint(Decimal("79.0")))
    assert changed_since_shown("新答复", "")  # someone answered since
    assert not changed_since_shown("新答复", None)  # a form without a fingerprint
