import codecs

import pytest

from db.logic import text
from db.logic.text import TextRejected, decode


def test_utf8_crlf_and_decomposed_accents_become_nfc_with_newlines():
    raw = "Cafe\u0301 talks\r\nsecond line\rthird".encode()
    assert decode(raw) == "Café talks\nsecond line\nthird"


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + "Gaza – talks “resume”".encode(),
        "Gaza – talks “resume”".encode("utf-16"),
        codecs.BOM_UTF16_BE + "Gaza – talks “resume”".encode("utf-16-be"),
        "Gaza – talks “resume”".encode("utf-32"),
    ],
)
def test_byte_order_marks_pick_the_encoding_and_are_dropped(raw):
    assert decode(raw) == "Gaza – talks “resume”"


def test_legacy_windows_encoding_is_detected():
    raw = (
        "Die Verhandlungen über eine Waffenruhe gehen weiter, sagte der Sprecher. "
        "Größere Schritte sind nötig."
    ).encode("cp1252")
    assert "über" in decode(raw) and "Größere" in decode(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(raw, reason):
    with pytest.raises(TextRejected, match=reason):
        decode(raw)


def test_too_large_is_rejected(monkeypatch):
    monkeypatch.setattr(text, "MAX_FILE_BYTES", 10)
    with pytest.raises(TextRejected, match="too large"):
        decode(b"x" * 11)


def test_sha256_is_of_the_normalised_text():
    assert text.sha256(decode(b"a\r\nb")) == text.sha256("a\nb")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Café crème: naïve résumé\n\n© Le Monde\n", "latin-1"),
        ("Les élèves sont prêts à partir, dit le professeur. Très bien.", "latin-1"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy a přeskočil potok.", "cp1250"),
    ],
)
def test_single_byte_encodings_round_trip(text, encoding):
    assert decode(text.encode(encoding)) == text
