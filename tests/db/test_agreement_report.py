"""How the agreement report reads: the codes it covers, one title, safe CSV cells, a guide."""

import csv
from datetime import date

from db.cli import main as cli_main
from db.queries.agreement import AgreementRow
from db.summaries.agreement_report import write_agreement

PASSAGES = {  # coder -> (passage, code)
    "ann": [
        ("Hamas will not agree to a temporary ceasefire", "Rejection"),
        ("Hamas will reject the latest proposal", "Rejection"),
        ("Hamas has rejected a ceasefire proposal", "Truce"),
    ],
    "bob": [
        ("Hamas will not agree to a temporary ceasefire", "Rejection"),
        ("Hamas has rejected a ceasefire proposal", "Truce"),
        ("they had officially dismissed the proposal", "Rejection"),
    ],
}


def _coded(service, corpus_files):
    service.import_files(corpus_files)
    codes = {name: service.create_code(name)[0] for name in ("Rejection", "Truce", "Unused")}
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    for coder, passages in PASSAGES.items():
        coder_id = service.ensure_coder(coder)
        for passage, code in passages:
            doc = next(d for d, t in texts.items() if passage in t)
            start = texts[doc].index(passage)
            service.annotate(doc, coder_id, start, start + len(passage), [codes[code]])
    return str(service.project.path)


def test_selected_codes_are_named_in_the_cli_and_the_page(service, corpus_files, tmp_path, capsys):
    project = _coded(service, corpus_files)
    page = tmp_path / "report.html"
    args = ["agreement", project, "--coders", "ann,bob", "--code", "Rejection", "-o", str(page)]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert "Codes compared: only Rejection" in out
    assert "(selected codes)" in out and "(all codes)" not in out
    assert "Truce" not in out.split("Codes compared")[1].split("\n", 1)[1]  # no Truce rows
    text = page.read_text(encoding="utf-8")
    assert "Codes compared: only Rejection" in text and "(all codes)</td>" not in text

    assert cli_main(["agreement", project, "--coders", "ann,bob", "-o", str(page)]) == 0
    out = capsys.readouterr().out
    assert "every code in the codebook" in out and "(all codes)" in out
    assert "every code in the codebook" in page.read_text(encoding="utf-8")


def test_the_page_says_its_title_once_and_explains_the_numbers(service, corpus_files, tmp_path):
    _coded(service, corpus_files)
    page = tmp_path / "report.html"
    service.export_agreement(page, service.agreement(["ann", "bob"]), ["ann", "bob"])
    text = page.read_text(encoding="utf-8")
    heading = f"Inter-coder agreement — {service.name}"
    assert f"<h1>{heading}</h1>" in text and f"<title>{heading}</title>" in text
    assert text.count("Inter-coder agreement") == 2  # the <title> and the <h1>
    for part in ("Unitizing alpha (α-u)", "Position alpha", "The units column", "pooled row"):
        assert part in text
    assert "1 means every coder marked exactly the same stretches" in text
    assert "below 0" in text and "1 − ΣD_o / ΣD_e" in text


def test_csv_text_cells_are_neutralised_numbers_stay_numbers(tmp_path):
    rows = [
        AgreementRow("=cmd|' /C calc'!A0", "-Rejection", -0.25, 3, "+12 units"),
        AgreementRow("cohen kappa", "@SUM(A1)", None, 0, "undefined: why"),
        AgreementRow("percent agreement", "Truce", 0.5, 4, "4 sentence units"),
    ]
    target = tmp_path / "report.csv"
    assert write_agreement(rows, target, "Gaza", ["ann", "bob"], when=date(2024, 1, 1)) == 3
    with target.open(encoding="utf-8", newline="") as f:
        read = list(csv.DictReader(f))
    assert [r["coefficient"] for r in read] == [
        "'=cmd|' /C calc'!A0",
        "cohen kappa",
        "percent agreement",
    ]
    assert [r["code"] for r in read] == ["'-Rejection", "'@SUM(A1)", "Truce"]
    assert [r["compared"] for r in read] == ["'+12 units", "undefined: why", "4 sentence units"]
    assert [r["value"] for r in read] == ["-0.25", "", "0.5"]  # a negative value is a number
    assert float(read[0]["value"]) == -0.25
