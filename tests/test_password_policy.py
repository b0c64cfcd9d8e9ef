"""What a chosen password must be: at least 10 characters, not common, not the account's words."""

import pytest

from starrating.demo import DEMO_PASSWORD
from starrating.password_policy import PasswordContext, password_problem
from starrating.passwords import generate_password

WANG = PasswordContext(
    username="wang-shuji",
    display_name="王建国",
    village_name="翁家埠村",
    village_code="wengjiabu",
    township_name="白沙滩镇",
)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("12345678", "太短：至少 10 位，现在只有 8 位"),
        ("password", "太短"),
        ("aaaaaaaa", "太短"),
        ("1234567890", "太常见"),
        ("password12", "太常见"),
        ("P@ssw0rd123", "太常见"),
        ("woaini1314", "太常见"),
        ("5201314520", "太常见"),
        ("qq123456789", "太常见"),
        ("1qaz2wsx3edc", "太常见"),
        ("aaaaaaaaaa", "重复的字符"),
        ("abcdefghijk", "连续的字母或数字"),
        ("19650302abc", "含有日期"),
        ("wang-shuji1", "含有您的用户名"),
        ("wangshuji2026", "含有您的用户名"),
        ("Wang.Shuji.tea-kettle-moon", "含有您的用户名"),
        ("shuji123456", "含有用户名"),
        ("王建国12345678", "含有您的姓名"),
        ("wengjiabu2026", "含有村名或村代码"),
        ("翁家埠1234567", "含有村名或村代码"),
        ("白沙滩镇1234567", "含有乡镇名"),
        ("星级评定12345678", "含有本系统或党建常用的词"),
        ("starrating1", "含有本系统或党建常用的词"),
        ("dangyuan2026", "含有本系统或党建常用的词"),
    ],
)
def test_a_weak_password_is_refused_saying_why(password, why):
    problem = password_problem(password, context=WANG)
    assert problem is not None and why in problem
    assert problem.startswith("新密码")


@pytest.mark.parametrize(
    "password",
    ["tea-kettle-moon", "Xk7pq2Mn9r", "my-own-pass-1", "zhangsan1965", "门前老槐树下的井水-1987"],
)
def test_a_hard_to_guess_password_is_accepted(password):
    assert password_problem(password, context=WANG) is None


def test_a_very_long_password_is_judged_without_error():
    assert password_problem("Kettle-Moon-9 " * 20, context=WANG) is None
    assert password_problem("a" * 300, context=WANG) is not None


def test_generated_initial_passwords_pass():
    for _ in range(300):
        assert password_problem(generate_password(), context=WANG) is None


def test_the_demo_password_passes_for_every_demo_account():
    for username in ("bst-shenhe", "wjb-shuji", "wjb-zhiwei1", "dongsha-jipiao"):
        context = PasswordContext(username=username, village_code="wengjiabu")
        assert password_problem(DEMO_PASSWORD, context=context) is None
