"""The project's stance scale: integer values with labels and the keys that pick them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StanceLevel:
    value: int
    label: str
    key: str  # the key that picks it in the position form


DEFAULT_SCALE = (
    StanceLevel(-1, "oppose", "1"),
    StanceLevel(0, "neutral", "2"),
    StanceLevel(1, "support", "3"),
)


def parse_scale(raw: list[dict] | None) -> tuple[StanceLevel, ...]:
    """The scale stored as JSON, or the default; raises ValueError for a broken one."""
    if not raw:
        return DEFAULT_SCALE
    levels = tuple(
        StanceLevel(int(r["value"]), str(r["label"]), str(r.get("key", ""))) for r in raw
    )
    check_scale(levels)
    return levels


def check_scale(levels: tuple[StanceLevel, ...]) -> None:
    values = [lv.value for lv in levels]
    labels = [lv.label.strip().lower() for lv in levels]
    keys = [lv.key for lv in levels if lv.key]
    if len(levels) < 2:
        raise ValueError("A stance scale needs at least two levels.")
    if len(set(values)) != len(values) or len(set(labels)) != len(labels) or not all(labels):
        raise ValueError("Stance values and labels must be unique and labels not empty.")
    if len(set(keys)) != len(keys):
        raise ValueError("Each stance key can pick only one level.")


def scale_to_json(levels: tuple[StanceLevel, ...]) -> list[dict]:
    return [{"value": lv.value, "label": lv.label, "key": lv.key} for lv in levels]


def resolve(levels: tuple[StanceLevel, ...], stance: int | str) -> StanceLevel:
    """A level by value (int or numeric string) or by label, case-insensitive."""
    for level in levels:
        if isinstance(stance, int) and level.value == stance:
            return level
        if isinstance(stance, str) and stance.strip().lower() in (
            level.label.lower(),
            str(level.value),
        ):
            return level
    raise ValueError(
        f"“{stance}” is not on the stance scale ({', '.join(lv.label for lv in levels)})."
    )


def label_of(levels: tuple[StanceLevel, ...], value: int) -> str:
    return next((lv.label for lv in levels if lv.value == value), str(value))
