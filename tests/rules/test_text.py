import pytest

from starrating.rules.text import has_control_characters


@pytest.mark.parametrize("text", ["张三", "第一行\n第二行\r\n\t缩进", "", "ＡＢＣ　全角", "😀"])
def test_ordinary_text_and_line_breaks_pass(text):
    assert not has_control_characters(text)


@pytest.mark.parametrize("text", ["\x00", "张\x00三", "a\x07b", "\x1b[31m", "x\x7f", "\x85"])
def test_nul_and_other_control_characters_are_caught(text):
    assert has_control_characters(text)
