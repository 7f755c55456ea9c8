"""Made-up articles and small helpers shared by the benchmark scripts (never real text)."""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ARTICLE_CHARS = 4_000


# Synthetic text -------------------------------------------------------------------------------
ONSETS = (
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "g",
    "gl",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pl",
    "qu",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "th",
    "tr",
    "v",
    "w",
    "z",
)
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "é", "ö", "å"]
VOWEL_WEIGHTS = [10, 10, 8, 8, 6, 2, 2, 2, 2, 1, 1, 1]
CODAS = ["", "", "", "n", "r", "s", "l", "m", "nd", "st", "x", "th"]
OUTLET_KINDS = (
    "Herald",
    "Courier",
    "Tribune",
    "Gazette",
    "Post",
    "Ledger",
    "Observer",
    "Chronicle",
    "Dispatch",
)
SYMBOLS = ["€", "%", "🌍", "📈"]  # two of them are outside the BMP (UTF-16 surrogate pairs)


class TextMaker:
    """Made-up words, sentences and whole articles from one seeded random generator."""

    def __init__(self, rng: random.Random, vocabulary: int = 4_000) -> None:
        self.rng = rng
        self.words = sorted({self.word() for _ in range(vocabulary)})
        self.outlets = [self.outlet() for _ in range(40)]

    def word(self) -> str:
        """One pronounceable nonsense word of one to three syllables."""
        rng = self.rng
        return "".join(
            rng.choice(ONSETS) + rng.choices(VOWELS, VOWEL_WEIGHTS)[0] + rng.choice(CODAS)
            for _ in range(rng.choices((1, 2, 3), (3, 5, 2))[0])
        )

    def outlet(self) -> str:
        """A made-up outlet name such as ``The Brastou Courier``."""
        name = f"{self.rng.choice(self.words).title()} {self.rng.choice(OUTLET_KINDS)}"
        return f"The {name}" if self.rng.random() < 0.5 else name

    def sentence(self) -> str:
        """Six to 24 words with the odd comma, dash, proper noun, number or symbol."""
        rng = self.rng
        words = rng.choices(self.words, k=rng.randint(6, 24))
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
        words = self.rng.choices(self.words, k=self.rng.randint(4, 9))
        text = " ".join(w.title() if self.rng.random() < 0.6 else w for w in words)
        return text[0].upper() + text[1:]

    def published(self) -> date:
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


# Helpers --------------------------------------------------------------------------------------
def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the figures."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    """Seconds that ``action()`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    """A fresh temporary folder, or ``keep`` (created; must be empty) left in place afterwards."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="marginalia-bench-") as folder:
            yield Path(folder)
        return
    keep.mkdir(parents=True, exist_ok=True)
    if any(keep.iterdir()):
        raise SystemExit(f"--keep {keep}: the folder is not empty")
    yield keep
    log(f"kept the project and files in {keep}")


def write_articles(folder: Path, count: int, maker: TextMaker) -> list[Path]:
    """``count`` synthetic article files, UTF-8, named in import order."""
    folder.mkdir(parents=True)
    paths = [folder / f"article-{i:05d}.txt" for i in range(count)]
    for path in paths:
        path.write_text(maker.article(ARTICLE_CHARS), encoding="utf-8")
    return paths
