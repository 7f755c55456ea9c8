"""Find mentions of known actors (names and aliases) in text.

Matching is case-insensitive on word boundaries and prefers the longest alias, so "the Gaza
rulers" wins over "Gaza" when both are known. Used to underline mentions in the reader and to
pre-fill the actor when a selection mentions exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class AliasMatcher:
    def __init__(self, actors: Iterable[tuple[int, str, Iterable[str]]]) -> None:
        """``actors`` are (actor id, name, aliases)."""
        self._actor_of: dict[str, int] = {}
        for actor_id, name, aliases in actors:
            for alias in (name, *aliases):
                alias = " ".join(alias.split()).casefold()
                if alias:
                    self._actor_of.setdefault(alias, actor_id)
        names = sorted(self._actor_of, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE) if names else None

    def mentions(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, actor id) of every mention, as code-point offsets into ``text``."""
        if self._pattern is None:
            return []
        return [
            (m.start(), m.end(), self._actor_of[" ".join(m.group(0).split()).casefold()])
            for m in self._pattern.finditer(text)
        ]

    def single_actor(self, text: str) -> int | None:
        """The one actor mentioned in ``text``, or None when none or several are."""
        found = {actor_id for _, _, actor_id in self.mentions(text)}
        return found.pop() if len(found) == 1 else None
