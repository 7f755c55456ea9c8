"""PySide6 6.12.0 on Python 3.11 aborts after a few thousand void calls ("none_dealloc").

We pin PySide6 < 6.12 on Python < 3.12; this test proves whichever version is installed
survives 20,000 calls of a void method, so lifting the pin is safe once it passes.
"""

from PySide6.QtGui import QTextCursor, QTextDocument


def test_twenty_thousand_void_calls_do_not_abort(qapp):
    document = QTextDocument("x" * 100)
    cursor = QTextCursor(document)
    for i in range(20_000):
        cursor.setPosition(i % 100)
    assert cursor.position() == 19_999 % 100
