"""A village secretary keeps the roster from a phone: log in, upload the Excel roster, read it."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from starrating.rules.vocabulary import Role
from tests.factories import PASSWORD, create_member, create_user, create_village

pytestmark = pytest.mark.browser

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
GOOD_ROWS = [
    ["张伟", "男", date(1968, 3, 2), date(1992, 7, 1), "正式", "普通", "13812345678", None, None],
    ["张伟", "男", date(1985, 11, 20), None, "预备", "流动", None, None, "外出务工"],
    ["阿依古丽·买买提", "女", "1979-04-05", "2003-06-30", "正式", "普通", None, None, None],
    ["王𠀾", "男", "1950-01-15", "1975-10-01", "正式", "年老体弱", None, None, None],
    ["李秀英", "女", "1972/8/9", None, "正式", "普通", "0571-8888666", None, None],
]
GOOD_NAMES = [row[0] for row in GOOD_ROWS]
EXPECTED_CELLS = [  # 姓名, 性别, 出生日期, 身份, 类别, 状态 as the roster table shows them
    ["张伟", "男", "1968-03-02", "正式", "普通", "在册"],
    ["张伟", "男", "1985-11-20", "预备", "流动", "在册"],
    ["阿依古丽·买买提", "女", "1979-04-05", "正式", "普通", "在册"],
    ["王𠀾", "男", "1950-01-15", "正式", "年老体弱", "在册"],
    ["李秀英", "女", "1972-08-09", "正式", "普通", "在册"],
]
PHONE_WIDTH = 390
TOLERANCE_PX = 2


def _roster_xlsx(folder: Path, rows: list[list[object]], name: str = "花名册.xlsx") -> Path:
    """A roster as a clerk makes it: a title row above the header, one member a row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "党员花名册"
    sheet.append(["翁家埠村党员花名册（2026 年）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = folder / name
    book.save(path)
    return path


def _secretary(live_server) -> str:
    """A secretary of a new village (each test its own), returning the username."""

    def make() -> str:
        return create_user(role=Role.SECRETARY, village=create_village(name="翁家埠村")).username

    return live_server.seed(make)


def _log_in(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").tap()
    page.get_by_label("用户名").press_sequentially(username)
    page.get_by_label("密码", exact=True).tap()
    page.get_by_label("密码", exact=True).press_sequentially(password)
    page.get_by_role("button", name="登录").tap()


def _open_import_page(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="党员花名册").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("党员花名册")
    page.get_by_role("link", name="从 Excel 导入").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("从 Excel 导入党员花名册")


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("花名册文件（.xlsx）").set_input_files(path)
    page.get_by_role("button", name="上传并检查").tap()


def _roster_names(page: Page) -> list[str]:
    return page.locator("#roster td.name").all_inner_texts()


def _page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _assert_no_sideways_scroll(page: Page) -> None:
    width = _page_width(page)
    assert width <= PHONE_WIDTH + TOLERANCE_PX, f"{page.url} is {width}px wide on a 390px phone"


def test_secretary_imports_a_roster_from_the_phone(
    page: Page, live_server, screenshot: Callable[[str], Path], tmp_path: Path
) -> None:
    username = _secretary(live_server)
    _log_in(page, live_server, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("翁家埠村")

    _open_import_page(page)
    screenshot("roster-import-form")
    _assert_no_sideways_scroll(page)
    _upload(page, _roster_xlsx(tmp_path, GOOD_ROWS))

    expect(page).to_have_url(f"{live_server.url}/branch/members")
    expect(page.get_by_role("status")).to_have_text("已导入党员 5 名")
    expect(page.get_by_text("共 5 名")).to_be_visible()
    assert _roster_names(page) == GOOD_NAMES
    rows = page.locator("#roster tbody tr")
    expect(rows).to_have_count(5)
    # The namesakes stay two members, told apart by their birth dates.
    for index, cells in enumerate(EXPECTED_CELLS):
        expect(rows.nth(index).locator("td")).to_have_text([str(index + 1), *cells])
    screenshot("roster-after-import")


def test_a_bad_roster_is_refused_with_row_column_and_reason(
    page: Page, live_server, screenshot: Callable[[str], Path], tmp_path: Path
) -> None:
    def make() -> str:
        village = create_village(name="翁家埠村")
        for name, born in [("陈建国", date(1958, 2, 3)), ("刘桂兰", date(1966, 9, 12))]:
            create_member(village=village, name=name, birth_date=born)
        return create_user(role=Role.SECRETARY, village=village).username

    username = live_server.seed(make)
    bad_rows = [
        ["孙丽", "女", "1980-05-06", None, "正式", "普通", None, None, None],
        ["周强", "男", "2099-01-01", None, "正式", "普通", None, None, None],
        ["吴敏", None, "1975-07-08", None, "预备", "普通", None, None, None],
        ["郑海", "男", "1962-12-01", None, "正式", "流动", None, None, None],
    ]
    _log_in(page, live_server, username)
    _open_import_page(page)
    _upload(page, _roster_xlsx(tmp_path, bad_rows, "有错的花名册.xlsx"))

    errors = page.locator("#import-errors")
    expect(errors.get_by_role("heading")).to_have_text("没有导入任何党员：发现 2 处问题")
    expect(errors).to_contain_text("请在 Excel 里改正后重新上传。花名册保持原样。")
    expect(errors.locator("thead th")).to_have_text(["行", "列", "问题"])
    cells = errors.locator("tbody tr")
    expect(cells).to_have_count(2)
    expect(cells.nth(0).locator("td")).to_have_text(["第 4 行", "出生日期", "出生日期不能晚于今天"])
    expect(cells.nth(1).locator("td")).to_have_text(["第 5 行", "性别", "必填"])
    screenshot("roster-import-errors")
    _assert_no_sideways_scroll(page)

    page.get_by_role("link", name="← 花名册").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("党员花名册")
    expect(page.get_by_text("共 2 名")).to_be_visible()
    assert _roster_names(page) == ["陈建国", "刘桂兰"]
    for newcomer in ("孙丽", "周强", "吴敏", "郑海"):
        expect(page.locator("#roster")).not_to_contain_text(newcomer)


def test_the_login_page_refuses_a_wrong_password(
    page: Page, live_server, screenshot: Callable[[str], Path]
) -> None:
    username = _secretary(live_server)
    _log_in(page, live_server, username, password="wrong-password-1")

    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.get_by_label("用户名")).to_have_value(username)
    expect(page.get_by_role("navigation")).to_have_count(0)
    screenshot("login-wrong-password")
    _assert_no_sideways_scroll(page)


def test_the_roster_page_fits_a_390px_phone(
    page: Page, live_server, screenshot: Callable[[str], Path]
) -> None:
    def make() -> str:
        village = create_village(name="翁家埠村")
        create_member(village=village, name="阿依古丽·买买提·艾尔肯", note="长名字")
        for serial in range(1, 9):
            create_member(village=village, name=f"党员{serial}号", birth_date=date(1960, 1, serial))
        return create_user(role=Role.SECRETARY, village=village).username

    username = live_server.seed(make)
    _log_in(page, live_server, username)
    page.get_by_role("navigation").get_by_role("link", name="党员花名册").tap()
    expect(page.get_by_text("共 9 名")).to_be_visible()

    _assert_no_sideways_scroll(page)
    body_width = page.evaluate("document.body.scrollWidth")
    assert body_width <= PHONE_WIDTH + TOLERANCE_PX
    # A wide table may scroll sideways, but only inside its own .table-wrap.
    wrap = page.locator(".table-wrap").first
    box = wrap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH + 1
    screenshot("roster-phone")
