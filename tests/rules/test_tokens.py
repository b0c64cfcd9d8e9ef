"""Ballot codes: hard to guess, easy to read aloud and to type."""

from starrating.rules.tokens import (
    ALPHABET,
    BITS,
    LENGTH,
    code_hash,
    code_problem,
    new_code,
    normalised,
    shown,
)


def test_a_code_carries_at_least_48_bits_without_look_alike_characters():
    assert BITS >= 48
    assert not set("0O1IL") & set(ALPHABET)
    code = new_code()
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)


def test_a_code_is_shown_in_two_groups_of_five_and_read_back_however_typed():
    code = "ABCDE23456"
    assert shown(code) == "ABCDE-23456"
    for typed in ("abcde-23456", " ABCDE 23456 ", "abcde23456", "ABCDE－23456"):
        assert normalised(typed) == code
    assert normalised("ABCDE-2345") is None  # one character short
    assert normalised("ABCDE-2345O") is None  # a letter O is never in a code


def test_codes_are_stored_as_keyed_hashes():
    assert code_hash("ABCDE23456", b"one key") != code_hash("ABCDE23456", b"another key")
    assert "ABCDE23456" not in code_hash("ABCDE23456", b"one key")


def test_every_ime_spelling_of_a_code_reads():
    code = "YEBDYVURKX"
    for typed in (
        "ＹＥＢＤＹ－ＶＵＲＫＸ",  # full-width letters and dash
        "yebdy–vurkx",  # en dash
        "YEBDY—VURKX",  # em dash
        "YEBDY_VURKX",
        "YEBDY.VURKX",
        "YEBDY·VURKX",
        "ｙｅｂｄｙ　ｖｕｒｋｘ",  # full-width, ideographic space
        " yebdy vurkx\t",
    ):
        assert normalised(typed) == code, typed


def test_a_refused_code_says_which_look_alikes_are_never_in_a_code():
    assert "「O」「I」" in code_problem("ABCDE-FGHOI")
    assert "0、O、1、I、L" in code_problem("ABCDE-FGH01")
    assert "刚才输入了 9 位" in code_problem("ABCDE-FGHJ")
