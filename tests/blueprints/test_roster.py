"""The secretary keeps the roster: by hand, by upload, never losing a record."""

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, Member
from starrating.rules.vocabulary import MemberCategory, MemberStatus, Role
from tests.factories import create_member, create_user, login

GOOD = {
    "name": "张三",
    "gender": "male",
    "birth_date": "1965-03-02",
    "joined_on": "1990-07-01",
    "membership": "full",
    "category": "ordinary",
    "phone": "13812345678",
}


@pytest.fixture
def secretary(client):
    user = create_user(role=Role.SECRETARY)
    login(client, user)
    return user


def _count(village) -> int:
    return db.session.scalar(select(func.count(Member.id)).where(Member.village_id == village.id))


def test_secretary_adds_a_member_and_sees_them_on_the_roster(client, secretary):
    response = client.post("/branch/members/new", data=GOOD)
    assert response.location == "/branch/members"
    assert "张三" in client.get("/branch/members").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.create"))
    assert event.actor_id == secretary.id and event.after["birth_date"] == "1965-03-02"


def test_namesakes_are_allowed_but_the_same_name_and_birth_date_is_a_duplicate(client, secretary):
    client.post("/branch/members/new", data=GOOD)
    client.post("/branch/members/new", data={**GOOD, "birth_date": "1971-08-09"})
    assert _count(secretary.village) == 2
    page = client.post("/branch/members/new", data=GOOD).get_data(as_text=True)
    assert "同名同出生日期视为重复" in page
    assert _count(secretary.village) == 2


def test_a_members_group_is_kept_from_the_form_and_audited(client, secretary):
    client.post("/branch/members/new", data={**GOOD, "village_group": " 3 "})
    member = db.session.scalar(select(Member).where(Member.village_id == secretary.village.id))
    assert member.village_group == "3组"
    form = client.get(f"/branch/members/{member.id}/edit").get_data(as_text=True)
    assert 'value="3组"' in form and "组别（村民小组）" in form
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.create"))
    assert event.after["village_group"] == "3组"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"birth_date": "2099-01-01"}, "出生日期不能晚于今天"),
        ({"birth_date": "1965-13-45"}, "请填写日期"),
        ({"birth_date": ""}, "此项必填"),
        ({"name": ""}, "此项必填"),
        ({"joined_on": "1970-01-01"}, "入党时应已年满 18 周岁"),
        ({"exempt_meeting_date": "2026-01-10"}, "只有“年老体弱”类别的党员可以免评"),
        ({"phone": "call me"}, "电话号码不对"),
        ({"phone": "12345"}, "电话号码不对"),
        ({"gender": "unknown"}, "请从列表中选择一项"),
    ],
)
def test_a_bad_member_form_is_refused_and_nothing_is_added(client, secretary, change, message):
    response = client.post("/branch/members/new", data={**GOOD, **change})
    assert message in response.get_data(as_text=True)
    assert _count(secretary.village) == 0


def test_an_elderly_member_is_exempted_with_the_meeting_date(client, secretary):
    client.post(
        "/branch/members/new",
        data={
            **GOOD,
            "category": "elderly_infirm",
            "exempt_meeting_date": "2026-01-10",
            "exempt_reason": "年老体弱，经党员大会同意",
        },
    )
    member = db.session.scalar(select(Member))
    assert member.category is MemberCategory.ELDERLY_INFIRM
    assert member.exempt_meeting_date == date(2026, 1, 10)
    assert "免评" in client.get("/branch/members").get_data(as_text=True)


def test_an_edit_is_saved_and_audited_with_before_and_after(client, secretary):
    member = create_member(village=secretary.village, name="李四")
    client.post(
        f"/branch/members/{member.id}/edit",
        data={**GOOD, "name": "李四", "membership": "probationary", "version": 1},
    )
    db.session.refresh(member)
    assert member.membership.value == "probationary"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.update"))
    assert event.before["membership"] == "full" and event.after["membership"] == "probationary"


