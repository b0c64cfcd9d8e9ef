"""The secretary keeps the village's 村务监督委员会 (DESIGN.md §14); once it is established its
members sign the 公示稿 off and the 支委 no longer may (§16)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AuditEvent, Cadre, CadreRelative, SupervisorSeat, Village
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import PostKind, Role
from tests.blueprints.publicity import YEAR, ready_year
from tests.blueprints.test_result_versions import sign_as, versions
from tests.blueprints.test_review_village import post, text
from tests.factories import create_user, create_village, login, signed_off

NAMES = ("孙志强", "姜桂兰", "林春生", "曲振东", "于海燕", "宋立新")


@pytest.fixture
def village():
    return create_village()


@pytest.fixture
def secretary(client, village):
    user = create_user(role=Role.SECRETARY, village=village, display_name="王建国")
    login(client, user)
    return user


def _accounts(village, count=3):
    return [
        create_user(role=Role.SUPERVISOR, village=village, display_name=name)
        for name in NAMES[:count]
    ]


def _add(client, user, chair=False) -> str:
    data = {"user_id": user.id, **({"chair": "y"} if chair else {})}
    response = client.post("/branch/supervisors/add", data=data, follow_redirects=True)
    return text(response.get_data(as_text=True))


def _seated(village) -> list[tuple[str, bool]]:
    seats = db.session.scalars(
        select(SupervisorSeat)
        .where(SupervisorSeat.village_id == village.id)
        .order_by(SupervisorSeat.id)
    )
    return [(s.user.display_name, s.is_chair) for s in seats]


def _establish(client) -> str:
    response = client.post("/branch/supervisors/establish", follow_redirects=True)
    return text(response.get_data(as_text=True))


def test_the_township_opens_a_supervisor_account_and_the_secretary_can_seat_it(client, village):
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    login(client, reviewer)
    page = client.get(f"/township/villages/{village.id}").get_data(as_text=True)
    assert '<option value="supervisor">监委会成员</option>' in page
    client.post(
        f"/township/villages/{village.id}/users",
        data={"display_name": "孙志强", "username": "sun-jiandu", "role": "supervisor"},
    )
    office = client.application.test_client()
    login(office, create_user(role=Role.SECRETARY, village=village))
    page = office.get("/branch/supervisors").get_data(as_text=True)
    assert "孙志强（sun-jiandu）" in page


def test_the_secretary_seats_three_members_and_a_chair_and_confirms_the_list(
    client, village, secretary
):
    chair, second, third = _accounts(village)
    page = text(client.get("/branch/supervisors").get_data(as_text=True))
    assert "组建中" in page and "孙志强（supervisor" in page
    assert "已添加村务监督委员会成员" in _add(client, chair, chair=True)
    _add(client, second)
    # under construction: a list of two is not complete, and it signs nothing yet
    assert "须有 3–5 名成员，现在只有 2 名：请再添加 1 名" in _establish(client)
    assert db.session.get(Village, village.id).supervisors_established_at is None
    _add(client, third)
    assert "村务监督委员会名单已确认" in _establish(client)
    assert _seated(village) == [("孙志强", True), ("姜桂兰", False), ("林春生", False)]
    page = text(client.get("/branch/supervisors").get_data(as_text=True))
    assert "已确认" in page and "孙志强 主任" in page
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("supervisors.%"))
    ).all()
    assert sorted(actions) == ["supervisors.add"] * 3 + ["supervisors.establish"]


def test_a_complete_committee_has_a_chair_and_at_most_five(client, village, secretary):
    accounts = _accounts(village, 6)
    for account in accounts[:3]:
        _add(client, account)
    assert "请指定一名主任" in _establish(client)
    for account in accounts[3:5]:
        _add(client, account)
    refused = _add(client, accounts[5])
    assert "最多 5 名成员，已有 5 名：请先移除一名再添加" in refused
    assert len(_seated(village)) == 5
    seat = db.session.scalar(select(SupervisorSeat).where(SupervisorSeat.user_id == accounts[4].id))
    client.post(f"/branch/supervisors/{seat.id}/chair")
    assert "村务监督委员会名单已确认" in _establish(client)
    assert ("于海燕", True) in _seated(village)


def test_a_villagers_committee_member_is_refused_with_why(client, village, secretary):
    (account,) = _accounts(village, 1)
    db.session.add(
        Cadre(
            village=village,
            name="孙志强",
            post="村委会委员",
            post_kind=PostKind.VILLAGE_COMMITTEE,
            base_pay=Decimal(18000),
        )
    )
    db.session.commit()
    page = _add(client, account)
    assert (
        "「孙志强」是村民委员会成员（村委会委员），村民委员会成员不能担任村务监督委员会成员" in page
    )
    assert _seated(village) == []


def test_a_cadres_listed_relative_is_refused_with_why(client, village, secretary):
    (account,) = _accounts(village, 1)
    cadre = Cadre(
        village=village,
        name="李永利",
        post="村会计",
        post_kind=PostKind.STAFF,
        base_pay=Decimal(19000),
    )
    cadre.relatives = [CadreRelative(name="李红", relation="配偶", user_id=account.id)]
    db.session.add(cadre)
    db.session.commit()
    page = _add(client, account)
    assert "「孙志强」是村干部「李永利」（村会计）登记的近亲属（配偶）" in page
    assert "村干部的近亲属不能担任村务监督委员会成员" in page
    assert _seated(village) == []


def test_a_relative_listed_after_joining_is_shown_and_blocks_the_confirmation(
    client, village, secretary
):
    accounts = _accounts(village)
    for n, account in enumerate(accounts):
        _add(client, account, chair=n == 0)
    cadre = Cadre(
        village=village,
        name="李永利",
        post="村委会主任",
        post_kind=PostKind.VILLAGE_COMMITTEE,
        base_pay=Decimal(24000),
    )
    db.session.add(cadre)
    db.session.commit()
    page = client.post(
        f"/branch/cadres/{cadre.id}/relatives",
        data={"name": "林春生", "relation": "女婿", "user_id": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "注意：林春生是村务监督委员会成员" in page
    committee = text(client.get("/branch/supervisors").get_data(as_text=True))
    assert "「林春生」是村干部「李永利」（村委会主任）登记的近亲属（女婿）" in committee
    assert "登记的近亲属" in _establish(client)
    assert db.session.get(Village, village.id).supervisors_established_at is None


def test_a_chair_who_is_the_branch_secretary_is_warned_not_refused(client, village, secretary):
    namesake = create_user(role=Role.SUPERVISOR, village=village, display_name="王建国")
    page = _add(client, namesake, chair=True)
    assert "已添加村务监督委员会成员" in page
    assert "主任「王建国」是村党组织书记：村务监督委员会主任一般不由书记兼任" in page
    assert _seated(village) == [("王建国", True)]


def test_an_established_committee_stays_complete(client, village, secretary):
    chair, second, third = _accounts(village)
    for n, account in enumerate((chair, second, third)):
        _add(client, account, chair=n == 0)
    _establish(client)
    seats = {s.user_id: s.id for s in db.session.scalars(select(SupervisorSeat))}
    page = client.post(f"/branch/supervisors/{seats[third.id]}/remove", follow_redirects=True)
    assert "至少 3 名成员：请先添加接替的成员，再移除这一名" in text(page.get_data(as_text=True))
    successor = create_user(role=Role.SUPERVISOR, village=village, display_name="曲振东")
    _add(client, successor)
    page = client.post(f"/branch/supervisors/{seats[third.id]}/remove", follow_redirects=True)
    assert "已将「林春生」移出村务监督委员会" in text(page.get_data(as_text=True))
    page = client.post(f"/branch/supervisors/{seats[chair.id]}/remove", follow_redirects=True)
    assert "不能移除主任：请先指定另一名成员为主任" in text(page.get_data(as_text=True))
    assert [name for name, _ in _seated(village)] == ["孙志强", "姜桂兰", "曲振东"]


def test_only_the_villages_own_supervisor_accounts_may_join(client, village, secretary):
    from starrating.services import ServiceError
    from starrating.services.supervision import add_supervisor

    stranger = create_user(role=Role.SUPERVISOR, village=create_village())
    teller = create_user(role=Role.TELLER, village=village)
    for user in (stranger, teller):  # not offered on the page
        assert "监委会成员账号：请从列表中选择一项" in _add(client, user)
        with pytest.raises(ServiceError, match="所选账号不是本村的监委会成员账号"):
            add_supervisor(actor=secretary, village=village, user_id=user.id, chair=False)
    assert _seated(village) == []


def _committee_of(village, secretary):
    """An established 监委会 of three, seated through the service; the chair first."""
    from starrating.services.supervision import add_supervisor, establish

    accounts = _accounts(village)
    for n, account in enumerate(accounts):
        add_supervisor(actor=secretary, village=village, user_id=account.id, chair=n == 0)
    establish(actor=secretary, village=village)
    db.session.commit()
    return accounts


def test_once_established_a_supervisor_signs_and_a_committee_member_may_not(client, monkeypatch):
    from tests.blueprints.test_result_versions import days
    from tests.blueprints.test_review_village import PUBLISH_DAY

    village, secretary, _ = ready_year()
    zhiwei = create_user(role=Role.COMMITTEE, village=village)
    # under construction: a supervisor may not sign yet, the committee member still does
    accounts = _accounts(village)
    from starrating.services.supervision import add_supervisor, establish

    add_supervisor(actor=secretary, village=village, user_id=accounts[0].id, chair=True)
    db.session.commit()
    login(client, secretary)
    days(monkeypatch, PUBLISH_DAY)
    post(client, "versions/tenstar/prepare")
    first = versions()[0]
    assert "村务监督委员会还没有组建完成" in sign_as(client, accounts[0], first)
    # established: the 支委 is refused with why, the 监委会 member finds it at home and signs
    for account in accounts[1:]:
        add_supervisor(actor=secretary, village=village, user_id=account.id, chair=False)
    establish(actor=secretary, village=village)
    db.session.commit()
    refused = sign_as(client, zhiwei, first)
    assert "本村已设立村务监督委员会：公示稿须由监委会成员审核签字，支委不再代签" in refused
    home = client.application.test_client()
    login(home, accounts[1])
    page = home.get("/branch/").get_data(as_text=True)
    assert "待审核签字" in page and f"/branch/years/{YEAR}/versions/{first.id}" in page
    committee_home = client.application.test_client()
    login(committee_home, zhiwei)
    assert "待审核签字" not in committee_home.get("/branch/").get_data(as_text=True)
    assert "已审核签字" in sign_as(client, accounts[1], first)
    assert versions()[0].signed_by_id == accounts[1].id


def test_a_supervisor_account_off_the_committee_may_not_sign(client):
    village, secretary, year = ready_year()
    _committee_of(village, secretary)
    outsider = create_user(role=Role.SUPERVISOR, village=village, display_name="宋立新")
    login(client, secretary)
    post(client, "versions/tenstar/prepare")
    assert "须由监委会成员审核签字" in sign_as(client, outsider, versions()[0])


def test_the_factory_prefers_the_chair_of_an_established_committee(app):
    village, secretary, year = ready_year()
    chair, *_ = _committee_of(village, secretary)
    version = signed_off(year, Part.TENSTAR)
    assert version.signed_by_id == chair.id
