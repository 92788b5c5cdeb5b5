"""The Chain of Identity identifier: ISO 7064 mod 37-2 against published examples."""

import pytest

from app.celltherapy.services.identity import check_character, eye_readable, read_scan
from app.core.errors import DomainError


@pytest.mark.parametrize("body, check", [
    ("G123498654321", "H"),      # ISO/IEC 7064 published example
    ("A999818123456", "N"),      # ISBT 128 keyboard-entry check example
    ("CHA99982400012X", "L"),    # ST-028 Chain of Identity example
])
def test_check_character_matches_the_published_examples(body, check):
    assert check_character(body) == check


def test_a_scan_reads_barcode_and_keyboard_entry(app):
    with app.test_request_context():
        assert read_scan("&/CHA99982400012X") == "CHA99982400012X"
        assert read_scan("CHA9998 24 00012X L") == "CHA99982400012X"
        assert eye_readable("CHA99982400012X") == "CHA9998 24 00012X"


@pytest.mark.parametrize("text, message", [
    ("CHA99982400012XM", "CHA99982400012XM: the check character is wrong. Scan the barcode "
                         "or type the identifier again."),
    ("CHA99982400012X", "Type the identifier with its boxed check character (16 characters), "
                        "or scan the barcode."),
    ("KIT-0001", "KIT-0001 is not a Chain of Identity identifier."),
])
def test_a_bad_scan_is_refused_in_words(app, english, text, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        read_scan(text)
    assert str(refused.value) == message
