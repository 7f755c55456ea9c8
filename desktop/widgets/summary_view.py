"""The Summary view: charts of the coding, each savable as PNG, SVG or PDF.

Actor × issue net-stance heatmap, code and statement frequencies, statements over time by actor.
Charts are drawn with matplotlib's Qt canvas from the same tables the workbook exports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.records import CodeRecord, StatementRecord

CHARTS = ("Actor × issue", "Frequencies", "Over time")


class SummaryView(QDialog):
    def __init__(
        self,
        statements: list[StatementRecord],
        codes: list[CodeRecord],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Summary")
        self.resize(980, 640)
        self.figures = {name: Figure(figsize=(9, 5.5), layout="constrained") for name in CHARTS}
        self.tabs = QTabWidget(self)
        for name, figure in self.figures.items():
            self.tabs.addTab(FigureCanvasQTAgg(figure), name)
        draw_heatmap(self.figures["Actor × issue"], statements)
        draw_frequencies(self.figures["Frequencies"], statements, codes)
        draw_over_time(self.figures["Over time"], statements)
        save = QPushButton("Save chart…", self)
        save.clicked.connect(self.save_dialog)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(row)

    def current_figure(self) -> Figure:
        return self.figures[CHARTS[self.tabs.currentIndex()]]

    def save(self, path: Path) -> None:
        """PNG, SVG or PDF by the file's extension."""
        self.current_figure().savefig(path, dpi=150)

    def save_dialog(self) -> None:
        name = CHARTS[self.tabs.currentIndex()].lower().replace(" × ", "-").replace(" ", "-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save chart", f"{name}.png", "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"
        )
        if path:
            self.save(Path(path))


def draw_heatmap(figure: Figure, statements: list[StatementRecord]) -> None:
    """Net stance (sum of stance values) per actor and issue, numbers in the cells."""
    ax = figure.subplots()
    actors = sorted({s.actor for s in statements}, key=str.casefold)
    issues = sorted({s.issue for s in statements}, key=str.casefold)
    if not actors:
        _empty(ax, "No positions coded yet.")
        return
    net: dict[tuple[str, str], int] = defaultdict(int)
    for s in statements:
        net[s.actor, s.issue] += s.stance
    nan = float("nan")  # no statement: blank, not "neutral"
    grid = [[net.get((a, i), nan) for i in issues] for a in actors]
    limit = max(1, max(abs(v) for v in net.values()))
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#f4f2ed")
    image = ax.imshow(grid, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(len(issues)), issues, rotation=30, ha="right")
    ax.set_yticks(range(len(actors)), actors)
    for y, row in enumerate(grid):
        for x, value in enumerate(row):
            if (actors[y], issues[x]) in net:
                ax.text(x, y, f"{int(value):+d}", ha="center", va="center", fontsize=9)
    figure.colorbar(image, ax=ax, label="net stance (support − oppose)")
    ax.set_title("Who stands where: net stance per actor and issue")


def draw_frequencies(
    figure: Figure, statements: list[StatementRecord], codes: list[CodeRecord]
) -> None:
    left, right = figure.subplots(1, 2)
    used = [c for c in codes if c.n_annotations]
    if used:
        left.barh(
            [c.path for c in used], [c.n_annotations for c in used], color=[c.color for c in used]
        )
        left.invert_yaxis()
    else:
        _empty(left, "No codes used yet.")
    left.set_title("Annotations per code")
    by_actor = Counter(s.actor for s in statements).most_common(15)
    if by_actor:
        right.barh([a for a, _ in by_actor], [n for _, n in by_actor], color="#4e79a7")
        right.invert_yaxis()
    else:
        _empty(right, "No positions coded yet.")
    right.set_title("Statements per actor")


def draw_over_time(figure: Figure, statements: list[StatementRecord]) -> None:
    ax = figure.subplots()
    dated = [s for s in statements if s.published]
    if not dated:
        _empty(ax, "No dated statements yet.")
        return
    months = sorted({s.published.strftime("%Y-%m") for s in dated})
    counts = Counter((s.actor, s.published.strftime("%Y-%m")) for s in dated)
    for actor, _ in Counter(s.actor for s in dated).most_common(8):
        ax.plot(months, [counts.get((actor, m), 0) for m in months], marker="o", label=actor)
    ax.set_ylabel("statements")
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", rotation=30)
    ax.set_title("Statements over time by actor (top 8)")


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#6b655c")
    ax.set_axis_off()
