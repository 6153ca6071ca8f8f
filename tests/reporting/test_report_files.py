"""The report file: one self-contained HTML page per language, `roi report` on the command
line, thresholds from flags and environment, the run's languages, and errors a user can act
on."""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser

import duckdb
import pytest

from foundation.errors import RoiError
from reporting import ReportSettings, build_report
from reporting.languages import LANGUAGES, run_languages
from reporting.render import plotly_js
from roi.cli import main

from . import warehouse as wh

CJK = re.compile(r"[\u4e00-\u9fff]")


class Tags(HTMLParser):
    """Collects every tag's attributes and the text of the h1/h2/h3 headings."""

    def __init__(self):
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.headings: list[str] = []
        self.scripts = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        self.scripts += tag == "script"
        if tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return wh.write(tmp_path_factory.mktemp("wh") / "roi.duckdb", wh.tables())


@pytest.fixture(scope="module")
def pages(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return {lang: build_report(warehouse, out, lang=lang) for lang in ("en", "zh")}


def parse(path) -> tuple[str, Tags]:
    page = path.read_text(encoding="utf-8")
    tags = Tags()
    tags.feed(page)
    return page, tags


def test_file_names(pages):
    assert pages["en"].name == "roi-report-2026-Q2-en.html"
    assert pages["zh"].name == "roi-report-2026-Q2-zh.html"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_self_contained_file(pages, lang):
    """No src or href leaves the file; plotly.js is inline exactly once."""
    page, tags = parse(pages[lang])
    external = [
        (tag, name, value)
        for tag, name, value in tags.attributes
        if name in ("src", "href") and not value.startswith("#")
    ]
    assert external == []
    # Outside the plotly.js library (whose code holds URL strings it never loads by itself),
    # nothing names an address.
    library = plotly_js()
    assert page.count(library) == 1
    ours = page.replace(library, "")
    assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?\s*(https?:)?//", ours, re.IGNORECASE)
    assert "http://" not in ours and "https://" not in ours
    assert page.count("Plotly.newPlot(") >= 10


def test_english_headings(pages):
    page, tags = parse(pages["en"])
    assert '<html lang="en" dir="ltr">' in page
    assert tags.headings[0] == "ROI evaluation report"
    for heading in ("At a glance", "Alerts", "Acquisition channels", "Sales funnel",
                    "Trends over the last 8 quarters", "How to read this"):  # fmt: skip
        assert heading in tags.headings
    assert not any(CJK.search(heading) for heading in tags.headings)


def test_chinese_headings_and_labels(pages):
    page, tags = parse(pages["zh"])
    assert '<html lang="zh-CN" dir="ltr">' in page
    assert tags.headings[0] == "投资回报评估报告"
    for heading in ("概览", "预警", "获客渠道", "销售漏斗", "最近 8 个季度的趋势", "阅读说明"):
        assert heading in tags.headings
    assert all(CJK.search(heading) for heading in tags.headings), tags.headings
    # column labels come from the dbt docs' meta.label_zh
    assert "累计投资回报率" in page and "获客成本" in page and "线索转商机率" in page
    assert "本期没有预警" not in page and "本周期没有预警。" in page
    assert "How to read this" not in page


def test_roi_report_command(warehouse, tmp_path, capsys):
    code = main(["report", "--warehouse", str(warehouse), "--period", "2026-Q1",
                 "--lang", "zh", "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    written = tmp_path / "roi-report-2026-Q1-zh.html"
    assert written.exists() and str(written) in capsys.readouterr().out


def test_a_day_takes_the_default_grain_quarter(warehouse, tmp_path):
    assert main(["report", "--warehouse", str(warehouse), "--period", "2026-02-15",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    assert (tmp_path / "roi-report-2026-Q1-en.html").exists()


def test_no_period_means_the_latest_complete_one(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("ROI_WAREHOUSE", str(warehouse))
    assert main(["report", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["roi-report-2026-Q2-en.html"]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--period", "2026-04"], "no data for month 2026-04"),
        (["--period", "2026-01", "--grain", "quarter"], "--period 2026-01 is a month"),
        (["--period", "2026-Q5"], "is not a period: write a label (2026-W05 (week)"),
        (["--period", "2026-Q5", "--grain", "quarter"], "is not a quarter"),
        (["--threshold", "cac_increase"], "is not name=value"),
        (["--threshold", "speed=3"], "names: trend_periods, cac_increase"),
        (["--threshold", "cac_increase=lots"], "cac_increase: 'lots' is not a number"),
        (["--run", "no-such-run"], "no run no-such-run in audit.runs"),
    ],
    ids=[
        "no-data",
        "grain-mismatch",
        "bad-label",
        "bad-label-of-the-grain",
        "no-value",
        "unknown-name",
        "bad-number",
        "unknown-run",
    ],  # fmt: skip
)
def test_bad_input_exits_2_with_a_message(warehouse, tmp_path, capsys, argv, error):
    code = main(["report", "--warehouse", str(warehouse), "--out", str(tmp_path), *argv])
    assert code == 2
    assert error in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_warehouse_or_unpublished_marts_exit_2(tmp_path, capsys):
    assert main(["report", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["report", "--warehouse", str(empty), "--out", str(tmp_path)]) == 2
    assert "has no published marts" in capsys.readouterr().err


def test_thresholds_from_the_command_line_and_the_environment(warehouse, tmp_path, monkeypatch):
    """P2's CAC rose 20%: an alert at a 10% threshold, from either source; the flag wins."""
    flag = ["report", "--warehouse", str(warehouse), "--out", str(tmp_path)]
    assert main([*flag, "--threshold", "cac_increase=10%"]) == 0
    assert "P2: CAC rose +20.0%" in (tmp_path / "roi-report-2026-Q2-en.html").read_text()

    monkeypatch.setenv("ROI_REPORT_CAC_INCREASE", "0.1")
    assert ReportSettings.from_env().cac_increase == pytest.approx(0.1)
    assert main(flag) == 0
    assert "P2: CAC rose +20.0%" in (tmp_path / "roi-report-2026-Q2-en.html").read_text()
    assert main([*flag, "--threshold", "cac_increase=0.5"]) == 0
    assert "P2: CAC rose" not in (tmp_path / "roi-report-2026-Q2-en.html").read_text()


def test_settings_validation():
    assert ReportSettings().with_overrides(["churn-spike=3%"]).churn_spike == pytest.approx(0.03)
    assert ReportSettings().with_overrides(["trend_periods=4"]).trend_periods == 4
    with pytest.raises(RoiError, match="whole number"):
        ReportSettings().with_overrides(["trend_periods=2.5"])
    with pytest.raises(RoiError, match="ROI_REPORT_"):
        ReportSettings.from_env({"ROI_REPORT_CHURN_SPIKE": "high"})
    with pytest.raises(RoiError, match="unknown language 'xx': expected one of en, zh, zh-Hant"):
        build_report(__file__, "/tmp", lang="xx")


def test_report_files_are_private_and_roi_s_own_folder_is_tightened(warehouse, tmp_path):
    # GIVEN a process whose umask lets everyone read (build_report called without `roi`),
    # roi's reports/ folder left readable by an earlier version, and a folder of the user's
    own = warehouse.parent / "reports"
    own.mkdir(exist_ok=True)
    own.chmod(0o755)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    previous = os.umask(0o022)
    try:
        in_own = build_report(warehouse, own, lang="en")
        in_shared = build_report(warehouse, shared, lang="en")
    finally:
        os.umask(previous)

    def mode(path):
        return oct(stat.S_IMODE(path.stat().st_mode))

    assert [mode(own), mode(in_own)] == ["0o700", "0o600"]
    # the user's own folder may be shared on purpose: only the report is made private
    assert [mode(shared), mode(in_shared)] == ["0o755", "0o600"]


def test_roi_report_offers_the_languages_the_report_is_written_in(monkeypatch):
    """`--lang` choices are reporting.LANGUAGES, not a second list."""
    import reporting
    from roi.cli import build_parser

    monkeypatch.setattr(reporting, "LANGUAGES", ("en", "zh", "xx"))
    assert build_parser().parse_args(["report", "--lang", "xx"]).lang == "xx"


def test_roi_report_takes_every_language_whatever_its_case(tmp_path, capsys):
    """`--lang` offers the twelve codes; zh_hant finds zh-Hant; a code it does not know is
    refused with the list."""
    from roi.cli import build_parser

    assert LANGUAGES == (
        "en", "zh", "zh-Hant", "ja", "ko", "de", "fr", "es", "pt", "ar", "vi", "id"
    )  # fmt: skip
    parser = build_parser()
    assert [parser.parse_args(["report", "--lang", code]).lang for code in LANGUAGES] == list(
        LANGUAGES
    )
    assert parser.parse_args(["report", "--lang", "zh_hant"]).lang == "zh-Hant"
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "--lang", "jp"])
    refused = capsys.readouterr().err
    assert "invalid choice: 'jp' (choose from 'en', 'zh', 'zh-Hant', 'ja'" in refused


@pytest.mark.parametrize(
    ("value", "languages"),
    [
        (None, ("en", "zh")),
        ("", ("en", "zh")),
        ("ar", ("ar",)),
        ("en, ja,ZH-hant,ja", ("en", "ja", "zh-Hant")),
    ],
    ids=["unset", "empty", "one", "several-any-case-once-each"],
)
def test_the_run_s_languages(value, languages):
    environ = {} if value is None else {"ROI_REPORT_LANGUAGES": value}
    assert run_languages(environ) == languages


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("en,jp", "ROI_REPORT_LANGUAGES='en,jp': not a report language: 'jp'; expected a "
                  "comma-separated list of en, zh, zh-Hant, ja, ko, de, fr, es, pt, ar, vi, id"),
        (" , ", "ROI_REPORT_LANGUAGES=' , ': names no language; expected a comma-separated "
                "list of en, zh"),
    ],
    ids=["unknown-code", "no-code"],
)  # fmt: skip
def test_a_bad_run_language_is_named(value, error):
    with pytest.raises(RoiError) as raised:
        run_languages({"ROI_REPORT_LANGUAGES": value})
    assert str(raised.value).startswith(error)