def test_a_stale_edit_is_refused_and_the_newer_values_stay(client, secretary):
    member = create_member(village=secretary.village, name="李四")
    client.post(
        f"/branch/members/{member.id}/edit",
        data={**GOOD, "name": "李四", "note": "第一次修改", "version": 1},
    )
    page = client.post(
        f"/branch/members/{member.id}/edit",
        data={**GOOD, "name": "李四", "note": "旧表单", "version": 1},
    )
    assert page.status_code == 409 and "已被修改" in page.get_data(as_text=True)
    db.session.refresh(member)
    assert member.note == "第一次修改"


def test_a_transferred_member_is_kept_and_can_be_restored(client, secretary):
    member = create_member(village=secretary.village, name="王五")
    client.post(
        f"/branch/members/{member.id}/leave",
        data={"status": "transferred", "on": "2026-05-01", "version": 1},
    )
    db.session.refresh(member)
    assert member.status is MemberStatus.TRANSFERRED
    roster_link = f'href="/branch/members/{member.id}/edit">王五</a>'
    assert roster_link not in client.get("/branch/members").get_data(as_text=True)
    assert roster_link in client.get("/branch/members?all=1").get_data(as_text=True)
    client.post(f"/branch/members/{member.id}/restore", data={"version": member.version})
    db.session.refresh(member)
    assert member.status is MemberStatus.ACTIVE


def test_a_deceased_date_in_the_future_is_refused(client, secretary):
    member = create_member(village=secretary.village)
    client.post(
        f"/branch/members/{member.id}/leave",
        data={"status": "deceased", "on": "2099-05-01", "version": 1},
        follow_redirects=True,
    )
    db.session.refresh(member)
    assert member.status is MemberStatus.ACTIVE


# --- upload through the page ---------------------------------------------------------------

HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "入党日期",
    "党员身份",
    "类别",
    "联系电话",
    "免评党员大会日期",
    "备注",
]


def _xlsx(rows, title: str | None = "翁家埠村党员花名册") -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, filename: str = "花名册.xlsx"):
    return client.post(
        "/branch/members/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_a_good_roster_is_imported_whole(client, secretary):
    rows = [
        ["赵一", "男", "1960-01-02", "1985-07-01", "正式", "普通", "13800000001", None, None],
        ["钱二", "女", date(1975, 5, 6), None, "预备", "流动", None, None, None],
    ]
    response = _upload(client, _xlsx(rows))
    assert response.location == "/branch/members"
    assert _count(secretary.village) == 2
    assert "已导入党员 2 名" in client.get("/branch/members").get_data(as_text=True)


def test_one_bad_row_rejects_the_whole_roster_with_row_and_column(client, secretary):
    create_member(village=secretary.village, name="已有党员")
    rows = [
        ["赵一", "男", "1960-01-02", None, "正式", "普通", None, None, None],
        ["钱二", "女", "2099-01-01", None, "正式", "普通", None, None, None],
    ]
    response = _upload(client, _xlsx(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "没有导入任何党员" in page and "第 4 行" in page and "出生日期" in page
    assert _count(secretary.village) == 1


def test_a_row_repeating_a_member_on_the_roster_rejects_the_upload(client, secretary):
    create_member(village=secretary.village, name="赵一", birth_date=date(1960, 1, 2))
    rows = [["赵一", "男", "1960-01-02", None, "正式", "普通", None, None, None]]
    page = _upload(client, _xlsx(rows)).get_data(as_text=True)
    assert "花名册里已有「赵一」" in page and "第 3 行" in page
    assert _count(secretary.village) == 1


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        ("name,gender\n张三,男\n".encode(), "花名册.xlsx", ""),
        (b"PK\x03\x04 not really", "花名册.xlsm", ".xlsx"),
    ],
)
def test_a_file_that_is_not_a_roster_workbook_is_refused(
    client, secretary, data, filename, message
):
    response = _upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "没有导入任何党员" in page and "整个文件" in page and message in page
    assert _count(secretary.village) == 0


def test_a_20_mb_upload_is_refused_before_it_is_read(client, secretary):
    body = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'
        + b"0" * (20 * 1024 * 1024)
        + b"\r\n--x--\r\n"
    )
    response = client.post(
        "/branch/members/import", data=body, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)
    assert _count(secretary.village) == 0


