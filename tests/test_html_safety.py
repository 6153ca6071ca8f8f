"""Every HTML page a run, `roi report` and `roi docs` write is inert against the data.

One run over tests/fixtures/small_drop plus a project whose every free-text and key value
is markup (`<img src=x onerror=...>`, `<script>...</script>`, `"><svg onload=...>`), with
orphan keys that only warn, so that the run publishes and writes every page. Each page is
opened in headless Chromium: no script of the data runs (no dialog), no element of the data
exists, the Content-Security-Policy is in the page, and the page still shows its content.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from roi.cli import main

from .drops import FIXTURES

PIPELINE_RUNS = 1
CHROMIUM = Path("/usr/bin/chromium")


def img(n: int) -> str:
    return f"<img src=x onerror=alert({n})>"


def script(n: int) -> str:
    return f"<script>alert({n})</script>"


def svg(n: int) -> str:
    return f'"><svg onload=alert({n})>'


PROJECT = svg(1)
ACCOUNT = img(11)
LEAD = img(8)
OPPORTUNITY = svg(13)
CAMPAIGN = script(6)
ORPHAN_ACCOUNT = img(20)  # a ticket's account that is in no file: only a warning
ORPHAN_LEAD = script(21)  # an activity's lead that is in no file: only a warning

# file -> rows added to the fixture's rows, every text column and key hostile
HOSTILE_ROWS: dict[str, list[dict[str, str]]] = {
    "projects.csv": [
        {"project_code": PROJECT, "project_name": script(2), "region": img(3),
         "country_code": svg(4), "launch_date": "2026-02-01", "target_roi": "0.4"},
    ],
    "ad_spend.csv": [
        {"date": "2026-03-10", "platform": "google_ads", "account_id": img(5),
         "campaign_id": CAMPAIGN, "campaign_name": svg(7), "project_code": PROJECT,
         "currency": "USD", "spend": "100.00", "impressions": "1000", "clicks": "10"},
    ],
    "crm_leads.csv": [
        {"lead_id": LEAD, "created_at": "2026-03-10T09:00:00Z",
         "updated_at": "2026-03-11T09:00:00Z", "project_code": PROJECT,
         "channel": "google_ads", "campaign_id": CAMPAIGN, "country_code": svg(9),
         "status": script(10), "converted_account_id": ACCOUNT, "is_deleted": "false"},
    ],
    "crm_accounts.csv": [
        {"account_id": ACCOUNT, "created_at": "2026-03-11T09:00:00Z",
         "updated_at": "2026-03-11T09:00:00Z", "project_code": PROJECT,
         "country_code": svg(22), "industry": script(12), "is_deleted": "false"},
    ],
    "crm_opportunities.csv": [
        {"opportunity_id": OPPORTUNITY, "account_id": ACCOUNT, "lead_id": LEAD,
         "created_at": "2026-03-11T10:00:00Z", "updated_at": "2026-03-12T10:00:00Z",
         "stage": "won", "amount": "", "currency": "", "closed_at": "2026-03-12T10:00:00Z",
         "owner_id": script(14), "is_deleted": "false"},
    ],
    "crm_orders.csv": [
        {"order_id": img(15), "account_id": ACCOUNT, "opportunity_id": OPPORTUNITY,
         "order_date": "2026-03-12", "updated_at": "2026-03-12T10:00:00Z",
         "status": "confirmed", "amount": "500.00", "cost_of_goods": "100.00",
         "currency": "USD", "is_deleted": "false"},
    ],
    "crm_activities.csv": [
        {"activity_id": script(16), "lead_id": LEAD, "opportunity_id": OPPORTUNITY,
         "occurred_at": "2026-03-11T09:30:00Z", "activity_type": svg(17)},
        {"activity_id": img(23), "lead_id": ORPHAN_LEAD, "opportunity_id": "",
         "occurred_at": "2026-03-11T09:30:00Z", "activity_type": "call"},
    ],
    "crm_tickets.csv": [
        {"ticket_id": img(18), "account_id": ACCOUNT, "opened_at": "2026-03-13T09:00:00Z",
         "resolved_at": "", "satisfaction": ""},
        {"ticket_id": script(19), "account_id": ORPHAN_ACCOUNT,
         "opened_at": "2026-03-13T09:00:00Z", "resolved_at": "", "satisfaction": ""},
    ],
    "erp_costs.csv": [
        {"cost_id": svg(24), "project_code": PROJECT, "cost_date": "2026-03-12",
         "category": "marketing", "amount": "50.00", "currency": "USD",
         "posted_at": "2026-03-13T08:00:00Z"},
    ],
}  # fmt: skip


def write_hostile_drop(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "small_drop", folder)
    for file_name, rows in HOSTILE_ROWS.items():
        path = folder / file_name
        with path.open(encoding="utf-8", newline="") as f:
            columns = next(csv.reader(f))
        with path.open("a", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writerows(rows)
    return folder


def roi(*args: str) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(list(args))
    return code, printed.getvalue()
