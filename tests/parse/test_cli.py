"""``marsad parse``: the gold JSON shape, readable output, and bad inputs as one line each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import main

ARTICLE_HTML = ("<html><head><title>خطة لدعم المزارعين</title></head><body><div>"
                "<p>أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف.</p>"
                "<p>وقال وزير الزراعة إن الخطة تشمل قروضاً ميسرة وتوزيع البذور على عشرة آلاف أسرة.</p>"
                "</div></body></html>")


def _invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, ["parse", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def fixture_page(shared: Path) -> Path:
    return shared / "fixtures/aawsat-page-2025.txt"


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty.txt": b"",
        "binary.bin": bytes(range(256)) * 64,
        "nonews.html": "<html><head><title>الرئيسية</title></head><nav>الرئيسية</nav></html>".encode(),
        "english.html": ("<html><body><p>" + "The minister said the plan will start soon. " * 10
                         + "</p></body></html>").encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


def test_json_is_the_gold_shape(fixture_page: Path, shared: Path) -> None:
    result = _invoke(str(fixture_page), "--json")
    assert result.exit_code == 0
    gold = json.loads((shared / "fixtures/aawsat-page-2025.gold.json").read_text("utf-8"))
    assert json.loads(result.stdout) == gold


def test_json_lines_for_several_pages(fixture_page: Path, tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text(ARTICLE_HTML, "utf-8")
    result = _invoke(str(fixture_page), str(html), "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(fixture_page), str(html)]
    assert [len(line["articles"]) for line in lines] == [4, 1]
    assert all(set(line) == {"source", "articles", "teasers"} for line in lines)


def test_readable_output(fixture_page: Path) -> None:
    result = _invoke(str(fixture_page))
    assert result.exit_code == 0
    out = result.stdout
    assert "قمة «روسيا - آسيا الوسطى» لترتيب علاقات الكرملين مع المحيط الإقليمي" in out
    assert "لقاء بوتين وعلييف أنهى عاماً من التوتر بين موسكو وباكو" in out
    assert "[lead]" in out and "رويترز → reuters" in out
    assert "related" in out and "24 paragraph(s)" in out


@pytest.mark.parametrize(("name", "reason"), [
    ("empty.txt", "empty page"),
    ("binary.bin", "binary data"),
    ("nonews.html", "no news article"),
])
def test_bad_input_is_one_line_and_exit_2(bad_inputs: dict[str, Path], name: str, reason: str) -> None:
    result = _invoke(str(bad_inputs[name]))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"marsad: {bad_inputs[name]}: ") and reason in line
    assert "Traceback" not in result.output


def test_mixed_batch_parses_the_good_ones(bad_inputs: dict[str, Path], fixture_page: Path,
                                          tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text(ARTICLE_HTML, "utf-8")
    result = _invoke(str(tmp_path), str(fixture_page), str(tmp_path / "missing.txt"), "--json")
    assert result.exit_code == 2
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources == [str(tmp_path / "english.html"), str(tmp_path / "sub" / "page.html"), str(fixture_page)]
    errors = [line for line in result.stderr.splitlines() if not line.startswith("marsad: warning: ")]
    assert len(errors) == len(bad_inputs)  # the English page is kept, with a warning
    warning = f"marsad: warning: {tmp_path / 'english.html'}: mostly in another language (en); kept"
    assert warning in result.stderr
    assert errors[-1] == f"marsad: {tmp_path / 'missing.txt'}: no such file or folder"


def test_twenty_megabyte_page(tmp_path: Path) -> None:
    paragraph = "<p>" + "قال المرصد إن مقاتلين سيطروا على ثلاثة مستودعات للذخيرة قرب البلدة. " * 4 + "</p>\n"
    size = 20 * 1024 * 1024
    page = tmp_path / "huge.html"
    page.write_text("<html><head><title>خبر طويل جداً</title></head><body><div>"
                    + paragraph * (size // len(paragraph.encode())) + "</div></body></html>", "utf-8")
    result = _invoke(str(page), "--json")
    assert result.exit_code == 0
    (article,) = json.loads(result.stdout)["articles"]
    assert len(article["paragraphs"]) > 10_000
    refused = _invoke(str(page), env={"MARSAD_MAX_PAGE_BYTES": str(size // 2)})
    assert refused.exit_code == 2
    assert "above the" in refused.stderr and "MARSAD_MAX_PAGE_BYTES" in refused.stderr


def test_parse_enrich_adds_figures_quotes_and_dates(shared):
    result = CliRunner().invoke(main, ["parse", "--enrich", "--json",
                                       str(shared / "fixtures" / "aawsat-page-2025.txt")])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["articles"][0]
    assert {"entities", "dates", "figures", "quotes"} <= first.keys()
    assert any(f["text"] == "1.5 مليار دولار" and f["value"] == 1.5e9 for f in first["figures"])
    assert any(q["speaker"] and "بيسكوف" in q["speaker"] for q in first["quotes"])
    for f in first["figures"]:
        assert first["paragraphs"][f["paragraph"]][f["start"]:f["end"]] == f["text"]


def test_failure_lines_escape_newlines_and_terminal_escapes_in_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["two\nlines.txt", "red\x1b[31m.txt", "rlo\u202etxt.exe"]:
        (folder / name).write_bytes(b"\x00\x01\x02" * 100)
    with open(os.fsencode(str(folder)) + b"/bad\xff.txt", "wb") as f:  # a name that is not UTF-8
        f.write(b"\x00\x01\x02" * 100)
    for command in (["parse", str(folder)], ["ingest", str(folder), "--db", str(tmp_path / "a.db")]):
        result = CliRunner().invoke(main, command)
        failures = [line for line in result.stderr.splitlines() if "binary data" in line]
        assert len(failures) == 4, result.stderr
        assert not any(c in result.stderr for c in "\x1b\u202e")
        joined = "\n".join(failures)
        assert "two\\nlines.txt" in joined and "red\\x1b[31m.txt" in joined and "rlo\\u202etxt.exe" in joined
        assert "bad\\udcff.txt" in joined
