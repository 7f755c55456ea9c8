"""The Compare tab: pick coders, see the open article's passages, and settle disagreements.

Keys (in the reader or the passage list while comparing): A/B/C/D accept that coder's coding,
U accept everyone's, E edit the gold coding yourself, S skip, N next disagreement. The coder
list keeps its letters for keyboard search, so a typed letter there never decides anything.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.logic.comparison import Passage
from db.logic.metadata import shorten
from db.records import CodeRecord, CoderRecord
from desktop.models.passages import PassageTableModel
from desktop.widgets.lanes import GOLD_COLOR, lane_color

ID_ROLE = Qt.ItemDataRole.UserRole + 1
LETTERS = "abcd"
KEYS = "abcduesn"


class ComparePanel(QWidget):
    coders_changed = Signal()
    passage_chosen = Signal(int)  # row in the passage table
    key_pressed = Signal(str)  # an adjudication key, as typed
    accept_agreed_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.coder_model = QStandardItemModel(self)
        self.coder_model.itemChanged.connect(lambda _item: self.coders_changed.emit())
        self.coder_list = QListView(self)
        self.coder_list.setModel(self.coder_model)
        self.coder_list.setMaximumHeight(72)
        self.summary = QLabel("Tick two or more coders to compare them.")
        self.summary.setObjectName("compareSummary")
        self.passages = PassageTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.passages)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 64)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 90)
        header.setStretchLastSection(True)
        self.table.clicked.connect(lambda index: self.passage_chosen.emit(index.row()))
        self.detail = QTextBrowser(self, objectName="compareDetail")
        self.detail.setMinimumHeight(96)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, (key, label) in enumerate(
            [
                ("a", "Accept A"),
                ("b", "Accept B"),
                ("u", "Accept both"),
                ("e", "Edit…"),
                ("s", "Skip"),
                ("n", "Next"),
            ]
        ):
            button = QPushButton(f"{label} [{key.upper()}]", self)
            button.clicked.connect(lambda _checked=False, k=key: self.key_pressed.emit(k))
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys' focus be
            self.buttons[key] = button
            grid.addWidget(button, i // 2, i % 2)
        # The keys work in the passage list only (and in the reader, see ReaderBody): not as
        # panel-wide shortcuts, which also fired while someone typed in the coder list.
        self.table.installEventFilter(self)
        agreed = QPushButton("Copy all agreed passages to gold", self)
        agreed.clicked.connect(self.accept_agreed_requested.emit)
        row = QHBoxLayout()
        row.addWidget(agreed)
        row.addStretch(1)
        content = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)  # a short dock scrolls instead of squeezing the text
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(QLabel("Coders to compare (A, B, … in this order):"))
        layout.addWidget(self.coder_list)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        layout.addWidget(self.detail)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.show_passage(None, [], {}, [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key = adjudication_letter(event)
            if key is not None:
                self.key_pressed.emit(key)
                return True
        return super().eventFilter(watched, event)

    # Coders -----------------------------------------------------------------------------------
    def set_coders(self, coders: list[CoderRecord]) -> None:
        """Everyone but the gold layer; ticks survive a refresh."""
        ticked = self.coder_ids()
        self.coder_model.blockSignals(True)
        self.coder_model.clear()
        people = [c for c in coders if c.role != "gold"]
        order = {c: i for i, c in enumerate(ticked)}
        people.sort(key=lambda c: (order.get(c.id, len(order)), c.name.casefold()))
        for coder in people:
            item = QStandardItem(f"{coder.name} — {coder.n_annotations} highlight(s)")
            item.setData(coder.id, ID_ROLE)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if coder.id in order else Qt.CheckState.Unchecked
            )
            self.coder_model.appendRow(item)
        self.coder_model.blockSignals(False)

    def coder_ids(self) -> list[int]:
        """Ticked coders in list order: the first is A, the second B, …"""
        items = [self.coder_model.item(r) for r in range(self.coder_model.rowCount())]
        return [i.data(ID_ROLE) for i in items if i.checkState() == Qt.CheckState.Checked]

    def tick(self, coder_ids: list[int]) -> None:
        for r in range(self.coder_model.rowCount()):
            item = self.coder_model.item(r)
            wanted = item.data(ID_ROLE) in coder_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def set_letters(self, names: list[str]) -> None:
        """Label the accept buttons with the compared coders' names."""
        for i, key in enumerate("ab"):
            name = names[i] if i < len(names) else "—"
            self.buttons[key].setText(f"Accept {shorten(name, 9)} [{key.upper()}]")
            self.buttons[key].setToolTip(f"Gold takes {name}'s coding of this passage")
            self.buttons[key].setEnabled(i < len(names))
        self.buttons["u"].setText(f"Accept {'both' if len(names) <= 2 else 'all'} [U]")

    # Passages ---------------------------------------------------------------------------------
    def show_passages(
        self,
        text: str,
        passages: list[Passage],
        states: list[str],
        code_names: dict[int, str] | None = None,
    ) -> None:
        self.passages.set_passages(text, passages, states, code_names or {})

    def select_row(self, row: int | None) -> None:
        if row is None:
            self.table.clearSelection()
        else:
            self.table.selectRow(row)
            self.table.scrollTo(self.passages.index(row, 0))

    def show_passage(
        self,
        passage: Passage | None,
        names: list[str],
        codes: dict[int, CodeRecord],
        coder_ids: list[int],
        gold: list[tuple[int, int, frozenset[int]]] | None = None,
        text: str = "",
        state: str = "open",
        ruled: bool = False,
    ) -> None:
        """Who coded what in the chosen passage, and what gold holds there.

        ``state`` is the passage's ("agreed", "decided" or "open"); ``ruled`` says a ruling on
        the passage's code covers it (so gold holding nothing there was decided, not missed).
        """
        if passage is None:
            self.detail.setText("<i>Choose a passage, or press N for the next disagreement.</i>")
            return
        layer = (
            "highlights without a code"
            if passage.code_id is None
            else (codes[passage.code_id].name if passage.code_id in codes else "?")
        )
        lines = [f"Code: <b>{escape(layer)}</b>"]
        for i, (coder_id, name) in enumerate(zip(coder_ids, names, strict=True)):
            label = f"{LETTERS[i].upper()} " if i < len(LETTERS) else ""
            mine = passage.of(coder_id)
            body = "; ".join(_describe(text, c.start, c.end, codes) for c in mine)
            lines.append(
                f"<span style='color:{lane_color(i)}'>■</span> <b>{label}{escape(name)}</b>: "
                + (body or "<i>nothing coded</i>")
            )
        decided = "; ".join(_describe(text, s, e, codes, c) for s, e, c in gold or [])
        if not decided:
            decided = (
                "<i>decided: nothing to code</i>"
                if ruled
                else "<i>agreed, not copied to gold yet</i>"
                if state == "agreed"
                else "<i>not decided</i>"
            )
        if state == "open" and (gold or ruled):
            decided += " <i>(reopened: a coder changed a highlight after the decision)</i>"
        lines.append(f"<span style='color:{GOLD_COLOR}'>■</span> <b>gold</b>: {decided}")
        self.detail.setText("<br>".join(lines))


def adjudication_letter(event: QKeyEvent) -> str | None:
    """The adjudication key a plain key press stands for, if any."""
    plain = event.modifiers() in (
        Qt.KeyboardModifier.NoModifier,
        Qt.KeyboardModifier.KeypadModifier,
    )
    key = event.key()
    if plain and Qt.Key.Key_A <= key <= Qt.Key.Key_Z and chr(key).lower() in KEYS:
        return chr(key).lower()
    return None


def _describe(
    text: str,
    start: int,
    end: int,
    codes: dict[int, CodeRecord],
    code_ids: frozenset[int] | None = None,
) -> str:
    quote = shorten(text[start:end].replace("\n", " "), 60)
    described = f"“{escape(quote)}” [{start}–{end}]"
    if code_ids is not None:  # gold: say which codes it holds there
        names = ", ".join(sorted(codes[c].name for c in code_ids if c in codes)) or "no code"
        described += f" — {escape(names)}"
    return described
