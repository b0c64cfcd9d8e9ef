"""Account services: a password chosen for a new account meets the same policy as a change."""

import pytest

from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import create_user
from tests.factories import create_village


def test_a_chosen_initial_password_must_meet_the_policy(app):
    village = create_village()
    with pytest.raises(ServiceError, match="新密码含有您的用户名"):
        create_user(
            actor=None,
            username="li-kuaiji",
            display_name="李会计",
            role=Role.CADRE,
            village=village,
            password="li-kuaiji-2026",
        )


def test_without_a_chosen_password_a_generated_one_is_given(app):
    user, password = create_user(
        actor=None, username="li-kuaiji", display_name="李会计", role=Role.CADRE,
        village=create_village(),
    )  # fmt: skip
    assert len(password) == 12 and user.must_change_password
