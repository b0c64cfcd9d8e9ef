"""The secretary keeps the cadre list and each cadre's yearly pledge."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, Cadre, Pledge, PledgeItem
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from tests.factories import create_member, create_user, create_village, login

GOOD = {
    "name": "张三",
    "post": "村委会主任",
    "post_kind": "village_committee",
    "base_pay": "24000",
    "reward_amount": "3000.50",
}
ITEM = {"content": "修村道", "indicator": "道路长度", "target": "2 公里", "deadline": "2026-10-31"}


@pytest.fixture
def secretary(client):
    user = create_user(role=Role.SECRETARY)
    login(client, user)
    return user


def _cadre(village, **values) -> Cadre:
    cadre = Cadre(
        village=village, name="张三", post="村委会主任", base_pay=Decimal(24000), **values
    )
    db.session.add(cadre)
    db.session.commit()
    return cadre


def _count(village) -> int:
    return db.session.scalar(select(func.count(Cadre.id)).where(Cadre.village_id == village.id))


def test_secretary_adds_a_cadre_linked_to_a_member_and_an_account(client, secretary):
    member = create_member(village=secretary.village, name="张三")
    account = create_user(role=Role.CADRE, village=secretary.village)
    data = {**GOOD, "member_id": member.id, "user_id": account.id, "previous_grade": "competent"}
    assert client.post("/branch/cadres/new", data=data).location == "/branch/cadres"
    cadre = db.session.scalar(select(Cadre))
    assert (cadre.member_id, cadre.user_id) == (member.id, account.id)
    assert cadre.reward_amount == Decimal("3000.50") and cadre.previous_grade.label == "称职"
    assert "张三" in client.get("/branch/cadres").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cadre.create"))
    assert event.after["base_pay"] == "24000.00" or event.after["base_pay"] == "24000"


@pytest.mark.parametrize("field", ["base_pay", "performance_pay", "reward_amount"])
def test_a_pay_figure_with_three_decimals_is_refused(client, secretary, field):
    page = client.post("/branch/cadres/new", data={**GOOD, field: "1000.123"})
    assert "最多两位小数（精确到分），现为 1000.123" in page.get_data(as_text=True)
    assert _count(secretary.village) == 0


@pytest.mark.parametrize(("typed", "message"), [("   ", "此项必填"), ("元", "请填写数字")])
def test_a_blank_base_pay_is_refused_in_chinese_not_a_500(client, secretary, typed, message):
    page = client.post("/branch/cadres/new", data={**GOOD, "base_pay": typed})
    assert page.status_code in (200, 422) and message in page.get_data(as_text=True)
    assert _count(secretary.village) == 0


def test_a_pay_typed_with_a_chinese_input_method_reads(client, secretary):
    client.post("/branch/cadres/new", data={**GOOD, "base_pay": "２４，０００元"})
    assert db.session.scalar(select(Cadre.base_pay)) == Decimal(24000)


def test_a_member_of_another_village_cannot_be_linked(client, secretary):
    stranger = create_member(village=create_village())
    page = client.post("/branch/cadres/new", data={**GOOD, "member_id": stranger.id})
    assert _count(secretary.village) == 0
    assert "请从列表中选择" in page.get_data(as_text=True)


def test_an_edit_is_audited_and_a_stale_edit_is_refused(client, secretary):
    cadre = _cadre(secretary.village)
    url = f"/branch/cadres/{cadre.id}/edit"
    client.post(url, data={**GOOD, "post": "村会计", "version": 1})
    page = client.post(url, data={**GOOD, "post": "旧表单", "version": 1})
    assert page.status_code == 409 and "已被修改" in page.get_data(as_text=True)
    db.session.refresh(cadre)
    assert cadre.post == "村会计"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cadre.update"))
    assert event.before["post"] == "村委会主任" and event.after["post"] == "村会计"


def test_a_deactivated_cadre_is_kept(client, secretary):
    cadre = _cadre(secretary.village)
    client.post(f"/branch/cadres/{cadre.id}/deactivate", data={"version": 1})
    db.session.refresh(cadre)
    assert cadre.active is False and "已停用" in client.get("/branch/cadres").get_data(as_text=True)


def _sheet(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "村干部名单"
    sheet.append(
        ["姓名*", "职务*", "基本工资（元）*", "绩效工资（元）", "奖励金额（元）", "上年度考核等次"]
    )
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes):
    return client.post(
        "/branch/cadres/import",
        data={"file": (io.BytesIO(data), "村干部.xlsx")},
        content_type="multipart/form-data",
    )


def test_a_good_cadre_list_is_imported(client, secretary):
    response = _upload(
        client,
        _sheet(
            ("张三", "主任", 24000, 0, 3000, "称职"), ("李四", "会计", "18000.50", None, None, None)
        ),
    )
    assert response.location == "/branch/cadres"
    assert _count(secretary.village) == 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cadre.import"))


def test_a_list_with_one_bad_row_imports_nothing_and_names_row_column_reason(client, secretary):
    response = _upload(
        client,
        _sheet(("张三", "主任", 24000, 0, 0, None), ("李四", "会计", "1.234", None, None, "很好")),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第 3 行" in page and "最多两位小数" in page and "只能填写" in page
    assert _count(secretary.village) == 0


def test_the_template_downloads_and_reads_back(client, secretary):
    from openpyxl import load_workbook

    response = client.get("/branch/cadres/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book["村干部名单"][2]][:4] == [
        "姓名*",
        "职务*",
        "职务类别",
        "基本工资（元）*",
    ]


def test_the_template_filled_in_imports_each_cadres_post_kind(client, secretary):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/branch/cadres/template.xlsx").data))
    sheet = book["村干部名单"]
    sheet.append(["李四", "村委会主任", "村民委员会成员", 24000])
    sheet.append(["王五", "村党支部书记", "党组织成员", 30000])
    sheet.append(["赵六", "村报账员", None, 19000])  # left blank: 未填写, filled in on the page
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        "/branch/cadres/import",
        data={"file": (io.BytesIO(out.getvalue()), "村干部.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    kinds = dict(db.session.execute(select(Cadre.name, Cadre.post_kind)).all())
    assert {name: kind and kind.label for name, kind in kinds.items()} == {
        "李四": "村民委员会成员",
        "王五": "党组织成员",
        "赵六": None,
    }
    assert "未填写" in client.get("/branch/cadres").get_data(as_text=True)


def test_a_post_kind_outside_the_list_is_refused_at_import(client, secretary):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/branch/cadres/template.xlsx").data))
    book["村干部名单"].append(["李四", "村委会主任", "村委", 24000])
    out = io.BytesIO()
    book.save(out)
    page = client.post(
        "/branch/cadres/import",
        data={"file": (io.BytesIO(out.getvalue()), "村干部.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "只能填写 村民委员会成员、党组织成员、其他，不能填「村委」" in page
    assert _count(secretary.village) == 0


def test_a_cadre_needs_its_post_kind(client, secretary):
    page = client.post("/branch/cadres/new", data={**GOOD, "post_kind": ""})
    assert "请选择职务类别" in page.get_data(as_text=True)
    assert _count(secretary.village) == 0


def test_the_secretarys_own_account_may_be_the_shuji_cadres(client, secretary):
    data = {**GOOD, "post": "村党支部书记", "post_kind": "party", "user_id": secretary.id}
    assert client.post("/branch/cadres/new", data=data).status_code == 302
    cadre = db.session.scalar(select(Cadre))
    assert cadre.user_id == secretary.id and cadre.post_kind.label == "党组织成员"
    # one account is one cadre's
    again = client.post("/branch/cadres/new", data={**data, "name": "李四"})
    assert f"已关联村干部「{cadre.name}」" in again.get_data(as_text=True)
    assert _count(secretary.village) == 1


def test_a_teller_account_is_not_a_cadres(client, secretary):
    teller = create_user(role=Role.TELLER, village=secretary.village)
    page = client.post("/branch/cadres/new", data={**GOOD, "user_id": teller.id})
    assert "请从列表中选择" in page.get_data(as_text=True)
    assert _count(secretary.village) == 0


def test_the_secretary_lists_a_cadres_close_relatives(client, secretary):
    cadre = _cadre(secretary.village)
    teller = create_user(role=Role.TELLER, village=secretary.village, display_name="张小明")
    url = f"/branch/cadres/{cadre.id}/relatives"
    page = client.post(
        url,
        data={"name": "张小明", "relation": "儿子", "user_id": teller.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已登记「张三」的近亲属「张小明」" in page
    client.post(url, data={"name": "李秀兰", "relation": "配偶", "user_id": ""})
    edit = client.get(f"/branch/cadres/{cadre.id}/edit").get_data(as_text=True)
    assert "张小明" in edit and "（儿子）" in edit and "李秀兰" in edit and "没有账号" in edit
    db.session.refresh(cadre)
    assert [(r.name, r.relation, r.user_id) for r in cadre.relatives] == [
        ("张小明", "儿子", teller.id),
        ("李秀兰", "配偶", None),
    ]
    # bad input changes nothing: no name, the cadre's own account, a relative listed twice
    own = create_user(role=Role.CADRE, village=secretary.village)
    cadre.user_id = own.id
    db.session.commit()
    for data, reason in (
        ({"name": "", "relation": ""}, "近亲属姓名：此项必填"),
        ({"name": "张三丰", "user_id": own.id}, "是「张三」本人的账号，不是近亲属的"),
        ({"name": "李秀兰", "relation": "配偶"}, "「张三」的近亲属里已有「李秀兰」"),
    ):
        refused = client.post(url, data={"user_id": "", **data}, follow_redirects=True)
        assert reason in refused.get_data(as_text=True)
    db.session.refresh(cadre)
    assert len(cadre.relatives) == 2
    first = cadre.relatives[0]
    removed = client.post(
        f"/branch/cadres/{cadre.id}/relatives/{first.id}/remove", follow_redirects=True
    ).get_data(as_text=True)
    assert "已删除近亲属「张小明」" in removed
    db.session.refresh(cadre)
    assert [r.name for r in cadre.relatives] == ["李秀兰"]


def test_another_villages_cadres_relatives_are_not_found(client, secretary):
    theirs = _cadre(create_village())
    response = client.post(f"/branch/cadres/{theirs.id}/relatives", data={"name": "王五"})
    assert response.status_code == 404


# --- pledges ----------------------------------------------------------------------------------


def _pledge_url(cadre, year=2026) -> str:
    return f"/branch/cadres/{cadre.id}/pledges/{year}"


def _add_items(client, cadre, *weights):
    for n, weight in enumerate(weights, start=1):
        response = client.post(
            _pledge_url(cadre), data={**ITEM, "content": f"事项{n}", "weight": weight}
        )
        assert response.status_code == 302


def _pledge(cadre) -> Pledge:
    return db.session.scalar(select(Pledge).where(Pledge.cadre_id == cadre.id))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((40, 30, 29), "各项权重合计须为 100，现为 99（还差 1）"),
        ((40, 30, 31), "现为 101（多了 1）"),
    ],
)
def test_a_pledge_whose_weights_do_not_sum_to_100_is_not_confirmed(
    client, secretary, weights, message
):
    cadre = _cadre(secretary.village)
    _add_items(client, cadre, *weights)
    page = client.post(_pledge_url(cadre) + "/confirm", data={"version": 1}, follow_redirects=True)
    assert message in page.get_data(as_text=True)
    assert _pledge(cadre).state is PledgeState.DRAFT


def _public_pledge(client, cadre) -> Pledge:
    _add_items(client, cadre, 40, 30, 30)
    client.post(_pledge_url(cadre) + "/confirm", data={"version": _pledge(cadre).version})
    assert _pledge(cadre).state is PledgeState.CONFIRMED
    client.post(_pledge_url(cadre) + "/publish", data={"version": _pledge(cadre).version})
    pledge = _pledge(cadre)
    assert pledge.state is PledgeState.PUBLIC and pledge.published_at is not None
    return pledge


def test_weights_summing_to_100_are_confirmed_and_published(client, secretary):
    cadre = _cadre(secretary.village)
    _public_pledge(client, cadre)
    page = client.get(_pledge_url(cadre)).get_data(as_text=True)
    assert "已公开承诺" in page


def test_a_public_pledge_is_amended_only_with_a_reason(client, secretary):
    cadre = _cadre(secretary.village)
    item = _public_pledge(client, cadre).items[0]
    url = f"{_pledge_url(cadre)}/items/{item.id}/edit"
    data = {**ITEM, "target": "3 公里", "weight": 40, "version": item.version}
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "须填写修改理由" in page
    db.session.refresh(item)
    assert item.target == "2 公里"
    client.post(url, data={**data, "reason": "上级追加投资"})
    db.session.refresh(item)
    assert item.target == "3 公里"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pledge.amend"))
    assert event.before["target"] == "2 公里" and event.after["target"] == "3 公里"
    assert event.after["reason"] == "上级追加投资"


def test_a_public_pledge_cannot_gain_or_lose_items(client, secretary):
    cadre = _cadre(secretary.village)
    pledge = _public_pledge(client, cadre)
    client.post(_pledge_url(cadre), data={**ITEM, "weight": 10})
    client.post(f"{_pledge_url(cadre)}/items/{pledge.items[0].id}/remove")
    db.session.refresh(pledge)
    assert len(pledge.items) == 3


def test_another_villages_cadre_is_not_found(client, secretary):
    theirs = _cadre(create_village())
    assert client.get(f"/branch/cadres/{theirs.id}/edit").status_code == 404
    assert client.get(_pledge_url(theirs)).status_code == 404
    assert client.post(_pledge_url(theirs), data={**ITEM, "weight": 100}).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.SECRETARY, Role.COMMITTEE, Role.TELLER, Role.CADRE, Role.TOWNSHIP]
)
@pytest.mark.parametrize(
    "path",
    [
        "/branch/cadres",
        "/branch/cadres/new",
        "/branch/cadres/{cadre}/edit",
        "/branch/cadres/import",
        "/branch/cadres/template.xlsx",
        "/branch/cadres/{cadre}/pledges/2026",
    ],
)
def test_only_the_secretary_reaches_the_cadre_pages(client, role, path):
    village = create_village()
    user = create_user(role=role, village=village if role.is_village_role else None)
    cadre = _cadre(village)
    login(client, user)
    expected = 200 if role is Role.SECRETARY else 403
    assert client.get(path.format(cadre=cadre.id)).status_code == expected


def test_the_edit_forms_show_what_is_stored(client, secretary):
    member = create_member(village=secretary.village, name="张三")
    cadre = _cadre(secretary.village, member_id=member.id)
    page = client.get(f"/branch/cadres/{cadre.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{member.id}">' in page
    item = _public_pledge(client, cadre).items[0]
    page = client.get(f"{_pledge_url(cadre)}/items/{item.id}/edit").get_data(as_text=True)
    assert "修改理由" in page and "事项1" in page
    assert '<input name="version" type="hidden" value="1">' in page


# --- a double tap or a resent form makes one record -------------------------------------------


def test_a_new_cadre_form_sent_twice_adds_one_cadre(client, secretary):
    page = client.get("/branch/cadres/new").get_data(as_text=True)
    (token,) = re.findall(r'name="once" type="hidden" value="([^"]+)"', page)
    first = client.post("/branch/cadres/new", data={**GOOD, "once": token})
    again = client.post("/branch/cadres/new", data={**GOOD, "once": token})
    assert first.status_code == again.status_code == 302
    assert again.location == first.location == "/branch/cadres"
    assert _count(secretary.village) == 1
    assert "已经提交过了，没有重复保存" in client.get("/branch/cadres").get_data(as_text=True)
    fresh = client.get("/branch/cadres/new").get_data(as_text=True)  # a new form: a new token
    assert token not in fresh


def test_a_refused_new_cadre_keeps_its_token_for_the_corrected_form(client, secretary):
    token = "t" * 24
    refused = client.post("/branch/cadres/new", data={**GOOD, "base_pay": "元", "once": token})
    assert f'value="{token}"' in refused.get_data(as_text=True)
    assert client.post("/branch/cadres/new", data={**GOOD, "once": token}).status_code == 302
    assert _count(secretary.village) == 1


def test_a_pledge_item_sent_twice_is_added_once(client, secretary):
    cadre = Cadre(village=secretary.village, name="张三", post="村委会主任", base_pay=Decimal(1))
    db.session.add(cadre)
    db.session.commit()
    data = {**ITEM, "weight": 30, "once": "p" * 24}
    assert client.post(_pledge_url(cadre), data=data).status_code == 302
    assert client.post(_pledge_url(cadre), data=data).status_code == 302
    items = db.session.scalar(select(func.count()).select_from(PledgeItem))
    assert items == 1
