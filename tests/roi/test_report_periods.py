"""`roi report --period 2026-H1` and `--period 2026`: the semiannual and annual reviews' report
on the warehouse of a real run (tests/fixtures/small_drop, the session's shared run).

Every business date of small_drop lies in February to April 2026, so the first half of 2026
and the year 2026 hold all of it. P-DE over both (test_mart_project_roi.py works the numbers):
investment 7,550 USD, gross profit 1,825 USD, ROI (1,825 - 7,550) / 7,550 = -75.8%."""

from __future__ import annotations

import pytest

from roi.cli import main


# the period's first and last day as CLDR writes a range of dates (thin spaces around the dash)
@pytest.mark.parametrize(
    ("period", "lang", "file_name", "period_line"),
    [
        (
            "2026-H1",
            "en",
            "roi-report-2026-H1-en.html",
            "Half-year 2026-H1 (Jan 1\u2009–\u2009Jun 30, 2026)",
        ),
        ("2026", "en", "roi-report-2026-en.html", "Year 2026 (Jan 1\u2009–\u2009Dec 31, 2026)"),
        (
            "2026-H1",
            "zh",
            "roi-report-2026-H1-zh.html",
            "半年 2026-H1（2026年1月1日\u2009–\u20096月30日）",
        ),
    ],
    ids=["half-year", "year", "half-year-zh"],
)
def test_a_half_year_and_a_year_are_reported(
    small_drop_published, tmp_path, capsys, period, lang, file_name, period_line
):
    # GIVEN the published marts of small_drop
    # WHEN the report of a half-year or a year is asked for by its label
    code = main(
        ["report", "--period", period, "--lang", lang, "--out", str(tmp_path)]
        + ["--warehouse", str(small_drop_published.warehouse)]
    )
    # THEN it is written for that period, with P-DE's numbers over the whole of it
    assert code == 0, capsys.readouterr().err
    page = (tmp_path / file_name).read_text(encoding="utf-8")
    assert period_line in page
    assert "-75.8%" in page  # P-DE's ROI over February to April
    assert "7,550" in page and "1,825" in page
    # and the article's sections: P-DE's google_ads campaign, its reps, its lead response
    assert "C-DE-G1" in page and "U-1" in page and "197.5" in page


def test_a_half_year_label_that_does_not_exist_is_refused(small_drop_published, tmp_path, capsys):
    code = main(
        ["report", "--period", "2026-H3", "--out", str(tmp_path)]
        + ["--warehouse", str(small_drop_published.warehouse)]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "error: --period: '2026-H3' is not a period: write a label (2026-W05 (week), "
        "2026-01 (month), 2026-Q1 (quarter), 2026-H1 (half_year), 2026 (year)) or a day in "
        "the period (YYYY-MM-DD)\n"
    )