def test_the_template_downloads_and_imports_back(client, secretary):
    from openpyxl import load_workbook

    response = client.get("/branch/members/template.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header_row = next(
        r
        for r in sheet.iter_rows(min_row=1, max_row=10)
        if any(c.value and "姓名" in str(c.value) for c in r)
    )
    filled = [["孙三", "男", date(1970, 3, 4), None, "正式", "普通", None, None, None]]
    for offset, values in enumerate(filled, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=header_row[0].row + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    assert _upload(client, out.getvalue()).location == "/branch/members"
    assert _count(secretary.village) == 1


def test_a_formula_in_a_name_cell_is_read_as_text_and_refused_as_a_name(client, secretary):
    rows = [
        [
            '=HYPERLINK("http://x","张三")',
            "男",
            "1960-01-02",
            None,
            "正式",
            "普通",
            None,
            None,
            None,
        ]
    ]
    page = _upload(client, _xlsx(rows)).get_data(as_text=True)
    # never evaluated: the formula's text is what the refusal quotes
    assert "姓名「=HYPERLINK(&#34;http://x&#34;,&#34;张三&#34;)」不对" in page
    assert _count(secretary.village) == 0


@pytest.mark.parametrize("field", ["birth_date", "joined_on", "exempt_meeting_date"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_date_outside_1900_to_2100_is_refused_in_chinese(client, secretary, field, day):
    response = client.post("/branch/members/new", data={**GOOD, field: day})
    page = response.get_data(as_text=True)
    assert "日期须在 1900-01-01 到 2100-12-31 之间" in page
    assert _count(secretary.village) == 0


def test_a_date_typed_with_a_chinese_input_method_reads(client, secretary):
    client.post("/branch/members/new", data={**GOOD, "birth_date": "１９６５－０３－０２"})
    assert _count(secretary.village) == 1


def test_a_junk_upload_lists_the_first_200_problems_and_says_how_many(client, secretary):
    rows = [["", "？", "不是日期", None, "某", "某", "电话", None, None]] * 1500
    response = _upload(client, _xlsx(rows))
    page = response.get_data(as_text=True)
    total = int(re.search(r"发现 (\d+) 处问题", page).group(1))
    assert response.status_code == 422 and total > 1500
    assert "下面只列出前 200 处" in page
    assert page.count('<tr><td class="num">') == 200
    assert len(page.encode()) < 200_000  # was 5.9 MB for a junk file
    assert _count(secretary.village) == 0


def test_the_upload_form_states_the_one_size_limit_before_upload(client, secretary):
    page = client.get("/branch/members/import").get_data(as_text=True)
    assert "不超过 2 MB" in page  # the refusal names the same figure: tests/spreadsheets


def test_a_phone_of_full_width_spaces_is_no_phone_and_full_width_digits_read(client, secretary):
    client.post("/branch/members/new", data={**GOOD, "phone": "\u3000\u3000"})
    client.post(
        "/branch/members/new",
        data={**GOOD, "name": "钱二", "phone": "１３８－０００１－２３４５"},
    )
    phones = sorted((m.name, m.phone) for m in db.session.scalars(select(Member)).all())
    assert phones == [(GOOD["name"], None), ("钱二", "13800012345")]


def test_a_full_width_space_inside_a_name_does_not_get_round_the_duplicate_check(client, secretary):
    client.post("/branch/members/new", data={**GOOD, "name": "张三"})
    again = client.post("/branch/members/new", data={**GOOD, "name": "张\u3000三 "})
    assert "同名同出生日期视为重复" in again.get_data(as_text=True)
    assert _count(secretary.village) == 1


@pytest.mark.parametrize("name", ["😀", "-1", "NaN", "2026-02-30"])
def test_a_name_that_is_no_name_is_refused(client, secretary, name):
    response = client.post("/branch/members/new", data={**GOOD, "name": name})
    assert "不对" in response.get_data(as_text=True)
    assert _count(secretary.village) == 0
