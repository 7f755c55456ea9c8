"""What the benchmarks share: made-up article text, and helpers to time, run and report.

Nothing here copies real article text: every word is built from syllables by a seeded
``random.Random``, so a run is reproducible and the corpus is free to publish.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import PySide6
import sqlalchemy
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

ARTICLE_CHARS = 4_000
SPAN_MIN, SPAN_MAX = 20, 400
CODES = (
    ("Conflict", "#eb5757"),
    ("Economy", "#6fcf97"),
    ("Diplomacy", "#56ccf2"),
    ("Humanitarian", "#f2c94c"),
    ("Blame", "#bb6bd9"),
    ("Victims", "#f2994a"),
    ("Sources", "#2d9cdb"),
    ("Framing", "#9b51e0"),
)
TEMP_PREFIX = "marginalia-bench-"
QT_NOISE = ("This plugin does not support propagateSizeHints()",)


# Synthetic text -------------------------------------------------------------------------------
ONSETS = (
    "b", "br", "c", "ch", "d", "dr", "f", "g", "gl", "h", "j", "k", "l", "m",
    "n", "p", "pl", "qu", "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "z",
)  # fmt: skip
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "é", "ö", "å"]
VOWEL_WEIGHTS = [10, 10, 8, 8, 6, 2, 2, 2, 2, 1, 1, 1]
CODAS = ["", "", "", "n", "r", "s", "l", "m", "nd", "st", "x", "th"]
OUTLET_KINDS = (
    "Herald", "Courier", "Tribune", "Gazette", "Post", "Ledger", "Observer", "Chronicle", "Dispatch"
)  # fmt: skip
SYMBOLS = ["€", "%", "🌍", "📈"]  # two of them are outside the BMP (UTF-16 surrogate pairs)


class TextMaker:
    """Made-up words, sentences and whole articles from one seeded random generator.

    Words are equally likely by default. With ``zipf`` > 0 the word of frequency rank r (ranks
    dealt out at random) is drawn with weight r^-zipf, like words in real text: a few words are
    in every article, most are rare. ``by_frequency`` lists the words most frequent first.
    """

    def __init__(self, rng: random.Random, vocabulary: int = 4_000, zipf: float = 0.0) -> None:
        self.rng = rng
        self.words = sorted({self.word() for _ in range(vocabulary)})
        self.by_frequency = list(self.words)
        self.cum_weights: list[float] | None = None
        if zipf > 0:
            rng.shuffle(self.by_frequency)
            rank = {word: r for r, word in enumerate(self.by_frequency, 1)}
            total = 0.0
            self.cum_weights = []
            for word in self.words:
                total += rank[word] ** -zipf
                self.cum_weights.append(total)
        self.outlets = [self.outlet() for _ in range(40)]

    def word(self) -> str:
        """One pronounceable nonsense word of one to three syllables."""
        rng = self.rng
        return "".join(
            rng.choice(ONSETS) + rng.choices(VOWELS, VOWEL_WEIGHTS)[0] + rng.choice(CODAS)
            for _ in range(rng.choices((1, 2, 3), (3, 5, 2))[0])
        )

    def pick(self, count: int) -> list[str]:
        """``count`` words of the vocabulary, drawn with its word frequencies."""
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=count)

    def outlet(self) -> str:
        """A made-up outlet name such as ``The Brastou Courier``."""
        name = f"{self.rng.choice(self.words).title()} {self.rng.choice(OUTLET_KINDS)}"
        return f"The {name}" if self.rng.random() < 0.5 else name

    def sentence(self) -> str:
        """Six to 24 words with the odd comma, dash, proper noun, number or symbol."""
        rng = self.rng
        words = self.pick(rng.randint(6, 24))
        for i in range(1, len(words)):
            roll = rng.random()
            if roll < 0.08:
                words[i] = words[i].title()
            elif roll < 0.10:
                words[i] = f"{rng.randint(2, 999)} {rng.choice(SYMBOLS)}"
            elif roll < 0.16 and i < len(words) - 1:
                words[i] += ","
            elif roll < 0.18 and i < len(words) - 1:
                words[i] += " —"
        words[0] = words[0].title()
        text = " ".join(words) + rng.choices(".?!", (20, 1, 1))[0]
        return f"“{text}”" if rng.random() < 0.08 else text

    def paragraph(self, chars: int) -> str:
        """Sentences until the paragraph reaches ``chars`` characters."""
        sentences: list[str] = []
        length = 0
        while length < chars:
            sentences.append(self.sentence())
            length += len(sentences[-1]) + 1
        return " ".join(sentences)

    def headline(self) -> str:
        """A short title-case line without final punctuation (what the importer takes as title)."""
        words = self.pick(self.rng.randint(4, 9))
        text = " ".join(w.title() if self.rng.random() < 0.6 else w for w in words)
        return text[0].upper() + text[1:]

    def published(self) -> date:
        """A publication date between 2019 and 2024."""
        return date(2019, 1, 1) + timedelta(days=self.rng.randrange(6 * 365))

    def article(self, chars: int) -> str:
        """Headline, optional ``date YYYY-MM-DD`` line, paragraphs, and a trailing outlet line."""
        rng = self.rng
        head = [f"date {self.published().isoformat()}"] if rng.random() < 0.4 else []
        head.append(self.headline())
        outlet = rng.choice(self.outlets)
        if rng.random() < 0.15:
            outlet = f"© {rng.randint(2019, 2024)} {outlet}"
        paragraphs: list[str] = []
        length = sum(len(line) + 1 for line in head) + len(outlet) + 2
        while length < chars:
            paragraphs.append(self.paragraph(min(rng.randint(250, 900), chars - length)))
            length += len(paragraphs[-1]) + 2
        return "\n".join(head) + "\n\n" + "\n\n".join(paragraphs) + "\n\n" + outlet + "\n"


def write_articles(
    folder: Path, count: int, maker: TextMaker, chars: int = ARTICLE_CHARS
) -> list[Path]:
    """``count`` synthetic article files of about ``chars`` characters, named in import order."""
    folder.mkdir(parents=True)
    paths = [folder / f"article-{i:05d}.txt" for i in range(count)]
    for path in paths:
        path.write_text(maker.article(chars), encoding="utf-8")
    return paths


def random_spans(rng: random.Random, length: int, count: int) -> list[tuple[int, int]]:
    """``count`` distinct spans of SPAN_MIN–SPAN_MAX code points inside a text of ``length``."""
    spans: set[tuple[int, int]] = set()
    while len(spans) < count:
        start = rng.randrange(length - SPAN_MIN)
        spans.add((start, min(length, start + rng.randint(SPAN_MIN, SPAN_MAX))))
    return sorted(spans)


def random_codes(rng: random.Random, code_ids: Sequence[int], uncoded: float = 0.0) -> list[int]:
    """Zero (with probability ``uncoded``) or one to three distinct codes, mostly one or two."""
    if rng.random() < uncoded:
        return []
    return rng.sample(list(code_ids), rng.choices((1, 2, 3), (5, 4, 1))[0])


# Timing ---------------------------------------------------------------------------------------
def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the figures."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    """Seconds that ``action()`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (inclusive method: never outside the values' range)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


# Qt -------------------------------------------------------------------------------------------
def quiet_qt_noise(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's message handler: drop the offscreen plugin's harmless notices, pass the rest on."""
    if message not in QT_NOISE:
        print(f"Qt {kind.name}: {message}", file=sys.stderr)


def qt_application() -> QApplication:
    """The application object (created on first call), with Qt's noise filtered."""
    qInstallMessageHandler(quiet_qt_noise)
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication([])


# Report ---------------------------------------------------------------------------------------
def table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned text columns under a header row and a rule."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def ms(seconds: float) -> str:
    """Seconds shown as milliseconds."""
    return f"{seconds * 1000:,.1f} ms"


def versions() -> str:
    """The versions that matter for the figures, on one line."""
    return (
        f"Python {platform.python_version()}, PySide6 {PySide6.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.machine()}"
    )


# PostgreSQL -----------------------------------------------------------------------------------
@contextmanager
def pg_database(admin_url: str, prefix: str, *, keep: bool = False) -> Iterator[str]:
    """A fresh database on the server of ``admin_url`` (a URL that may create databases); its
    URL. Dropped afterwards unless ``keep``."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            if keep:
                log(f"kept the PostgreSQL database {name}")
            else:
                with admin.connect() as c:
                    c.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL (``postgresql+psycopg://…``) as psycopg.connect takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# Running --------------------------------------------------------------------------------------
@contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    """A fresh temporary folder, or ``keep`` (created; must be empty) left in place afterwards."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
            yield Path(folder)
        return
    keep.mkdir(parents=True, exist_ok=True)
    if any(keep.iterdir()):
        raise SystemExit(f"--keep {keep}: the folder is not empty")
    yield keep
    log(f"kept the project and files in {keep}")


def is_temporary(folder: Path) -> bool:
    """Whether ``folder`` is work_folder's temporary folder (gone afterwards), not ``--keep``."""
    return folder.name.startswith(TEMP_PREFIX) and folder.parent == Path(tempfile.gettempdir())


def parse_args(
    description: str,
    default_articles: int,
    argv: Sequence[str] | None = None,
    configure: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """``--articles N`` and ``--keep DIR``, the options every benchmark takes, and any that
    ``configure`` adds to the parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--articles",
        type=int,
        default=default_articles,
        help=f"articles to import (default {default_articles})",
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="build in DIR (new or empty) and keep it"
    )
    if configure is not None:
        configure(parser)
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    return args


def bench_main(
    doc: str,
    title: str,
    default_articles: int,
    run: Callable[..., str],
    argv: Sequence[str] | None = None,
    configure: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Parse the options, run the benchmark in its folder (Qt offscreen), print its report.

    ``run(folder, articles)`` gets the options that ``configure`` adds as keyword arguments.
    """
    args = parse_args(doc.split("\n\n")[0], default_articles, argv, configure)
    extra = {k: v for k, v in vars(args).items() if k not in ("articles", "keep")}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with work_folder(args.keep) as folder:
        text = run(folder, args.articles, **extra)
    print(f"{title}: {args.articles:,} articles; {versions()}\n")
    print(text)
