"""The synthetic drop (`roi generate`): shaped as the file drop, deterministic, realistic enough.

Expectations are written from docs/file-drop.md, docs/metrics.md and the `files` source README,
not from the generator's own constants, so a drift between generator and contract shows here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from synthetic.generator import generate_drop

# docs/file-drop.md, column for column.
CONTRACT_COLUMNS = {
    "projects.csv": "project_code,project_name,region,country_code,launch_date,target_roi",
    "ad_spend.csv": "date,platform,account_id,campaign_id,campaign_name,project_code,currency,"
    "spend,impressions,clicks",
    "crm_leads.csv": "lead_id,created_at,updated_at,project_code,channel,campaign_id,"
    "country_code,status,converted_account_id,is_deleted",
    "crm_accounts.csv": "account_id,created_at,updated_at,project_code,country_code,industry,"
    "is_deleted",
    "crm_opportunities.csv": "opportunity_id,account_id,lead_id,created_at,updated_at,stage,"
    "amount,currency,closed_at,owner_id,is_deleted",
    "crm_orders.csv": "order_id,account_id,opportunity_id,order_date,updated_at,status,amount,"
    "cost_of_goods,currency,is_deleted",
    "crm_activities.csv": "activity_id,lead_id,opportunity_id,occurred_at,activity_type",
    "crm_tickets.csv": "ticket_id,account_id,opened_at,resolved_at,satisfaction",
    "erp_costs.csv": "cost_id,project_code,cost_date,category,amount,currency,posted_at",
    "fx_rates.csv": "date,base_currency,quote_currency,rate",
}
KEYS = {
    "projects.csv": ["project_code"],
    "ad_spend.csv": ["date", "platform", "account_id", "campaign_id"],
    "crm_leads.csv": ["lead_id"],
    "crm_accounts.csv": ["account_id"],
    "crm_opportunities.csv": ["opportunity_id"],
    "crm_orders.csv": ["order_id"],
    "crm_activities.csv": ["activity_id"],
    "crm_tickets.csv": ["ticket_id"],
    "erp_costs.csv": ["cost_id"],
    "fx_rates.csv": ["date", "base_currency", "quote_currency"],
}
# ingestion/files/README.md: every other column must be filled.
OPTIONAL = {
    "projects.csv": {"launch_date", "target_roi"},
    "ad_spend.csv": {"campaign_name", "project_code"},
    "crm_leads.csv": {
        "campaign_id",
        "country_code",
        "status",
        "converted_account_id",
        "is_deleted",
    },
    "crm_accounts.csv": {"country_code", "industry", "is_deleted"},
    "crm_opportunities.csv": {
        "lead_id",
        "amount",
        "currency",
        "closed_at",
        "owner_id",
        "is_deleted",
    },
    "crm_orders.csv": {"opportunity_id", "is_deleted"},
    "crm_activities.csv": {"lead_id", "opportunity_id", "activity_type"},
    "crm_tickets.csv": {"resolved_at", "satisfaction"},
    "erp_costs.csv": set(),
    "fx_rates.csv": set(),
}
VALUE_SETS = [
    ("ad_spend.csv", "platform", {"google_ads", "meta_ads", "linkedin_ads"}),
    (
        "crm_leads.csv",
        "channel",
        {"google_ads", "meta_ads", "linkedin_ads", "organic", "referral", "event", "direct"},
    ),
    (
        "crm_opportunities.csv",
        "stage",
        {"prospecting", "qualification", "proposal", "negotiation", "won", "lost"},
    ),
    ("crm_orders.csv", "status", {"confirmed", "cancelled"}),
    (
        "erp_costs.csv",
        "category",
        {
            "marketing",
            "sales",
            "salaries",
            "travel",
            "localization",
            "market_research",
            "office",
            "other",
        },
    ),
    ("crm_tickets.csv", "satisfaction", {"", "1", "2", "3", "4", "5"}),
] + [
    (name, "is_deleted", {"true", "false", ""})
    for name in ("crm_leads.csv", "crm_accounts.csv", "crm_opportunities.csv", "crm_orders.csv")
]
TIMESTAMPS = {
    "crm_leads.csv": ["created_at", "updated_at"],
    "crm_accounts.csv": ["created_at", "updated_at"],
    "crm_opportunities.csv": ["created_at", "updated_at", "closed_at"],
    "crm_orders.csv": ["updated_at"],
    "crm_activities.csv": ["occurred_at"],
    "crm_tickets.csv": ["opened_at", "resolved_at"],
    "erp_costs.csv": ["posted_at"],
}
DATES = {
    "projects.csv": ["launch_date"],
    "ad_spend.csv": ["date"],
    "crm_orders.csv": ["order_date"],
    "erp_costs.csv": ["cost_date"],
    "fx_rates.csv": ["date"],
}
DECIMALS = {
    "ad_spend.csv": ["spend"],
    "crm_opportunities.csv": ["amount"],
    "crm_orders.csv": ["amount", "cost_of_goods"],
    "erp_costs.csv": ["amount"],
    "fx_rates.csv": ["rate"],
    "projects.csv": ["target_roi"],
}
FIRST_DAY = pd.Timestamp("2024-10-01")
LAST_DAY = pd.Timestamp("2026-09-30")


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8")


def utc(values: pd.Series) -> pd.Series:
    """docs/file-drop.md: no offset means UTC."""
    return pd.to_datetime(values.replace("", None), utc=True, format="ISO8601")


def is_deleted(frame: pd.DataFrame) -> pd.Series:
    return frame["is_deleted"] == "true"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict[str, int], list[str], float]:
    folder = tmp_path_factory.mktemp("drop")
    messages: list[str] = []
    started = time.perf_counter()
    counts = generate_drop(folder, scale=1, seed=42, progress=messages.append)
    return folder, counts, messages, time.perf_counter() - started


@pytest.fixture(scope="module")
def folder(generated) -> Path:
    return generated[0]


@pytest.fixture(scope="module")
def drop(folder) -> dict[str, pd.DataFrame]:
    return {name: read(folder, name) for name in CONTRACT_COLUMNS}


@pytest.fixture(scope="module")
def customers(drop) -> pd.Series:
    """Accounts with a confirmed order, each with its first confirmed order date (metrics.md)."""
    orders = drop["crm_orders.csv"]
    accounts = drop["crm_accounts.csv"]
    live_accounts = set(accounts.loc[~is_deleted(accounts), "account_id"])
    confirmed = orders[
        (orders["status"] == "confirmed")
        & ~is_deleted(orders)
        & orders["account_id"].isin(live_accounts)
    ]
    return pd.to_datetime(confirmed.groupby("account_id")["order_date"].min())


# ---------------------------------------------------------------- API and determinism


def test_returns_rows_per_file_and_reports_each_file(generated, drop):
    _, counts, messages, seconds = generated
    assert list(counts) == list(CONTRACT_COLUMNS)
    assert counts == {name: len(frame) for name, frame in drop.items()}
    assert len(messages) == 10
    assert {name for name in CONTRACT_COLUMNS if any(name in m for m in messages)} == set(
        CONTRACT_COLUMNS
    )
    assert 10_000 <= sum(counts.values()) <= 45_000, "scale 1 is the modest demo size"
    assert seconds < 10


def test_same_seed_gives_byte_identical_files(folder, tmp_path):
    generate_drop(tmp_path / "again", scale=1, seed=42)
    for name in CONTRACT_COLUMNS:
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name


def test_other_seed_gives_other_data(folder, tmp_path):
    generate_drop(tmp_path / "other", scale=1, seed=43)
    for name in ("ad_spend.csv", "crm_leads.csv", "crm_orders.csv", "fx_rates.csv"):
        assert (tmp_path / "other" / name).read_bytes() != (folder / name).read_bytes(), name
    # The frame of the story stays: same projects, same calendar.
    assert (tmp_path / "other" / "projects.csv").read_bytes() == (
        folder / "projects.csv"
    ).read_bytes()


def test_scale_two_has_about_twice_the_business(generated, tmp_path):
    single = generated[1]
    double = generate_drop(tmp_path / "double", scale=2, seed=42)
    for name in ("crm_leads.csv", "crm_accounts.csv", "crm_orders.csv", "ad_spend.csv"):
        assert 1.6 <= double[name] / single[name] <= 2.5, (name, single[name], double[name])
    assert double["projects.csv"] == single["projects.csv"]
    assert double["fx_rates.csv"] == single["fx_rates.csv"]
    dates = read(tmp_path / "double", "ad_spend.csv")["date"]
    assert (dates.min(), dates.max()) == (
        read(generated[0], "ad_spend.csv")["date"].min(),
        "2026-09-30",
    )


@pytest.mark.parametrize("arguments", [{"scale": 0}, {"scale": 1.5}, {"seed": -1}], ids=str)
def test_rejects_bad_arguments(tmp_path, arguments):
    with pytest.raises(ValueError):
        generate_drop(tmp_path, **arguments)


# ---------------------------------------------------------------- file-drop shape


def test_generator_takes_the_drop_contract_from_the_loader():
    """File names, columns and value lists are the loader's own objects, not copies that can
    drift from what the validator accepts (the expectations in this file stay written from the
    contract, as a second opinion)."""
    from ingestion import file_contract as settings
    from synthetic import generator as synthetic

    assert list(synthetic.FILE_COLUMNS) == [spec.file_name for spec in settings.FILE_SPECS]
    for spec in settings.FILE_SPECS:
        assert synthetic.FILE_COLUMNS[spec.file_name] is spec.column_names
    for name in ("PLATFORMS", "CHANNELS", "STAGES", "COST_CATEGORIES"):
        assert getattr(synthetic, name) is getattr(settings, name), name


@pytest.mark.parametrize("name", list(CONTRACT_COLUMNS))
def test_header_is_exactly_the_contract(folder, name):
    text = (folder / name).read_bytes().decode("utf-8")
    assert text.split("\n", 1)[0] == CONTRACT_COLUMNS[name]
    assert text.endswith("\n") and "\r" not in text


@pytest.mark.parametrize("name", list(CONTRACT_COLUMNS))
def test_keys_are_present_and_unique(drop, name):
    frame = drop[name]
    assert len(frame) > 0
    keys = frame[KEYS[name]]
    assert (keys != "").all().all()
    assert not keys.duplicated().any()


@pytest.mark.parametrize("name", list(CONTRACT_COLUMNS))
def test_required_columns_are_filled(drop, name):
    for column in CONTRACT_COLUMNS[name].split(","):
        if column not in OPTIONAL[name]:
            assert (drop[name][column] != "").all(), column


@pytest.mark.parametrize(
    ("name", "column", "allowed"), VALUE_SETS, ids=[f"{n}:{c}" for n, c, _ in VALUE_SETS]
)
def test_values_are_in_the_value_sets(drop, name, column, allowed):
    assert set(drop[name][column]) <= allowed


def test_values_parse_as_their_types(drop):
    for name, columns in TIMESTAMPS.items():
        for column in columns:
            values = drop[name][column]
            assert utc(values).notna().sum() == (values != "").sum(), (name, column)
    for name, columns in DATES.items():
        for column in columns:
            values = drop[name][column]
            filled = values[values != ""]
            assert filled.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), (name, column)
            assert pd.to_datetime(filled, format="%Y-%m-%d").notna().all()
    for name, columns in DECIMALS.items():
        for column in columns:
            values = drop[name][column]
            filled = values[values != ""]
            assert filled.str.fullmatch(r"\d+(\.\d+)?").all(), (name, column)
            assert (filled.astype(float) >= 0).all()
    for column in ("impressions", "clicks"):
        assert drop["ad_spend.csv"][column].str.fullmatch(r"\d+").all()
    for name, column in [
        ("ad_spend.csv", "currency"),
        ("crm_orders.csv", "currency"),
        ("erp_costs.csv", "currency"),
        ("fx_rates.csv", "base_currency"),
        ("fx_rates.csv", "quote_currency"),
    ]:
        assert drop[name][column].str.fullmatch(r"[A-Z]{3}").all()
    amounts = drop["ad_spend.csv"]["spend"]
    assert amounts.str.fullmatch(r"\d+\.\d{2}").all(), "amounts are written with 2 decimals"


def test_references_resolve(drop):
    leads, accounts = drop["crm_leads.csv"], drop["crm_accounts.csv"]
    opportunities, orders = drop["crm_opportunities.csv"], drop["crm_orders.csv"]
    activities, tickets = drop["crm_activities.csv"], drop["crm_tickets.csv"]
    projects = set(drop["projects.csv"]["project_code"])
    account_ids, lead_ids = set(accounts["account_id"]), set(leads["lead_id"])
    opportunity_ids = set(opportunities["opportunity_id"])

    def filled(values: pd.Series) -> set[str]:
        return set(values[values != ""])

    assert filled(leads["converted_account_id"]) <= account_ids
    assert set(opportunities["account_id"]) <= account_ids
    assert filled(opportunities["lead_id"]) <= lead_ids
    assert set(orders["account_id"]) <= account_ids
    assert filled(orders["opportunity_id"]) <= opportunity_ids
    assert filled(activities["lead_id"]) <= lead_ids
    assert filled(activities["opportunity_id"]) <= opportunity_ids
    assert ((activities["lead_id"] != "") | (activities["opportunity_id"] != "")).all()
    assert set(tickets["account_id"]) <= account_ids
    for name in ("ad_spend.csv", "crm_leads.csv", "crm_accounts.csv", "erp_costs.csv"):
        assert set(drop[name]["project_code"]) <= projects
    campaigns = set(drop["ad_spend.csv"]["campaign_id"])
    assert filled(leads["campaign_id"]) <= campaigns
    paid = leads["channel"].isin(["google_ads", "meta_ads", "linkedin_ads"])
    assert (leads.loc[paid, "campaign_id"] != "").all()
    assert (leads.loc[~paid, "campaign_id"] == "").all()


# ---------------------------------------------------------------- FX coverage (docs/metrics.md)


def usable_rate_dates(fx: pd.DataFrame, reporting: str) -> pd.DataFrame:
    """(currency, date) pairs where some base has both rate(base->C) and rate(base->R)."""
    frames = []
    for base, rows in fx.groupby("base_currency"):
        if reporting == base:
            dates = rows["date"].drop_duplicates()
        else:
            dates = rows.loc[rows["quote_currency"] == reporting, "date"].drop_duplicates()
        quoted = rows[rows["date"].isin(dates)]
        frames.append(quoted[["quote_currency", "date"]].rename(columns={"quote_currency": "c"}))
        frames.append(pd.DataFrame({"c": base, "date": dates}))  # the base's own rate is 1
    return pd.concat(frames).drop_duplicates()


@pytest.mark.parametrize("reporting", ["USD", "EUR"])
def test_every_amount_has_a_rate_within_seven_days(drop, reporting):
    needed = pd.concat(
        [
            drop["ad_spend.csv"][["currency", "date"]],
            drop["erp_costs.csv"][["currency", "cost_date"]].set_axis(["currency", "date"], axis=1),
            drop["crm_orders.csv"][["currency", "order_date"]].set_axis(
                ["currency", "date"], axis=1
            ),
            drop["crm_opportunities.csv"]
            .query("currency != ''")
            .assign(date=lambda f: f["created_at"].str[:10])[["currency", "date"]],
        ]
    ).drop_duplicates()
    needed = needed.rename(columns={"currency": "c"}).assign(date=lambda f: pd.to_datetime(f.date))
    usable = usable_rate_dates(drop["fx_rates.csv"], reporting)
    usable = usable.assign(date=pd.to_datetime(usable["date"]))
    usable = usable.assign(rate_date=usable["date"])
    matched = pd.merge_asof(
        needed.sort_values("date"),
        usable.sort_values("date"),
        on="date",
        by="c",
        direction="backward",
        tolerance=pd.Timedelta(days=7),
    )
    missing = matched[matched["rate_date"].isna()]
    assert missing.empty, missing.head(10).to_string()


def test_fx_is_ecb_style(drop):
    fx = drop["fx_rates.csv"]
    eur = fx[fx["base_currency"] == "EUR"]
    assert {"USD", "GBP", "JPY", "BRL", "CNY"} <= set(eur["quote_currency"])
    days = pd.to_datetime(fx["date"])
    assert (days.dt.dayofweek < 5).all(), "no weekend rates"
    eur_days = set(eur["date"])
    for holiday in (
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-01",
        "2025-12-25",
        "2025-12-26",
        "2026-04-03",
        "2026-04-06",
    ):
        assert holiday not in eur_days
    usd = eur[eur["quote_currency"] == "USD"]["rate"].astype(float)
    assert usd.between(0.95, 1.30).all() and usd.nunique() > 100, "EUR/USD drifts plausibly"
    # Currencies the ECB does not publish come from a USD-based provider.
    assert {"AED", "VND"} <= set(fx.loc[fx["base_currency"] == "USD", "quote_currency"])
    assert fx["rate"].str.len().max() <= 9, "rates carry about 6 significant digits"


# ---------------------------------------------------------------- the story


def test_projects_currencies_and_calendar(drop):
    projects = drop["projects.csv"]
    assert len(projects) >= 4
    assert projects["region"].nunique() >= 4
    assert (projects["target_roi"] != "").all() and (projects["launch_date"] != "").all()
    currencies = (
        set(drop["ad_spend.csv"]["currency"])
        | set(drop["erp_costs.csv"]["currency"])
        | set(drop["crm_orders.csv"]["currency"])
    )
    assert len(currencies) >= 6
    assert {"USD", "EUR"} <= set(drop["ad_spend.csv"]["currency"])
    assert len(set(drop["ad_spend.csv"]["currency"]) - {"USD", "EUR"}) >= 2
    assert "CNY" in set(drop["erp_costs.csv"]["currency"])
    assert len(set(drop["erp_costs.csv"]["currency"]) - {"CNY", "USD"}) >= 3

    business_days = [
        pd.to_datetime(drop[name][column])
        for name, columns in DATES.items()
        if name not in ("projects.csv", "fx_rates.csv")
        for column in columns
    ]
    for name, columns in TIMESTAMPS.items():
        for column in columns:
            if column not in ("updated_at", "posted_at"):
                business_days.append(utc(drop[name][column]).dt.tz_localize(None).dt.normalize())
    every_day = pd.concat(business_days).dropna()
    assert every_day.max() == LAST_DAY, "the data ends on 2026-09-30, whatever today is"
    assert every_day.min() >= FIRST_DAY
    assert (every_day.max() - every_day.min()).days >= 700, "about two years of data"


def test_ads_look_like_platform_exports(drop):
    ads = drop["ad_spend.csv"]
    assert set(ads["platform"]) == {"google_ads", "meta_ads", "linkedin_ads"}
    tags = ads["campaign_name"].str.extract(r"^\[([A-Z]{2}-[A-Z]+)\]")[0]
    assert (tags == ads["project_code"]).all(), "campaign names carry the [PROJECT] tag"
    assert (ads["clicks"].astype(int) <= ads["impressions"].astype(int)).all()
    # Some campaigns pause for a while: gaps between their first and last day.
    days = ads.assign(day=pd.to_datetime(ads["date"])).groupby("campaign_id")["day"]
    span = (days.max() - days.min()).dt.days + 1
    assert (span > days.count()).sum() >= 3
    # Daily rows: every campaign appears on many days.
    assert days.count().min() >= 30


def test_crm_has_the_irregularities_of_real_exports(drop):
    leads, accounts = drop["crm_leads.csv"], drop["crm_accounts.csv"]
    opportunities, orders = drop["crm_opportunities.csv"], drop["crm_orders.csv"]
    tickets = drop["crm_tickets.csv"]
    for frame in (leads, accounts, opportunities, orders):
        assert is_deleted(frame).any()
        assert (frame["is_deleted"] == "").any() and (frame["is_deleted"] == "false").any()
    for frame in (leads, accounts, opportunities):
        created, updated = utc(frame["created_at"]), utc(frame["updated_at"])
        assert (updated >= created).all()
        assert (updated > created).mean() > 0.3
    assert (orders["status"] == "cancelled").any()
    assert (tickets["resolved_at"] == "").any() and (tickets["satisfaction"] == "").any()
    assert (tickets["resolved_at"] != "").mean() > 0.9
    resolved = tickets[tickets["resolved_at"] != ""]
    assert (utc(resolved["resolved_at"]) >= utc(resolved["opened_at"])).all()

    closed = opportunities["stage"].isin(["won", "lost"])
    assert (opportunities.loc[closed, "closed_at"] != "").all()
    assert (opportunities.loc[~closed, "closed_at"] == "").all()
    assert 0 < (~closed & ~is_deleted(opportunities)).sum() < 0.25 * len(opportunities)
    live = opportunities[closed]
    assert (utc(live["closed_at"]) > utc(live["created_at"])).all()

    # Accounts come from converted leads, plus some that sales opened directly.
    from_leads = set(leads["converted_account_id"]) - {""}
    assert 0.6 < len(from_leads) / len(accounts) < 0.98

    erp = drop["erp_costs.csv"]
    posted = utc(erp["posted_at"]).dt.tz_localize(None)
    assert (posted.dt.normalize() > pd.to_datetime(erp["cost_date"])).all()


def test_timestamps_mix_offsets_and_cross_midnight(drop):
    created = drop["crm_leads.csv"]["created_at"]
    suffix = created.str.extract(r"T\d{2}:\d{2}:\d{2}(.*)$")[0]
    assert {"+08:00", "+01:00", "-03:00", ""} <= set(suffix)
    local_date = pd.to_datetime(created.str[:10])
    utc_date = utc(created).dt.tz_localize(None).dt.normalize()
    assert (local_date != utc_date).sum() >= 20, "some local dates differ from the UTC date"


def test_orders_repeat_and_cost_of_goods_is_plausible(drop, customers):
    orders = drop["crm_orders.csv"]
    real = orders[~is_deleted(orders)]
    share = real["cost_of_goods"].astype(float) / real["amount"].astype(float)
    assert share.between(0.399, 0.701).all()
    confirmed = real[real["status"] == "confirmed"]
    per_customer = confirmed.groupby("account_id").size()
    assert (per_customer >= 2).mean() > 0.3, "repeat orders give retention something to show"
    assert (confirmed["opportunity_id"] == "").any() and (confirmed["opportunity_id"] != "").any()
    assert len(customers) >= 100


def test_follow_ups_convert_leads(drop, customers):
    """docs/metrics.md follow-up buckets: 3+ follow-ups convert far better than none."""
    leads = drop["crm_leads.csv"]
    leads = leads[~is_deleted(leads)]
    activities = drop["crm_activities.csv"]
    activities = activities[activities["lead_id"] != ""].assign(
        day=lambda f: utc(f["occurred_at"]).dt.tz_localize(None).dt.normalize()
    )
    first_order = leads.set_index("lead_id")["converted_account_id"].map(customers)
    activities = activities.assign(first_order=activities["lead_id"].map(first_order))
    counted = activities[
        activities["first_order"].isna() | (activities["day"] < activities["first_order"])
    ]
    follow_ups = counted.groupby("lead_id").size()
    bucket = leads["lead_id"].map(follow_ups).fillna(0).clip(upper=3)
    converted = leads["converted_account_id"].isin(customers.index)
    rate = converted.groupby(bucket).mean()
    assert (bucket == 3).sum() >= 200, "plenty of leads with 3+ follow-ups"
    assert rate[3] > 3 * rate[0]
    assert rate[3] > rate[2] > rate[0]


def test_channels_differ_like_real_ones(drop, customers):
    """Meta converts worse than Google but its customers are worth more; LinkedIn is
    expensive per customer but valuable; organic and referral cost no media."""
    fx = drop["fx_rates.csv"]
    last = fx.sort_values("date").drop_duplicates(["base_currency", "quote_currency"], keep="last")
    per_eur = last[last["base_currency"] == "EUR"].set_index("quote_currency")["rate"].astype(float)
    per_usd = last[last["base_currency"] == "USD"].set_index("quote_currency")["rate"].astype(float)
    units_per_usd = (per_eur / per_eur["USD"]).to_dict() | per_usd.to_dict() | {"USD": 1.0}

    def usd(frame: pd.DataFrame, column: str) -> pd.Series:
        return frame[column].astype(float) / frame["currency"].map(units_per_usd)

    leads = drop["crm_leads.csv"]
    leads = leads[~is_deleted(leads)]
    orders = drop["crm_orders.csv"]
    confirmed = orders[(orders["status"] == "confirmed") & ~is_deleted(orders)]
    profit = (
        (usd(confirmed, "amount") - usd(confirmed, "cost_of_goods"))
        .groupby(confirmed["account_id"])
        .sum()
    )
    first_lead = leads[leads["converted_account_id"] != ""].sort_values("created_at")
    first_lead = first_lead.assign(created=utc(first_lead["created_at"])).sort_values("created")
    channel_of = first_lead.drop_duplicates("converted_account_id").set_index(
        "converted_account_id"
    )["channel"]
    channel = pd.Series(customers.index, index=customers.index).map(channel_of).fillna("direct")
    ltv = profit.reindex(customers.index).groupby(channel).mean()
    conversion = (
        leads["converted_account_id"].isin(customers.index).groupby(leads["channel"]).mean()
    )
    ads = drop["ad_spend.csv"]
    media = usd(ads, "spend").groupby(ads["platform"]).sum()
    cac = media / channel.value_counts().reindex(media.index)

    assert conversion["meta_ads"] < conversion["google_ads"]
    assert ltv["meta_ads"] > ltv["google_ads"]
    assert ltv["linkedin_ads"] > ltv["google_ads"]
    assert cac["linkedin_ads"] > cac["google_ads"]
    assert conversion["referral"] > conversion["google_ads"]
    assert {"organic", "referral", "event", "direct"} <= set(channel)


def test_sales_cycles_differ_by_region(drop):
    opportunities = drop["crm_opportunities.csv"]
    won = opportunities[(opportunities["stage"] == "won") & ~is_deleted(opportunities)]
    won = won.merge(drop["crm_accounts.csv"][["account_id", "project_code"]], on="account_id")
    days = (utc(won["closed_at"]) - utc(won["created_at"])).dt.total_seconds() / 86_400
    median = days.groupby(won["project_code"]).median()
    assert median.max() > 2 * median.min()
