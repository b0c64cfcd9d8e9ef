"""How Chinese names sort: by their pinyin, read by pypinyin (neither SQLite nor every
PostgreSQL build has a Chinese collation, so the database cannot be asked)."""

from pypinyin import Style, lazy_pinyin


def spelled(name: str) -> tuple[str, ...]:
    """The name read out, one syllable per character, tone as a digit (neutral tone 5):
    西岙村 → ("xi1", "ao4", "cun1"); a run of other letters stays as it is, lower case."""
    return tuple(
        syllable.lower()
        for syllable in lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
    )
