"""What any text sent to the service may hold: no control characters (DESIGN.md §9, issue 14).

A NUL byte or another C0/C1 control character is never typed on purpose; it comes from text
pasted out of another program or from a deliberate attack. PostgreSQL cannot store NUL in a
text column at all, and the others would be stored invisibly and later break a workbook cell
or a printed sheet. Tab, line feed and carriage return are ordinary in a multi-line note.
"""

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_MESSAGE = (
    "提交的内容里有无法保存的控制字符（常见于从别的程序复制来的文字），什么都没有保存。"
    "请删去这些字符，或重新输入后再提交。"
)


def has_control_characters(text: str) -> bool:
    """Whether the text holds a character no field may store (tab and line breaks may)."""
    return _CONTROL.search(text) is not None
