"""Synthetic file drop: two years of a Chinese manufacturer's overseas expansion.

`generate_drop` writes the ten CSV files of docs/file-drop.md. The story behind the numbers:
a Shenzhen maker of commercial energy storage, inverters and EV chargers opens six overseas
markets between October 2024 and July 2025 and is evaluated on 2026-09-30.

- Money flows the way the real sources report it: ad platforms bill in each ad account's
  currency (USD, EUR and local ones), the ERP books headquarters salaries, travel and content in
  CNY and the rest locally, orders are priced in local currency (UAE partly in USD).
- FX is ECB-style (base EUR, TARGET business days only); currencies the ECB does not publish
  (AED, VND) come from a second, USD-based provider, which also quotes EUR.
- The funnel is causal, not sampled per table: clicks produce leads, follow-ups drive
  conversion, converted leads become accounts with an opportunity, won deals place a first order
  and repeat orders until the customer churns, customers open tickets. Channel and region
  parameters give the marts something to find (Meta converts worse than Google but its
  customers are worth more, LinkedIn is expensive but valuable, Japan closes slowly).
- Every random draw comes from a numpy Generator seeded from (seed, part name), so equal
  arguments give byte-identical files and changing one part leaves the others' numbers alone.

Dates are fixed (never "today"); `scale` multiplies campaigns, leads, accounts, orders, staff
and cost lines, never the calendar.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion.file_contract import (
    CHANNELS,
    COST_CATEGORIES,
    FILE_SPECS,
    ORDER_STATUSES,
    PLATFORMS,
    STAGES,
)

# The drop's files and columns, in their order, as the loader declares them: the generator
# writes what the validator expects, never a copy of it.
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    spec.file_name: spec.column_names for spec in FILE_SPECS
}
CONFIRMED, CANCELLED = ORDER_STATUSES
WON, LOST = STAGES.index("won"), STAGES.index("lost")

SECONDS_PER_DAY = 86_400


def _day(text: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(text, "D").astype(np.int64))


START_DAY = _day("2024-10-01")
END_DAY = _day("2026-09-30")
END_INSTANT = (END_DAY + 1) * SECONDS_PER_DAY - 1
# The drop is pulled after the September month-end close, so version columns (updated_at,
# posted_at) may be a few days later than the last business date.
EXTRACTED_AT = (END_DAY + 9) * SECONDS_PER_DAY + 5_400
# Rates start two weeks early so the first business days find a rate in the fallback window.
FX_FIRST_DAY = START_DAY - 14

# code: (units per USD on 2024-10-01, daily log volatility, yearly drift of units per USD)
CURRENCIES: dict[str, tuple[float, float, float]] = {
    "AED": (3.6725, 0.0, 0.0),  # pegged to the dollar
    "BRL": (5.45, 0.0085, 0.04),
    "CNY": (7.08, 0.0016, 0.0),
    "EUR": (0.9091, 0.0042, -0.01),
    "GBP": (0.7650, 0.0040, 0.0),
    "JPY": (148.5, 0.0055, 0.02),
    "USD": (1.0, 0.0, 0.0),
    "VND": (25_050.0, 0.0007, 0.03),
}
ECB_QUOTES = ("BRL", "CNY", "GBP", "JPY", "USD")
USD_PROVIDER_QUOTES = ("AED", "EUR", "VND")
# Smallest unit an amount is rounded to: yen and dong have no minor unit in practice.
ROUNDING_UNIT = {"JPY": 1.0, "VND": 100.0}

HQ_OFFSET_MINUTES = 480  # Shenzhen headquarters staff enter and post records at +08:00
NO_OFFSET = -100_000  # sentinel: write the timestamp without offset (UTC)

# Channel effects, indexed like CHANNELS.
CONVERT_FACTOR = np.array([1.0, 0.55, 0.95, 1.1, 1.7, 1.25, 1.3])
WIN_FACTOR = np.array([1.0, 0.85, 1.1, 1.0, 1.2, 1.0, 1.05])
VALUE_FACTOR = np.array([1.0, 1.7, 2.2, 0.9, 1.2, 1.5, 1.1])
CYCLE_FACTOR = np.array([1.0, 0.9, 1.3, 1.0, 0.8, 1.1, 0.9])
CHURN_FACTOR = np.array([1.0, 0.75, 0.8, 1.1, 0.9, 1.0, 1.0])
# Lead -> account probability by follow-ups (0, 1, 2, 3+): persistence is what converts leads.
FOLLOWUP_CONVERT = np.array([0.02, 0.08, 0.16, 0.36])
FOLLOWUP_COUNT_P = np.array([0.28, 0.24, 0.18, 0.12, 0.08, 0.05, 0.03, 0.02])

# Per platform (google, meta, linkedin): base daily budget and cost per click in USD, the
# share of a weekday budget spent on weekends, and leads per click.
PLATFORM_BUDGET_USD = np.array([100.0, 65.0, 120.0])
PLATFORM_CPC_USD = np.array([2.4, 0.75, 8.0])
PLATFORM_WEEKEND = np.array([0.55, 0.9, 0.45])
PLATFORM_LEAD_RATE = np.array([0.0075, 0.0038, 0.016])

CAMPAIGN_TEMPLATES = {
    # (name, budget multiplier, click-through rate)
    "google_ads": (
        ("Search | Brand", 0.5, 0.09),
        ("Search | Generic | {product}", 1.2, 0.045),
        ("Performance Max | {product}", 1.0, 0.012),
        ("Display | Remarketing 30d", 0.6, 0.004),
    ),
    "meta_ads": (
        ("Lead Ads | {product}", 1.1, 0.011),
        ("Retargeting | Site visitors 30d", 0.7, 0.016),
        ("Lookalike 1% | {product}", 1.0, 0.009),
    ),
    "linkedin_ads": (
        ("Sponsored Content | {audience}", 1.0, 0.0055),
        ("Lead Gen Form | {audience}", 1.1, 0.0065),
        ("Conversation Ads | {audience}", 0.8, 0.004),
    ),
}
PRODUCTS = ("C&I Battery Storage", "Hybrid Inverters", "EV Chargers", "Solar Carports")
PRODUCTS += ("Energy Management",)
AUDIENCES = ("Facility Managers", "Plant Directors", "CFOs", "EPC Installers")
AUDIENCES += ("Procurement Leads",)
INDUSTRIES = ("manufacturing", "logistics", "retail", "agriculture", "hospitality")
INDUSTRIES += ("healthcare", "real_estate", "data_centers", "utilities", "public_sector")
INDUSTRY_P = np.array([0.26, 0.14, 0.12, 0.08, 0.07, 0.06, 0.1, 0.05, 0.07, 0.05])
OPPORTUNITY_ACTIVITY_TYPES = ("demo", "meeting", "proposal_sent", "site_visit", "call", "email")


@dataclass(frozen=True)
class _Project:
    code: str
    name: str
    region: str
    country_code: str
    currency: str
    launch: str
    target_roi: str
    # "CET"/"GMT" follow EU summer time; an int is a fixed UTC offset in minutes.
    timezone: str | int
    lead_countries: tuple[tuple[str, float], ...]
    # Ad account currency per platform (google, meta, linkedin); None: platform not used.
    ad_currencies: tuple[str | None, str | None, str | None]
    campaigns: tuple[int, int, int]  # per platform at scale 1
    budget_factor: float
    cpc_factor: float
    lead_rate_factor: float  # cheap clicks in emerging markets bring fewer form fills each
    sales_cycle_days: float
    win_rate: float
    deal_usd: float
    cogs_ratio: float
    reorder_gap_days: float
    churn: float  # chance, after each order, that the customer never orders again
    resolution_hours: float
    salary_usd: float  # monthly cost of one local employee
    headcount: int  # local team at full strength, scale 1
    rent_usd: float
    followup_types: tuple[str, ...]
    trade_shows: tuple[str, ...]  # first day of each show the team exhibits at
    usd_order_share: float = 0.0


PROJECTS: tuple[_Project, ...] = (
    _Project(
        code="DE-EU",
        name="Germany & DACH — C&I energy storage",
        region="Europe",
        country_code="DE",
        currency="EUR",
        launch="2024-10-14",
        target_roi="0.35",
        timezone="CET",
        lead_countries=(("DE", 0.62), ("AT", 0.12), ("CH", 0.10), ("NL", 0.10), ("PL", 0.06)),
        ad_currencies=("EUR", "EUR", "EUR"),
        campaigns=(2, 2, 1),
        budget_factor=1.0,
        cpc_factor=1.0,
        lead_rate_factor=1.0,
        sales_cycle_days=75,
        win_rate=0.50,
        deal_usd=24_000,
        cogs_ratio=0.50,
        reorder_gap_days=80,
        churn=0.22,
        resolution_hours=16,
        salary_usd=7_200,
        headcount=4,
        rent_usd=4_500,
        followup_types=("call", "email", "meeting", "linkedin_message"),
        trade_shows=("2025-02-11", "2025-05-07", "2026-02-10", "2026-06-23"),
    ),
    _Project(
        code="UK-GB",
        name="United Kingdom — EV charging & storage",
        region="Europe",
        country_code="GB",
        currency="GBP",
        launch="2024-12-02",
        target_roi="0.30",
        timezone="GMT",
        lead_countries=(("GB", 0.9), ("IE", 0.1)),
        ad_currencies=("GBP", "GBP", "USD"),
        campaigns=(2, 1, 1),
        budget_factor=0.9,
        cpc_factor=1.1,
        lead_rate_factor=1.0,
        sales_cycle_days=55,
        win_rate=0.48,
        deal_usd=21_000,
        cogs_ratio=0.52,
        reorder_gap_days=70,
        churn=0.25,
        resolution_hours=14,
        salary_usd=6_600,
        headcount=3,
        rent_usd=4_000,
        followup_types=("call", "email", "meeting", "linkedin_message"),
        trade_shows=("2025-02-25", "2025-09-23", "2026-02-24", "2026-09-22"),
    ),
    _Project(
        code="JP-TYO",
        name="Japan — factory energy management",
        region="East Asia",
        country_code="JP",
        currency="JPY",
        launch="2025-01-13",
        target_roi="0.25",
        timezone=540,
        lead_countries=(("JP", 1.0),),
        ad_currencies=("JPY", "USD", "USD"),
        campaigns=(2, 1, 1),
        budget_factor=1.1,
        cpc_factor=0.9,
        lead_rate_factor=0.85,
        sales_cycle_days=110,
        win_rate=0.42,
        deal_usd=30_000,
        cogs_ratio=0.55,
        reorder_gap_days=95,
        churn=0.15,
        resolution_hours=9,
        salary_usd=5_200,
        headcount=3,
        rent_usd=3_800,
        followup_types=("call", "email", "meeting", "line"),
        trade_shows=("2025-02-19", "2026-03-17"),
    ),
    _Project(
        code="BR-SAO",
        name="Brazil, São Paulo — solar inverters",
        region="Latin America",
        country_code="BR",
        currency="BRL",
        launch="2025-03-03",
        target_roi="0.20",
        timezone=-180,
        lead_countries=(("BR", 1.0),),
        ad_currencies=("BRL", "BRL", "USD"),
        campaigns=(2, 1, 1),
        budget_factor=0.6,
        cpc_factor=0.35,
        lead_rate_factor=0.45,
        sales_cycle_days=38,
        win_rate=0.46,
        deal_usd=11_000,
        cogs_ratio=0.60,
        reorder_gap_days=55,
        churn=0.30,
        resolution_hours=30,
        salary_usd=2_900,
        headcount=3,
        rent_usd=1_600,
        followup_types=("call", "email", "whatsapp"),
        trade_shows=("2025-08-26", "2026-08-25"),
    ),
    _Project(
        code="AE-DXB",
        name="UAE & GCC — solar + storage",
        region="Middle East",
        country_code="AE",
        currency="AED",
        launch="2025-05-05",
        target_roi="0.30",
        timezone=240,
        lead_countries=(("AE", 0.75), ("SA", 0.15), ("QA", 0.05), ("OM", 0.05)),
        ad_currencies=("USD", "AED", "USD"),
        campaigns=(2, 1, 1),
        budget_factor=0.8,
        cpc_factor=0.7,
        lead_rate_factor=0.85,
        sales_cycle_days=45,
        win_rate=0.50,
        deal_usd=17_000,
        cogs_ratio=0.50,
        reorder_gap_days=75,
        churn=0.22,
        resolution_hours=20,
        salary_usd=6_200,
        headcount=2,
        rent_usd=3_500,
        followup_types=("call", "email", "whatsapp", "meeting"),
        trade_shows=("2025-09-30", "2026-04-07"),
        usd_order_share=0.35,
    ),
    _Project(
        code="VN-HCM",
        name="Vietnam — industrial rooftop solar",
        region="Southeast Asia",
        country_code="VN",
        currency="VND",
        launch="2025-07-01",
        target_roi="0.15",
        timezone=420,
        lead_countries=(("VN", 1.0),),
        ad_currencies=("USD", "VND", None),
        campaigns=(2, 1, 0),
        budget_factor=0.5,
        cpc_factor=0.25,
        lead_rate_factor=0.45,
        sales_cycle_days=30,
        win_rate=0.55,
        deal_usd=7_500,
        cogs_ratio=0.62,
        reorder_gap_days=45,
        churn=0.30,
        resolution_hours=26,
        salary_usd=1_800,
        headcount=2,
        rent_usd=1_200,
        followup_types=("call", "email", "zalo"),
        trade_shows=("2025-09-17", "2026-07-15"),
    ),
)


def generate_drop(
    out_dir: Path,
    scale: int = 1,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write a complete file drop (docs/file-drop.md) into `out_dir`; return rows written per file.

    Same (scale, seed) gives byte-identical files. Scale 1 is the demo size (about 30k rows);
    scale N has about N times the campaigns, leads, accounts, orders and cost lines.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = _DropBuilder(scale=scale, seed=seed)
    written: dict[str, int] = {}

    def write(name: str, columns: dict[str, list[str]]) -> None:
        written[name] = _write_csv(out_dir / name, FILE_COLUMNS[name], columns)
        if progress is not None:
            progress(f"wrote {name} ({written[name]} rows)")

    # Files are written as soon as their inputs exist, so progress is reported early.
    write("fx_rates.csv", builder.fx_rates())
    write("projects.csv", builder.projects())
    write("ad_spend.csv", builder.ad_spend())
    for name, columns in builder.crm().items():
        write(name, columns)
    write("erp_costs.csv", builder.erp_costs())
    return {name: written[name] for name in FILE_COLUMNS}


# --------------------------------------------------------------------------- formatting


def _write_csv(path: Path, header: tuple[str, ...], columns: dict[str, list[str]]) -> int:
    if tuple(columns) != header:
        raise AssertionError(f"{path.name}: columns {tuple(columns)} differ from {header}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise AssertionError(f"{path.name}: columns of unequal length {sorted(lengths)}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns.values(), strict=True))
    return lengths.pop()


def _dates(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]")).tolist()


def _timestamps(
    instants: np.ndarray, offsets: np.ndarray, missing: np.ndarray | None = None
) -> list[str]:
    """ISO-8601 text of UTC instants (seconds) shown at per-row offsets (minutes)."""
    instants = np.asarray(instants, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    shift = np.where(offsets == NO_OFFSET, 0, offsets) * 60
    text = np.datetime_as_string((instants + shift).astype("datetime64[s]"), unit="s")
    distinct = np.unique(offsets)
    suffix_of = np.array([_offset_suffix(int(value)) for value in distinct], dtype=object)
    suffixes = suffix_of[np.searchsorted(distinct, offsets)]
    result = [
        stamp + suffix for stamp, suffix in zip(text.tolist(), suffixes.tolist(), strict=True)
    ]
    if missing is not None:
        for index in np.flatnonzero(missing).tolist():
            result[index] = ""
    return result


def _offset_suffix(minutes: int) -> str:
    if minutes == NO_OFFSET:
        return ""
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _amounts(values: np.ndarray, missing: np.ndarray | None = None) -> list[str]:
    result = [f"{value:.2f}" for value in np.asarray(values, dtype=float).tolist()]
    if missing is not None:
        for index in np.flatnonzero(missing).tolist():
            result[index] = ""
    return result


def _integers(values: np.ndarray) -> list[str]:
    return [str(value) for value in np.asarray(values, dtype=np.int64).tolist()]


def _ids(prefix: str, numbers: np.ndarray, width: int = 8) -> np.ndarray:
    return np.array([f"{prefix}{number:0{width}d}" for number in numbers.tolist()], dtype=object)


def _deleted_flags(rng: np.random.Generator, deleted: np.ndarray) -> list[str]:
    # Exports from the CRM leave the flag empty on rows nobody ever touched.
    blank = rng.random(len(deleted)) < 0.3
    return np.where(deleted, "true", np.where(blank, "", "false")).tolist()


def _round_money(values: np.ndarray, currencies: np.ndarray) -> np.ndarray:
    unit = np.full(len(values), 0.01)
    for code, step in ROUNDING_UNIT.items():
        unit[currencies == code] = step
    # The second rounding removes binary noise such as 12.350000000000001.
    return np.round(np.round(np.asarray(values, dtype=float) / unit) * unit, 2)


def _google_customer_id(number: int) -> str:
    digits = f"{number:010d}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _lookup(ids_by_index: np.ndarray, indexes: np.ndarray) -> np.ndarray:
    """ids_by_index[indexes], with '' where the index is -1 (no reference)."""
    found = np.asarray(indexes) >= 0
    result = np.full(len(indexes), "", dtype=object)
    result[found] = ids_by_index[np.asarray(indexes)[found]]
    return result


# --------------------------------------------------------------------------- calendar


def _easter_sunday(year: int) -> int:
    """Gregorian Easter Sunday (anonymous algorithm), as a day number."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month = (h + weekday_shift - 7 * m + 114) // 31
    day = (h + weekday_shift - 7 * m + 114) % 31 + 1
    return _day(f"{year}-{month:02d}-{day:02d}")


def _target_holidays(years: range) -> list[int]:
    """Days the ECB publishes no reference rates (TARGET2 closing days)."""
    holidays: list[int] = []
    for year in years:
        easter = _easter_sunday(year)
        holidays += [
            _day(f"{year}-01-01"),
            easter - 2,
            easter + 1,
            _day(f"{year}-05-01"),
            _day(f"{year}-12-25"),
            _day(f"{year}-12-26"),
        ]
    return holidays


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def _last_sunday(year: int, month: int) -> int:
    next_month = _day(f"{year + month // 12}-{month % 12 + 1:02d}-01")
    last = next_month - 1
    return last - (int(_weekday(np.array([last]))[0]) - 6) % 7


# EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
_SUMMER_TIME = tuple(
    (
        _last_sunday(year, 3) * SECONDS_PER_DAY + 3_600,
        _last_sunday(year, 10) * SECONDS_PER_DAY + 3_600,
    )
    for year in range(2024, 2028)
)


def _zone_offsets(timezone: str | int, instants: np.ndarray) -> np.ndarray:
    if isinstance(timezone, int):
        return np.full(len(instants), timezone, dtype=np.int64)
    summer = np.zeros(len(instants), dtype=bool)
    for begin, end in _SUMMER_TIME:
        summer |= (instants >= begin) & (instants < end)
    winter_offset = 60 if timezone == "CET" else 0
    return winter_offset + 60 * summer.astype(np.int64)


# --------------------------------------------------------------------------- the drop


class _DropBuilder:
    """Builds the files in dependency order; each method returns formatted columns."""

    def __init__(self, scale: int, seed: int) -> None:
        self.scale = scale
        self.seed = seed
        self.launch_day = np.array([_day(p.launch) for p in PROJECTS], dtype=np.int64)
        self.project_codes = np.array([p.code for p in PROJECTS], dtype=object)
        self.local_currency = np.array([p.currency for p in PROJECTS], dtype=object)
        self.price_list_rate = {code: spec[0] for code, spec in CURRENCIES.items()}

    def _rng(self, part: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(part.encode())])

    def _to_currency(self, usd: np.ndarray, currencies: np.ndarray) -> np.ndarray:
        """USD amounts in each row's currency at the price-list rate (the 2024-10-01 rate)."""
        rate = np.array([self.price_list_rate[code] for code in currencies.tolist()])
        return np.asarray(usd, dtype=float) * rate

    # ---- time helpers

    def _local_offsets(self, project: np.ndarray, instants: np.ndarray) -> np.ndarray:
        offsets = np.zeros(len(instants), dtype=np.int64)
        for index, spec in enumerate(PROJECTS):
            rows = project == index
            if rows.any():
                offsets[rows] = _zone_offsets(spec.timezone, instants[rows])
        return offsets

    def _instants_from_local(
        self, project: np.ndarray, local_day: np.ndarray, seconds_of_day: np.ndarray
    ) -> np.ndarray:
        local_seconds = local_day * SECONDS_PER_DAY + seconds_of_day
        instants = local_seconds - self._local_offsets(project, local_seconds) * 60
        # A late-evening record in the Americas on the last day would fall on the next UTC
        # day and extend the data past its end; pull it back into the last UTC hour.
        late = instants > END_INSTANT
        instants[late] = END_INSTANT - 3_600 + instants[late] % 3_600
        return instants

    def _local_days(self, project: np.ndarray, instants: np.ndarray) -> np.ndarray:
        return (instants + self._local_offsets(project, instants) * 60) // SECONDS_PER_DAY

    def _display_offsets(
        self, style: np.ndarray, project: np.ndarray, instants: np.ndarray
    ) -> np.ndarray:
        """Offset each timestamp is written with: 0 local zone, 1 headquarters, 2 none (UTC)."""
        local = self._local_offsets(project, instants)
        return np.where(style == 0, local, np.where(style == 1, HQ_OFFSET_MINUTES, NO_OFFSET))

    @staticmethod
    def _styles(rng: np.random.Generator, n: int, p: tuple[float, float, float]) -> np.ndarray:
        return rng.choice(3, size=n, p=np.array(p))

    @staticmethod
    def _business_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
        """Seconds after local midnight: mostly office hours, some evening and night."""
        office = rng.random(n) < 0.75
        hours = np.where(
            office, np.clip(rng.normal(13.0, 3.0, n), 6.0, 22.5), rng.uniform(0.0, 24.0, n)
        )
        return np.minimum((hours * 3_600).astype(np.int64), SECONDS_PER_DAY - 1)

    # ---- fx_rates.csv, projects.csv

    def fx_rates(self) -> dict[str, list[str]]:
        rng = self._rng("fx")
        days = np.arange(FX_FIRST_DAY, END_DAY + 1)
        units: dict[str, np.ndarray] = {}
        for code in sorted(CURRENCIES):
            start, volatility, yearly_drift = CURRENCIES[code]
            shocks = rng.standard_normal(len(days)) * volatility
            drift = yearly_drift / 365.0
            log_level = np.empty(len(days))
            level = 0.0
            for t in range(len(days)):
                # Mild pull back to the trend keeps two years of noise within plausible bands.
                level += drift + shocks[t] - 0.01 * (level - drift * t)
                log_level[t] = level
            units[code] = start * np.exp(log_level)

        weekday = _weekday(days) < 5
        years = range(2024, 2027)
        ecb_open = weekday & ~np.isin(days, _target_holidays(years))
        us_closed = [_day(f"{year}-01-01") for year in years] + [
            _day(f"{year}-12-25") for year in years
        ]
        usd_open = weekday & ~np.isin(days, us_closed)
        day_parts, base_parts, quote_parts, rate_parts = [], [], [], []
        for base, quotes, open_days in (
            ("EUR", ECB_QUOTES, ecb_open),
            ("USD", USD_PROVIDER_QUOTES, usd_open),
        ):
            for quote in quotes:
                day_parts.append(days[open_days])
                base_parts.append(np.full(int(open_days.sum()), base, dtype=object))
                quote_parts.append(np.full(int(open_days.sum()), quote, dtype=object))
                rate_parts.append(units[quote][open_days] / units[base][open_days])
        day_all = np.concatenate(day_parts)
        base_all = np.concatenate(base_parts)
        quote_all = np.concatenate(quote_parts)
        rate_all = np.concatenate(rate_parts)
        order = np.lexsort((quote_all.astype(str), base_all.astype(str), day_all))
        return {
            "date": _dates(day_all[order]),
            "base_currency": base_all[order].tolist(),
            "quote_currency": quote_all[order].tolist(),
            "rate": [f"{rate:.6g}" for rate in rate_all[order].tolist()],
        }

    def projects(self) -> dict[str, list[str]]:
        return {
            "project_code": [p.code for p in PROJECTS],
            "project_name": [p.name for p in PROJECTS],
            "region": [p.region for p in PROJECTS],
            "country_code": [p.country_code for p in PROJECTS],
            "launch_date": [p.launch for p in PROJECTS],
            "target_roi": [p.target_roi for p in PROJECTS],
        }

    # ---- ad_spend.csv

    def _campaigns(self) -> None:
        rng = self._rng("campaigns")
        rows: list[tuple] = []
        used_ids: set[str] = set()

        def fresh_id(make: Callable[[], str]) -> str:
            value = make()
            while value in used_ids:
                value = make()
            used_ids.add(value)
            return value

        id_makers = {
            "google_ads": lambda: str(int(rng.integers(10_000_000_000, 23_000_000_000))),
            "meta_ads": lambda: "1202" + f"{int(rng.integers(10**13, 10**14)):014d}",
            "linkedin_ads": lambda: str(int(rng.integers(300_000_000, 700_000_000))),
        }
        account_makers = {
            "google_ads": lambda: _google_customer_id(int(rng.integers(10**9, 10**10))),
            "meta_ads": lambda: f"act_{int(rng.integers(10**14, 10**15))}",
            "linkedin_ads": lambda: str(int(rng.integers(500_000_000, 520_000_000))),
        }
        for project_index, spec in enumerate(PROJECTS):
            launch = int(self.launch_day[project_index])
            for platform_index, platform in enumerate(PLATFORMS):
                currency = spec.ad_currencies[platform_index]
                count = spec.campaigns[platform_index] * self.scale
                if currency is None or count == 0:
                    continue
                # A platform account rarely holds more than a dozen live campaigns.
                accounts = [
                    fresh_id(account_makers[platform]) for _ in range(1 + (count - 1) // 12)
                ]
                templates = CAMPAIGN_TEMPLATES[platform]
                for k in range(count):
                    name, budget_multiplier, ctr = templates[k % len(templates)]
                    variant = k // len(templates)
                    label = name.format(
                        product=PRODUCTS[(variant + project_index + k) % len(PRODUCTS)],
                        audience=AUDIENCES[(variant + project_index + k) % len(AUDIENCES)],
                    )
                    campaign_name = f"[{spec.code}] {label} | {spec.country_code}"
                    if variant >= 1:
                        campaign_name += f" | v{variant + 1}"
                    # The first campaign of each platform goes live at launch; the others
                    # follow as the team learns what works.
                    start = launch if k == 0 else launch + int(rng.integers(0, 150))
                    start = min(start, END_DAY - 30)
                    end = END_DAY
                    if rng.random() < 0.25 and END_DAY - start > 150:
                        end = start + int(rng.integers(120, END_DAY - start))
                    pauses = []
                    for _ in range(int(rng.choice(3, p=[0.45, 0.35, 0.2]))):
                        pause_start = int(rng.integers(start, end + 1))
                        pauses.append((pause_start, pause_start + int(rng.integers(7, 46))))
                    pauses += [(0, -1)] * (2 - len(pauses))
                    rows.append(
                        (
                            platform_index,
                            accounts[k % len(accounts)],
                            fresh_id(id_makers[platform]),
                            campaign_name,
                            project_index,
                            currency,
                            PLATFORM_BUDGET_USD[platform_index]
                            * budget_multiplier
                            * spec.budget_factor
                            * float(rng.lognormal(0.0, 0.3)),
                            PLATFORM_CPC_USD[platform_index]
                            * spec.cpc_factor
                            * float(rng.lognormal(0.0, 0.2)),
                            ctr * float(rng.lognormal(0.0, 0.15)),
                            PLATFORM_LEAD_RATE[platform_index]
                            * spec.lead_rate_factor
                            * float(rng.lognormal(0.0, 0.2)),
                            start,
                            end,
                            pauses[0],
                            pauses[1],
                        )
                    )
        # File order is (date, platform, account, campaign): sort campaigns once here.
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        self.campaign_platform = np.array([row[0] for row in rows], dtype=np.int64)
        self.campaign_account = np.array([row[1] for row in rows], dtype=object)
        self.campaign_id = np.array([row[2] for row in rows], dtype=object)
        self.campaign_name = np.array([row[3] for row in rows], dtype=object)
        self.campaign_project = np.array([row[4] for row in rows], dtype=np.int64)
        self.campaign_currency = np.array([row[5] for row in rows], dtype=object)
        self.campaign_budget_usd = np.array([row[6] for row in rows])
        self.campaign_cpc_usd = np.array([row[7] for row in rows])
        self.campaign_ctr = np.array([row[8] for row in rows])
        self.campaign_lead_rate = np.array([row[9] for row in rows])
        self.campaign_start = np.array([row[10] for row in rows], dtype=np.int64)
        self.campaign_end = np.array([row[11] for row in rows], dtype=np.int64)
        self.campaign_pauses = np.array([[row[12], row[13]] for row in rows], dtype=np.int64)

    def ad_spend(self) -> dict[str, list[str]]:
        self._campaigns()
        rng = self._rng("ad_spend")
        days = np.arange(START_DAY, END_DAY + 1)
        live = (days[None, :] >= self.campaign_start[:, None]) & (
            days[None, :] <= self.campaign_end[:, None]
        )
        for pause in range(2):
            begin = self.campaign_pauses[:, pause, 0][:, None]
            end = self.campaign_pauses[:, pause, 1][:, None]
            live &= ~((days[None, :] >= begin) & (days[None, :] <= end))
        day_index, campaign = np.nonzero(live.T)
        day = days[day_index]
        platform = self.campaign_platform[campaign]
        project = self.campaign_project[campaign]
        n = len(day)

        age = day - self.campaign_start[campaign]
        ramp_up = np.minimum(1.0, 0.4 + 0.6 * age / 45.0)
        weekend = _weekday(day) >= 5
        weekday_factor = np.where(weekend, PLATFORM_WEEKEND[platform], 1.0)
        calendar = day.astype("datetime64[D]")
        month = calendar.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day_of_month = (calendar - calendar.astype("datetime64[M]")).astype(np.int64) + 1
        holidays = ((month == 12) & (day_of_month >= 20)) | ((month == 1) & (day_of_month <= 3))
        season = np.where(holidays, 0.55, 1.0)
        years_live = (day - self.launch_day[project]) / 365.0
        growth = np.clip(0.85 + 0.35 * years_live, 0.85, 1.3)
        spend_usd = (
            self.campaign_budget_usd[campaign]
            * ramp_up
            * weekday_factor
            * season
            * growth
            * rng.lognormal(0.0, 0.22, n)
        )
        currency = self.campaign_currency[campaign]
        spend = _round_money(self._to_currency(spend_usd, currency), currency)
        cpc = self.campaign_cpc_usd[campaign] * rng.lognormal(0.0, 0.15, n)
        expected_clicks = spend_usd / cpc
        clicks = rng.poisson(expected_clicks)
        impressions = np.maximum(rng.poisson(expected_clicks / self.campaign_ctr[campaign]), clicks)
        self.ad_day = day
        self.ad_campaign = campaign
        self.ad_clicks = clicks
        return {
            "date": _dates(day),
            "platform": np.array(PLATFORMS, dtype=object)[platform].tolist(),
            "account_id": self.campaign_account[campaign].tolist(),
            "campaign_id": self.campaign_id[campaign].tolist(),
            "campaign_name": self.campaign_name[campaign].tolist(),
            "project_code": self.project_codes[project].tolist(),
            "currency": currency.tolist(),
            "spend": _amounts(spend),
            "impressions": _integers(impressions),
            "clicks": _integers(clicks),
        }

    # ---- CRM

    def crm(self) -> dict[str, dict[str, list[str]]]:
        self._leads()
        self._accounts()
        self._opportunities()
        self._orders()
        self._activities()
        self._tickets()
        return {
            "crm_leads.csv": self._leads_file(),
            "crm_accounts.csv": self._accounts_file(),
            "crm_opportunities.csv": self._opportunities_file(),
            "crm_orders.csv": self._orders_file(),
            "crm_activities.csv": self._activities_file(),
            "crm_tickets.csv": self._tickets_file(),
        }

    def _lead_countries(self, rng: np.random.Generator, project: np.ndarray) -> np.ndarray:
        countries = np.full(len(project), "", dtype=object)
        for index, spec in enumerate(PROJECTS):
            rows = np.flatnonzero(project == index)
            codes = np.array([code for code, _ in spec.lead_countries], dtype=object)
            weights = np.array([weight for _, weight in spec.lead_countries])
            countries[rows] = codes[
                rng.choice(len(codes), size=len(rows), p=weights / weights.sum())
            ]
        countries[rng.random(len(project)) < 0.05] = ""  # web forms without a country field
        return countries

    def _leads(self) -> None:
        rng = self._rng("leads")
        # Paid leads: each ad day's clicks turn into form fills at the campaign's lead rate,
        # dated on the ad account's local day.
        per_ad_day = rng.poisson(self.ad_clicks * self.campaign_lead_rate[self.ad_campaign])
        ad_rows = np.repeat(np.arange(len(per_ad_day)), per_ad_day)
        campaign = self.ad_campaign[ad_rows]
        projects = [self.campaign_project[campaign]]
        channels = [self.campaign_platform[campaign]]
        local_days = [self.ad_day[ad_rows]]
        campaign_ids = [self.campaign_id[campaign]]

        # Unpaid leads: search traffic ramps up over months, referrals need customers first.
        for index, spec in enumerate(PROJECTS):
            days = np.arange(self.launch_day[index], END_DAY + 1)
            age = days - self.launch_day[index]
            weekday_factor = np.where(_weekday(days) >= 5, 0.4, 1.0)
            for channel, daily_rate, ramp_days in (
                (CHANNELS.index("organic"), 0.22, 180),
                (CHANNELS.index("referral"), 0.07, 365),
                (CHANNELS.index("direct"), 0.04, 90),
            ):
                rate = daily_rate * self.scale * np.minimum(1.0, (age + 1) / ramp_days)
                counts = rng.poisson(rate * weekday_factor)
                local_days.append(np.repeat(days, counts))
                projects.append(np.full(int(counts.sum()), index))
                channels.append(np.full(int(counts.sum()), channel))
                campaign_ids.append(np.full(int(counts.sum()), "", dtype=object))
            # Trade show badge scans, imported over the show days and a few days after.
            for show in spec.trade_shows:
                first = _day(show)
                if not self.launch_day[index] <= first <= END_DAY:
                    continue
                count = int(rng.poisson(16 * self.scale))
                show_days = (
                    first + rng.integers(0, 3, count) + rng.choice([0, 0, 0, 1, 2, 4], size=count)
                )
                local_days.append(np.minimum(show_days, END_DAY))
                projects.append(np.full(count, index))
                channels.append(np.full(count, CHANNELS.index("event")))
                campaign_ids.append(np.full(count, "", dtype=object))

        project = np.concatenate(projects).astype(np.int64)
        channel = np.concatenate(channels).astype(np.int64)
        local_day = np.concatenate(local_days).astype(np.int64)
        n = len(project)
        created = self._instants_from_local(project, local_day, self._business_seconds(rng, n))
        deleted = rng.random(n) < 0.025  # spam and duplicates removed by sales ops
        followups = rng.choice(len(FOLLOWUP_COUNT_P), size=n, p=FOLLOWUP_COUNT_P)
        followups[deleted] = 0
        quality = FOLLOWUP_CONVERT[np.minimum(followups, 3)] * CONVERT_FACTOR[channel]
        converted = (rng.random(n) < np.minimum(quality, 0.9)) & ~deleted
        lag_days = rng.lognormal(np.log(6.0), 0.8, n) + 0.2
        converted_at = created + (lag_days * SECONDS_PER_DAY).astype(np.int64)
        converted &= converted_at <= END_INSTANT - 7 * SECONDS_PER_DAY

        self.lead_project = project
        self.lead_channel = channel
        self.lead_created = created
        self.lead_campaign_id = np.concatenate(campaign_ids)
        self.lead_country = self._lead_countries(rng, project)
        self.lead_deleted = deleted
        self.lead_followups = followups
        self.lead_converted = converted
        self.lead_converted_at = np.where(converted, converted_at, -1)
        self.lead_style = self._styles(rng, n, (0.55, 0.30, 0.15))
        self.lead_account = np.full(n, -1, dtype=np.int64)  # filled by _accounts

    def _accounts(self) -> None:
        rng = self._rng("accounts")
        source_lead = np.flatnonzero(self.lead_converted)
        project = [self.lead_project[source_lead]]
        created = [self.lead_converted_at[source_lead]]
        channel = [self.lead_channel[source_lead]]
        country = self.lead_country[source_lead].copy()
        no_country = country == ""
        country[no_country] = np.where(
            rng.random(int(no_country.sum())) < 0.6,
            np.array([p.country_code for p in PROJECTS], dtype=object)[
                self.lead_project[source_lead][no_country]
            ],
            "",
        )
        countries = [country]
        # Accounts sales opens without a lead: distributor introductions, walk-ins, tenders.
        for index, spec in enumerate(PROJECTS):
            first = int(self.launch_day[index]) + 20
            months = (END_DAY - first) / 30.4
            count = int(rng.poisson(1.0 * self.scale * months))
            days = rng.integers(first, END_DAY - 6, count)
            project.append(np.full(count, index))
            created.append(
                self._instants_from_local(
                    np.full(count, index), days, self._business_seconds(rng, count)
                )
            )
            channel.append(np.full(count, CHANNELS.index("direct")))
            countries.append(
                np.where(rng.random(count) < 0.97, spec.country_code, "").astype(object)
            )
        lead_of_account = np.concatenate(
            [source_lead, np.full(sum(len(c) for c in created[1:]), -1)]
        ).astype(np.int64)
        project_all = np.concatenate(project).astype(np.int64)
        n = len(project_all)
        self.account_project = project_all
        self.account_created = np.concatenate(created).astype(np.int64)
        self.account_channel = np.concatenate(channel).astype(np.int64)
        self.account_country = np.concatenate(countries).astype(object)
        self.account_lead = lead_of_account
        self.account_industry = np.array(INDUSTRIES, dtype=object)[
            rng.choice(len(INDUSTRIES), size=n, p=INDUSTRY_P)
        ]
        self.account_industry[rng.random(n) < 0.05] = ""
        # A few real accounts are erased on request; duplicates are added (deleted) below.
        self.account_deleted = rng.random(n) < 0.005
        self.account_duplicate_of = np.full(n, -1, dtype=np.int64)
        self.account_size = rng.lognormal(0.0, 0.55, n)
        self.account_currency = self.local_currency[project_all].copy()
        for index, spec in enumerate(PROJECTS):
            if spec.usd_order_share:
                rows = np.flatnonzero(project_all == index)
                self.account_currency[rows[rng.random(len(rows)) < spec.usd_order_share]] = "USD"
        self.lead_account[source_lead] = np.arange(len(source_lead))
        self.account_style = self._styles(rng, n, (0.5, 0.35, 0.15))

        # Sales ops merge duplicates: the copy stays in the export, flagged deleted.
        originals = np.flatnonzero(rng.random(n) < 0.015)
        self._append_accounts(
            originals,
            self.account_created[originals]
            + rng.integers(600, 5 * SECONDS_PER_DAY, len(originals)),
        )

        # Some customers come back through a second lead that sales links to the account.
        returning = np.flatnonzero(
            (self.account_lead >= 0) & (rng.random(len(self.account_project)) < 0.02)
        )
        again = self.account_created[returning] + (
            rng.uniform(20, 300, len(returning)) * SECONDS_PER_DAY
        ).astype(np.int64)
        keep = again <= END_INSTANT
        returning, again = returning[keep], again[keep]
        count = len(returning)
        self.lead_project = np.concatenate([self.lead_project, self.account_project[returning]])
        self.lead_channel = np.concatenate(
            [
                self.lead_channel,
                rng.choice(
                    [
                        CHANNELS.index("organic"),
                        CHANNELS.index("referral"),
                        CHANNELS.index("direct"),
                    ],
                    size=count,
                ),
            ]
        )
        self.lead_created = np.concatenate([self.lead_created, again])
        self.lead_campaign_id = np.concatenate(
            [self.lead_campaign_id, np.full(count, "", dtype=object)]
        )
        self.lead_country = np.concatenate([self.lead_country, self.account_country[returning]])
        self.lead_deleted = np.concatenate([self.lead_deleted, np.zeros(count, dtype=bool)])
        self.lead_followups = np.concatenate([self.lead_followups, np.zeros(count, np.int64)])
        self.lead_converted = np.concatenate([self.lead_converted, np.ones(count, dtype=bool)])
        self.lead_converted_at = np.concatenate([self.lead_converted_at, again])
        self.lead_style = np.concatenate(
            [self.lead_style, self._styles(rng, count, (0.55, 0.3, 0.15))]
        )
        self.lead_account = np.concatenate([self.lead_account, returning])

    def _append_accounts(self, originals: np.ndarray, created: np.ndarray) -> None:
        count = len(originals)
        self.account_project = np.concatenate(
            [self.account_project, self.account_project[originals]]
        )
        self.account_created = np.concatenate([self.account_created, created])
        self.account_channel = np.concatenate(
            [self.account_channel, self.account_channel[originals]]
        )
        self.account_country = np.concatenate(
            [self.account_country, self.account_country[originals]]
        )
        self.account_lead = np.concatenate([self.account_lead, np.full(count, -1, np.int64)])
        self.account_industry = np.concatenate(
            [self.account_industry, self.account_industry[originals]]
        )
        self.account_deleted = np.concatenate([self.account_deleted, np.ones(count, dtype=bool)])
        self.account_duplicate_of = np.concatenate([self.account_duplicate_of, originals])
        self.account_size = np.concatenate([self.account_size, self.account_size[originals]])
        self.account_currency = np.concatenate(
            [self.account_currency, self.account_currency[originals]]
        )
        self.account_style = np.concatenate([self.account_style, self.account_style[originals]])

    def _opportunities(self) -> None:
        rng = self._rng("opportunities")
        real = np.flatnonzero(self.account_duplicate_of < 0)
        n = len(real)
        project = self.account_project[real]
        channel = self.account_channel[real]
        created = self.account_created[real] + rng.integers(0, 2 * SECONDS_PER_DAY, n)
        created = np.minimum(created, END_INSTANT - 3_600)
        won = (
            rng.random(n) < np.array([p.win_rate for p in PROJECTS])[project] * WIN_FACTOR[channel]
        )
        median_cycle = (
            np.array([p.sales_cycle_days for p in PROJECTS])[project]
            * CYCLE_FACTOR[channel]
            * np.where(won, 1.0, 0.65)
        )
        cycle_days = np.maximum(rng.lognormal(np.log(median_cycle), 0.45), 4.0)
        deal_usd = (
            np.array([p.deal_usd for p in PROJECTS])[project]
            * VALUE_FACTOR[channel]
            * self.account_size[real]
        )
        lead = self.account_lead[real]
        stale = rng.random(n) < 0.03  # stuck deals nobody closed in the CRM
        initial = {
            "account": real,
            "lead": lead,
            "created": created,
            "won": won,
            "cycle_days": cycle_days,
            "deal_usd": deal_usd,
            "stale": stale,
            "upsell": np.zeros(n, dtype=bool),
        }
        self._set_opportunities(rng, initial)

    def _set_opportunities(self, rng: np.random.Generator, batch: dict[str, np.ndarray]) -> None:
        """Derives stage, close time and amount of a batch of opportunities and stores it."""
        n = len(batch["account"])
        closed = batch["created"] + (batch["cycle_days"] * SECONDS_PER_DAY).astype(np.int64)
        is_open = (closed > END_INSTANT) | batch["stale"]
        progress = (END_INSTANT - batch["created"]) / (batch["cycle_days"] * SECONDS_PER_DAY)
        open_stage = np.select(
            [progress < 0.2, progress < 0.45, progress < 0.75], [0, 1, 2], default=3
        )
        open_stage = np.where(batch["stale"], rng.choice([2, 3], size=n), open_stage)
        stage = np.where(is_open, open_stage, np.where(batch["won"], WON, LOST))
        currency = self.account_currency[batch["account"]]
        amount = _round_money(
            self._to_currency(batch["deal_usd"] * rng.lognormal(0.0, 0.08, n), currency), currency
        )
        no_amount = ((stage <= 1) & (rng.random(n) < 0.4)) | (rng.random(n) < 0.02)
        last_touch = batch["created"] + (
            rng.random(n) * np.maximum(END_INSTANT - batch["created"], 0)
        ).astype(np.int64)
        updated = np.where(is_open, last_touch, closed + rng.integers(0, SECONDS_PER_DAY, n))
        fields = {
            "account": batch["account"],
            "lead": batch["lead"],
            "created": batch["created"],
            "closed": np.where(is_open, -1, closed),
            "stage": stage,
            "amount": amount,
            "currency": currency,
            "no_amount": no_amount,
            "updated": np.minimum(updated, EXTRACTED_AT),
            "deleted": np.zeros(n, dtype=bool),
            "upsell": batch["upsell"],
            "owner": self._owners(rng, self.account_project[batch["account"]]),
            "style": self._styles(rng, n, (0.5, 0.35, 0.15)),
        }
        if not hasattr(self, "opportunity"):
            self.opportunity = fields
        else:
            self.opportunity = {
                key: np.concatenate([self.opportunity[key], fields[key]]) for key in fields
            }

    def _owners(self, rng: np.random.Generator, project: np.ndarray) -> np.ndarray:
        reps_per_project = 2 + self.scale
        rep = rng.integers(1, reps_per_project + 1, len(project))
        owners = np.array(
            [f"U{p + 1}{r:04d}" for p, r in zip(project.tolist(), rep.tolist(), strict=True)],
            dtype=object,
        )
        # Headquarters key-account managers own some deals; a few are unassigned.
        hq = rng.random(len(project)) < 0.1
        owners[hq] = _ids("U0", rng.integers(1, 4, int(hq.sum())), width=4)
        owners[rng.random(len(project)) < 0.02] = ""
        return owners

    def _orders(self) -> None:
        rng = self._rng("orders")
        opp = self.opportunity
        winners = np.flatnonzero(opp["stage"] == WON)
        account = opp["account"][winners]
        project = self.account_project[account]
        first_instant = opp["closed"][winners] + rng.integers(0, 6 * SECONDS_PER_DAY, len(winners))
        first_day = self._local_days(project, first_instant)
        channel = self.account_channel[account]
        is_upsell = opp["upsell"][winners]

        # Repeat orders (spare parts, extensions) follow first orders until the customer churns.
        churn = np.clip(
            np.array([p.churn for p in PROJECTS])[project] * CHURN_FACTOR[channel], 0.05, 0.9
        )
        repeats = np.where(is_upsell, 0, np.minimum(rng.geometric(churn) - 1, 30))
        mean_gap = np.array([p.reorder_gap_days for p in PROJECTS])[project]
        gaps = np.maximum(rng.gamma(2.0, 1.0, (len(winners), 30)) * (mean_gap[:, None] / 2.0), 7.0)
        repeat_days = first_day[:, None] + np.cumsum(gaps.astype(np.int64), axis=1)
        has_repeat = (np.arange(30)[None, :] < repeats[:, None]) & (repeat_days <= END_DAY)
        owner_row, _ = np.nonzero(has_repeat)

        order_winner = np.concatenate([np.arange(len(winners)), owner_row])
        order_day = np.concatenate([first_day, repeat_days[has_repeat]])
        order_kind = np.concatenate([np.where(is_upsell, 2, 0), np.ones(len(owner_row), np.int64)])
        keep = order_day <= END_DAY
        order_winner, order_day, order_kind = order_winner[keep], order_day[keep], order_kind[keep]
        n = len(order_day)
        order_account = account[order_winner]
        order_project = project[order_winner]
        currency = self.account_currency[order_account]
        deal_amount = opp["amount"][winners][order_winner]
        amount = np.where(
            order_kind == 1,
            self._to_currency(
                np.array([p.deal_usd for p in PROJECTS])[order_project]
                * VALUE_FACTOR[self.account_channel[order_account]]
                * self.account_size[order_account]
                * 0.35
                * rng.lognormal(0.0, 0.35, n),
                currency,
            ),
            deal_amount * rng.lognormal(0.0, 0.03, n),
        )
        amount = _round_money(amount, currency)
        cogs_share = np.clip(
            rng.normal(np.array([p.cogs_ratio for p in PROJECTS])[order_project], 0.05), 0.40, 0.70
        )
        cancelled = rng.random(n) < np.where(order_kind == 1, 0.06, 0.04)
        placed = order_day * SECONDS_PER_DAY + rng.integers(6 * 3_600, 18 * 3_600, n)
        settle_days = np.where(cancelled, rng.uniform(1, 20, n), rng.uniform(0.2, 10, n))
        updated = np.minimum(
            placed + (settle_days * SECONDS_PER_DAY).astype(np.int64), EXTRACTED_AT
        )
        opportunity = np.where(order_kind == 1, -1, winners[order_winner])
        # Test orders keyed in by mistake, then deleted.
        mistakes = np.flatnonzero(rng.random(n) < 0.004)
        self.order_account = np.concatenate([order_account, order_account[mistakes]])
        self.order_opportunity = np.concatenate([opportunity, np.full(len(mistakes), -1)])
        self.order_day = np.concatenate([order_day, order_day[mistakes]])
        self.order_amount = np.concatenate([amount, np.round(amount[mistakes] * 0.01, 0) + 1.0])
        self.order_cogs = np.concatenate(
            [_round_money(amount * cogs_share, currency), np.zeros(len(mistakes))]
        )
        self.order_currency = np.concatenate([currency, currency[mistakes]])
        self.order_cancelled = np.concatenate([cancelled, np.zeros(len(mistakes), dtype=bool)])
        self.order_deleted = np.concatenate(
            [np.zeros(n, dtype=bool), np.ones(len(mistakes), dtype=bool)]
        )
        self.order_updated = np.concatenate([updated, updated[mistakes] + 3_600])
        self.order_style = self._styles(rng, len(self.order_day), (0.4, 0.45, 0.15))

        counts = ~self.order_cancelled & ~self.order_deleted
        first_order_day = np.full(len(self.account_project), np.iinfo(np.int64).max)
        np.minimum.at(first_order_day, self.order_account[counts], self.order_day[counts])
        self.account_first_order_day = first_order_day
        self._upsells(rng)

    def _upsells(self, rng: np.random.Generator) -> None:
        """Expansion deals for existing customers, each won one adding a larger order."""
        customers = np.flatnonzero(
            (self.account_first_order_day < END_DAY) & (rng.random(len(self.account_project)) < 0.3)
        )
        created = self.account_first_order_day[customers] * SECONDS_PER_DAY + (
            rng.uniform(45, 365, len(customers)) * SECONDS_PER_DAY
        ).astype(np.int64)
        keep = created <= END_INSTANT - SECONDS_PER_DAY
        customers, created = customers[keep], created[keep]
        n = len(customers)
        project = self.account_project[customers]
        channel = self.account_channel[customers]
        start = len(self.opportunity["account"])
        self._set_opportunities(
            rng,
            {
                "account": customers,
                "lead": np.full(n, -1, np.int64),
                "created": created,
                "won": rng.random(n) < 0.65,
                "cycle_days": np.maximum(
                    rng.lognormal(
                        np.log(
                            0.6
                            * np.array([p.sales_cycle_days for p in PROJECTS])[project]
                            * CYCLE_FACTOR[channel]
                        ),
                        0.4,
                    ),
                    3.0,
                ),
                "deal_usd": np.array([p.deal_usd for p in PROJECTS])[project]
                * VALUE_FACTOR[channel]
                * self.account_size[customers]
                * 1.6
                * rng.lognormal(0.0, 0.2, n),
                "stale": np.zeros(n, dtype=bool),
                "upsell": np.ones(n, dtype=bool),
            },
        )
        won = start + np.flatnonzero(self.opportunity["stage"][start:] == WON)
        account = self.opportunity["account"][won]
        project = self.account_project[account]
        instant = self.opportunity["closed"][won] + rng.integers(0, 6 * SECONDS_PER_DAY, len(won))
        day = self._local_days(project, instant)
        keep = day <= END_DAY
        won, account, day = won[keep], account[keep], day[keep]
        n = len(won)
        currency = self.account_currency[account]
        amount = _round_money(
            self.opportunity["amount"][won] * rng.lognormal(0.0, 0.03, n), currency
        )
        cogs_share = np.clip(
            rng.normal(np.array([p.cogs_ratio for p in PROJECTS])[project[keep]], 0.05), 0.40, 0.70
        )
        cancelled = rng.random(n) < 0.04
        placed = day * SECONDS_PER_DAY + rng.integers(6 * 3_600, 18 * 3_600, n)
        settle_days = np.where(cancelled, rng.uniform(1, 20, n), rng.uniform(0.2, 10, n))
        self.order_account = np.concatenate([self.order_account, account])
        self.order_opportunity = np.concatenate([self.order_opportunity, won])
        self.order_day = np.concatenate([self.order_day, day])
        self.order_amount = np.concatenate([self.order_amount, amount])
        self.order_cogs = np.concatenate(
            [self.order_cogs, _round_money(amount * cogs_share, currency)]
        )
        self.order_currency = np.concatenate([self.order_currency, currency])
        self.order_cancelled = np.concatenate([self.order_cancelled, cancelled])
        self.order_deleted = np.concatenate([self.order_deleted, np.zeros(n, dtype=bool)])
        self.order_updated = np.concatenate(
            [
                self.order_updated,
                np.minimum(placed + (settle_days * SECONDS_PER_DAY).astype(np.int64), EXTRACTED_AT),
            ]
        )
        self.order_style = np.concatenate(
            [self.order_style, self._styles(rng, n, (0.4, 0.45, 0.15))]
        )

        # Duplicate opportunities keyed in twice and deleted (after the upsells exist, so
        # no order ever points at a duplicate).
        real = np.flatnonzero(rng.random(len(self.opportunity["account"])) < 0.015)
        copy = {key: values[real].copy() for key, values in self.opportunity.items()}
        n = len(real)
        copy["created"] = np.minimum(
            copy["created"] + rng.integers(300, 3 * SECONDS_PER_DAY, n), END_INSTANT - 60
        )
        copy["updated"] = np.minimum(
            copy["created"] + rng.integers(SECONDS_PER_DAY, 10 * SECONDS_PER_DAY, n), EXTRACTED_AT
        )
        copy["stage"] = np.zeros(n, dtype=np.int64)
        copy["closed"] = np.full(n, -1, np.int64)
        copy["no_amount"] = np.ones(n, dtype=bool)
        copy["deleted"] = np.ones(n, dtype=bool)
        self.opportunity = {
            key: np.concatenate([self.opportunity[key], copy[key]]) for key in self.opportunity
        }

    def _activities(self) -> None:
        rng = self._rng("activities")
        # Lead follow-ups happen before the account's first confirmed order (that is when the
        # metric stops counting them), or within weeks of the lead when it never bought.
        lead_index = np.repeat(np.arange(len(self.lead_created)), self.lead_followups)
        created = self.lead_created[lead_index]
        account = self.lead_account[lead_index]
        never = np.iinfo(np.int64).max
        first_order = np.where(
            account >= 0, self.account_first_order_day[np.maximum(account, 0)], never
        )
        bought = first_order < never
        horizon = np.where(account >= 0, 60, 40) * SECONDS_PER_DAY
        before_order = np.where(bought, first_order, 0) * SECONDS_PER_DAY - 60
        end = np.where(
            bought, np.minimum(before_order, created + 50 * SECONDS_PER_DAY), created + horizon
        )
        end = np.maximum(np.minimum(end, END_INSTANT), created)
        start = np.minimum(created + 600, end)
        occurred = start + (rng.random(len(start)) * (end - start)).astype(np.int64)
        occurred = self._office_hours(rng, self.lead_project[lead_index], occurred, start, end)
        project = self.lead_project[lead_index]
        kinds = np.full(len(lead_index), "", dtype=object)
        for index, spec in enumerate(PROJECTS):
            rows = np.flatnonzero(project == index)
            kinds[rows] = np.array(spec.followup_types, dtype=object)[
                rng.choice(len(spec.followup_types), size=len(rows))
            ]

        # Meetings, demos and proposals on live opportunities.
        opp = self.opportunity
        live = np.flatnonzero(~opp["deleted"])
        per_opp = np.minimum(1 + rng.poisson(1.5, len(live)), 6)
        opp_index = np.repeat(live, per_opp)
        opp_start = opp["created"][opp_index]
        opp_end = np.where(opp["closed"][opp_index] >= 0, opp["closed"][opp_index], END_INSTANT)
        opp_end = np.maximum(opp_end, opp_start)
        opp_occurred = opp_start + (rng.random(len(opp_index)) * (opp_end - opp_start)).astype(
            np.int64
        )
        opp_occurred = self._office_hours(
            rng, self.account_project[opp["account"][opp_index]], opp_occurred, opp_start, opp_end
        )
        opp_kinds = np.array(OPPORTUNITY_ACTIVITY_TYPES, dtype=object)[
            rng.choice(len(OPPORTUNITY_ACTIVITY_TYPES), size=len(opp_index))
        ]

        self.activity_lead = np.concatenate([lead_index, np.full(len(opp_index), -1)])
        self.activity_opportunity = np.concatenate([np.full(len(lead_index), -1), opp_index])
        self.activity_occurred = np.concatenate([occurred, opp_occurred])
        self.activity_project = np.concatenate(
            [project, self.account_project[opp["account"][opp_index]]]
        )
        self.activity_type = np.concatenate([kinds, opp_kinds])
        self.activity_type[rng.random(len(self.activity_type)) < 0.02] = ""
        self.activity_style = self._styles(rng, len(self.activity_type), (0.45, 0.45, 0.10))

        last_followup = self.lead_created.copy()
        np.maximum.at(last_followup, lead_index, occurred)
        self.lead_last_touch = last_followup

    def _office_hours(
        self,
        rng: np.random.Generator,
        project: np.ndarray,
        instants: np.ndarray,
        earliest: np.ndarray,
        latest: np.ndarray,
    ) -> np.ndarray:
        """Moves each activity to office hours of its local day if it stays in its window."""
        day = self._local_days(project, instants)
        moved = self._instants_from_local(project, day, self._business_seconds(rng, len(day)))
        return np.where((moved >= earliest) & (moved <= latest), moved, instants)

    def _tickets(self) -> None:
        rng = self._rng("tickets")
        confirmed = np.flatnonzero(~self.order_cancelled & ~self.order_deleted)
        per_order = rng.poisson(0.6, len(confirmed))
        source = np.repeat(confirmed, per_order)
        n = len(source)
        account = self.order_account[source]
        project = self.account_project[account]
        opened = (
            self.order_day[source] * SECONDS_PER_DAY
            + (rng.exponential(20.0, n) * SECONDS_PER_DAY).astype(np.int64)
            + rng.integers(0, SECONDS_PER_DAY, n)
        )
        keep = opened <= END_INSTANT
        account, project, opened = account[keep], project[keep], opened[keep]
        n = len(opened)
        # Support gets faster as the local team matures.
        maturity = np.clip((opened / SECONDS_PER_DAY - self.launch_day[project]) / 540.0, 0.0, 1.0)
        median_hours = np.array([p.resolution_hours for p in PROJECTS])[project] * (
            1 - 0.35 * maturity
        )
        hours = rng.lognormal(np.log(median_hours), 0.9)
        resolved = opened + (hours * 3_600).astype(np.int64)
        unresolved = (resolved > END_INSTANT) | (rng.random(n) < 0.02)
        score = np.clip(
            np.round(rng.normal(4.5 - 0.4 * np.log2(np.maximum(hours, 1.0) / 12.0), 1.0)), 1, 5
        ).astype(np.int64)
        answered = ~unresolved & (rng.random(n) < 0.65)
        order = np.lexsort((account, opened))
        self.ticket_account = account[order]
        self.ticket_project = project[order]
        self.ticket_opened = opened[order]
        self.ticket_resolved = resolved[order]
        self.ticket_unresolved = unresolved[order]
        self.ticket_score = np.where(answered, score, 0)[order]
        self.ticket_style = self._styles(rng, n, (0.5, 0.35, 0.15))

    # ---- CRM files (ids are assigned in creation order, as the CRM does)

    def _assign_ids(self) -> None:
        if hasattr(self, "lead_ids"):
            return
        lead_order = np.lexsort((np.arange(len(self.lead_created)), self.lead_created))
        self.lead_order = lead_order
        self.lead_ids = np.empty(len(lead_order), dtype=object)
        self.lead_ids[lead_order] = _ids("LD", np.arange(1, len(lead_order) + 1))
        account_order = np.lexsort((np.arange(len(self.account_created)), self.account_created))
        self.account_order = account_order
        self.account_ids = np.empty(len(account_order), dtype=object)
        self.account_ids[account_order] = _ids("AC", np.arange(1, len(account_order) + 1))
        created = self.opportunity["created"]
        opp_order = np.lexsort((np.arange(len(created)), created))
        self.opportunity_order = opp_order
        self.opportunity_ids = np.empty(len(opp_order), dtype=object)
        self.opportunity_ids[opp_order] = _ids("OP", np.arange(1, len(opp_order) + 1))

    def _leads_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        rng = self._rng("leads_file")
        n = len(self.lead_created)
        age_days = (END_INSTANT - self.lead_created) / SECONDS_PER_DAY
        k = self.lead_followups
        status = np.full(n, "", dtype=object)
        older = age_days >= 21
        status[~older] = np.where(k[~older] == 0, "New", "Working")
        pick = rng.random(n)
        status[older & (k == 0)] = np.where(pick[older & (k == 0)] < 0.6, "Unresponsive", "New")
        middle = older & (k >= 1) & (k <= 2)
        status[middle] = np.array(["Disqualified", "Unresponsive", "Nurturing"], dtype=object)[
            np.minimum((pick[middle] * 3).astype(np.int64), 2)
        ]
        keen = older & (k >= 3)
        status[keen] = np.array(["Nurturing", "Disqualified", "Lost to competitor"], dtype=object)[
            np.minimum((pick[keen] * 3).astype(np.int64), 2)
        ]
        # Headquarters staff label some leads in Chinese ("following up", "invalid lead").
        chinese = ~self.lead_converted & older & (rng.random(n) < 0.08)
        status[chinese] = np.where(rng.random(int(chinese.sum())) < 0.5, "跟进中", "无效线索")
        status[~self.lead_converted & (rng.random(n) < 0.03)] = ""
        status[self.lead_deleted] = np.where(
            rng.random(int(self.lead_deleted.sum())) < 0.5, "Spam", "Duplicate"
        )
        status[self.lead_converted] = "Converted"

        updated = np.where(self.lead_converted, self.lead_converted_at, self.lead_last_touch)
        touched_after_delete = self.lead_created + rng.integers(3_600, 10 * SECONDS_PER_DAY, n)
        updated = np.where(self.lead_deleted, touched_after_delete, updated)
        updated = np.minimum(np.maximum(updated, self.lead_created), EXTRACTED_AT)
        created_offsets = self._display_offsets(
            self.lead_style, self.lead_project, self.lead_created
        )
        updated_offsets = self._display_offsets(self.lead_style, self.lead_project, updated)
        converted_account = _lookup(self.account_ids, self.lead_account)
        converted_account[~self.lead_converted] = ""
        o = self.lead_order
        return {
            "lead_id": self.lead_ids[o].tolist(),
            "created_at": _timestamps(self.lead_created[o], created_offsets[o]),
            "updated_at": _timestamps(updated[o], updated_offsets[o]),
            "project_code": self.project_codes[self.lead_project[o]].tolist(),
            "channel": np.array(CHANNELS, dtype=object)[self.lead_channel[o]].tolist(),
            "campaign_id": self.lead_campaign_id[o].tolist(),
            "country_code": self.lead_country[o].tolist(),
            "status": status[o].tolist(),
            "converted_account_id": converted_account[o].tolist(),
            "is_deleted": _deleted_flags(rng, self.lead_deleted[o]),
        }

    def _accounts_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        rng = self._rng("accounts_file")
        n = len(self.account_created)
        first_order = self.account_first_order_day
        is_customer = first_order < np.iinfo(np.int64).max
        became_customer = np.where(is_customer, first_order, 0) * SECONDS_PER_DAY + 15 * 3_600
        edited = self.account_created + np.where(
            rng.random(n) < 0.5, (rng.uniform(0, 40, n) * SECONDS_PER_DAY).astype(np.int64), 0
        )
        updated = np.where(is_customer, became_customer, edited)
        updated = np.minimum(np.maximum(updated, self.account_created), EXTRACTED_AT)
        o = self.account_order
        created_offsets = self._display_offsets(
            self.account_style, self.account_project, self.account_created
        )
        updated_offsets = self._display_offsets(self.account_style, self.account_project, updated)
        return {
            "account_id": self.account_ids[o].tolist(),
            "created_at": _timestamps(self.account_created[o], created_offsets[o]),
            "updated_at": _timestamps(updated[o], updated_offsets[o]),
            "project_code": self.project_codes[self.account_project[o]].tolist(),
            "country_code": self.account_country[o].tolist(),
            "industry": self.account_industry[o].tolist(),
            "is_deleted": _deleted_flags(rng, self.account_deleted[o]),
        }

    def _opportunities_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        rng = self._rng("opportunities_file")
        opp = self.opportunity
        o = self.opportunity_order
        project = self.account_project[opp["account"]]
        created_offsets = self._display_offsets(opp["style"], project, opp["created"])
        updated_offsets = self._display_offsets(opp["style"], project, opp["updated"])
        closed = np.maximum(opp["closed"], 0)
        closed_offsets = self._display_offsets(opp["style"], project, closed)
        currency = np.where(opp["no_amount"], "", opp["currency"]).astype(object)
        return {
            "opportunity_id": self.opportunity_ids[o].tolist(),
            "account_id": self.account_ids[opp["account"][o]].tolist(),
            "lead_id": _lookup(self.lead_ids, opp["lead"][o]).tolist(),
            "created_at": _timestamps(opp["created"][o], created_offsets[o]),
            "updated_at": _timestamps(opp["updated"][o], updated_offsets[o]),
            "stage": np.array(STAGES, dtype=object)[opp["stage"][o]].tolist(),
            "amount": _amounts(opp["amount"][o], missing=opp["no_amount"][o]),
            "currency": currency[o].tolist(),
            "closed_at": _timestamps(closed[o], closed_offsets[o], missing=opp["closed"][o] < 0),
            "owner_id": opp["owner"][o].tolist(),
            "is_deleted": _deleted_flags(rng, opp["deleted"][o]),
        }

    def _orders_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        rng = self._rng("orders_file")
        n = len(self.order_day)
        o = np.lexsort((np.arange(n), self.order_day))
        ids = _ids("SO", np.arange(1, n + 1))
        project = self.account_project[self.order_account]
        offsets = self._display_offsets(self.order_style, project, self.order_updated)
        return {
            "order_id": ids.tolist(),
            "account_id": self.account_ids[self.order_account[o]].tolist(),
            "opportunity_id": _lookup(self.opportunity_ids, self.order_opportunity[o]).tolist(),
            "order_date": _dates(self.order_day[o]),
            "updated_at": _timestamps(self.order_updated[o], offsets[o]),
            "status": np.where(self.order_cancelled[o], CANCELLED, CONFIRMED).tolist(),
            "amount": _amounts(self.order_amount[o]),
            "cost_of_goods": _amounts(self.order_cogs[o]),
            "currency": self.order_currency[o].tolist(),
            "is_deleted": _deleted_flags(rng, self.order_deleted[o]),
        }

    def _activities_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        n = len(self.activity_occurred)
        o = np.lexsort((np.arange(n), self.activity_occurred))
        offsets = self._display_offsets(
            self.activity_style, self.activity_project, self.activity_occurred
        )
        return {
            "activity_id": _ids("AT", np.arange(1, n + 1)).tolist(),
            "lead_id": _lookup(self.lead_ids, self.activity_lead[o]).tolist(),
            "opportunity_id": _lookup(self.opportunity_ids, self.activity_opportunity[o]).tolist(),
            "occurred_at": _timestamps(self.activity_occurred[o], offsets[o]),
            "activity_type": self.activity_type[o].tolist(),
        }

    def _tickets_file(self) -> dict[str, list[str]]:
        self._assign_ids()
        n = len(self.ticket_opened)
        opened_offsets = self._display_offsets(
            self.ticket_style, self.ticket_project, self.ticket_opened
        )
        resolved_offsets = self._display_offsets(
            self.ticket_style, self.ticket_project, self.ticket_resolved
        )
        return {
            "ticket_id": _ids("TK", np.arange(1, n + 1)).tolist(),
            "account_id": self.account_ids[self.ticket_account].tolist(),
            "opened_at": _timestamps(self.ticket_opened, opened_offsets),
            "resolved_at": _timestamps(
                self.ticket_resolved, resolved_offsets, missing=self.ticket_unresolved
            ),
            "satisfaction": [str(s) if s else "" for s in self.ticket_score.tolist()],
        }

    # ---- erp_costs.csv

    def erp_costs(self) -> dict[str, list[str]]:
        rng = self._rng("erp")
        lines = _CostLines()
        scale = self.scale
        first_month = np.datetime64(START_DAY, "D").astype("datetime64[M]")
        last_month = np.datetime64(END_DAY, "D").astype("datetime64[M]")
        months = np.arange(first_month, last_month + 1)
        revenue = self._monthly_revenue()
        for index, spec in enumerate(PROJECTS):
            local = spec.currency
            launch_month = np.datetime64(spec.launch).astype("datetime64[M]")
            show_months = {
                np.datetime64(show).astype("datetime64[M]") - 1 for show in spec.trade_shows
            }
            for month in months:
                since_launch = int((month - launch_month).astype(np.int64))
                if since_launch < -2:
                    continue
                first = max(int(month.astype("datetime64[D]").astype(np.int64)), START_DAY)
                last = min(int((month + 1).astype("datetime64[D]").astype(np.int64)) - 1, END_DAY)
                live = since_launch >= 0

                def some_days(count: int, first: int = first, last: int = last) -> np.ndarray:
                    return rng.integers(first, last + 1, count)

                if since_launch <= 3:
                    count = int(rng.poisson(1.2 * scale))
                    lines.add(
                        index,
                        some_days(count),
                        "market_research",
                        rng.uniform(3_000, 14_000, count),
                        rng.choice(["CNY", "CNY", "USD", local], size=count),
                        rng.integers(3, 26, count),
                    )
                if since_launch >= -1:
                    count = int(rng.poisson((1.3 if since_launch <= 6 else 0.25) * scale))
                    lines.add(
                        index,
                        some_days(count),
                        "localization",
                        rng.lognormal(np.log(2_500), 0.6, count),
                        rng.choice(
                            ["CNY", "EUR" if local == "EUR" else "USD", local, local], size=count
                        ),
                        rng.integers(3, 26, count),
                    )
                # Headquarters staff seconded to the project, paid in CNY.
                hq_staff = scale + scale // 2
                lines.add(
                    index,
                    np.full(hq_staff, last),
                    "salaries",
                    rng.uniform(3_100, 5_600, hq_staff),
                    np.full(hq_staff, "CNY"),
                    rng.integers(1, 5, hq_staff),
                )
                hq_trips = int(rng.poisson((1.6 if since_launch <= 3 else 0.8) * scale))
                lines.add(
                    index,
                    some_days(hq_trips),
                    "travel",
                    rng.uniform(900, 3_600, hq_trips),
                    np.full(hq_trips, "CNY"),
                    rng.integers(5, 30, hq_trips),
                )
                content = int(rng.poisson(0.8 * scale))
                lines.add(
                    index,
                    some_days(content),
                    "marketing",
                    rng.uniform(700, 4_200, content),
                    np.full(content, "CNY"),
                    rng.integers(3, 20, content),
                )
                if not live:
                    continue
                staff = max(1, round(scale * spec.headcount * min(1.0, (since_launch + 1) / 9)))
                lines.add(
                    index,
                    np.full(staff, last),
                    "salaries",
                    spec.salary_usd * rng.lognormal(0.0, 0.15, staff),
                    np.full(staff, local),
                    rng.integers(1, 5, staff),
                )
                local_trips = int(rng.poisson(1.2 * scale))
                lines.add(
                    index,
                    some_days(local_trips),
                    "travel",
                    rng.uniform(150, 1_500, local_trips),
                    np.full(local_trips, local),
                    rng.integers(3, 25, local_trips),
                )
                if since_launch >= 1:
                    lines.add(
                        index,
                        np.full(scale, first),
                        "office",
                        spec.rent_usd * rng.uniform(0.97, 1.03, scale),
                        np.full(scale, local),
                        rng.integers(0, 4, scale) + 1,
                    )
                lines.add(
                    index,
                    np.full(scale, last),
                    "marketing",
                    rng.uniform(1_500, 3_200, scale),
                    np.full(scale, local),
                    rng.integers(5, 20, scale),
                )
                if month in show_months:
                    lines.add(
                        index,
                        some_days(scale),
                        "marketing",
                        rng.uniform(12_000, 30_000, scale),
                        rng.choice([local, "EUR", "USD"], size=scale),
                        rng.integers(3, 20, scale),
                    )
                seats = staff + hq_staff
                lines.add(
                    index,
                    np.array([first]),
                    "sales",
                    np.array([28.0 * seats]),
                    np.array(["CNY"]),
                    np.array([2]),
                )
                for currency, amount in revenue.get((index, month), {}).items():
                    # Sales commission: 4% of the month's confirmed revenue.
                    lines.add(
                        index,
                        np.array([last]),
                        "sales",
                        np.array([0.04 * amount]),
                        np.array([currency]),
                        rng.integers(8, 16, 1),
                        in_currency=True,
                    )
                lines.add(
                    index,
                    np.array([last]),
                    "other",
                    rng.uniform(40, 120, 1) * scale,
                    np.array([local]),
                    np.array([1]),
                )
                legal = int(rng.poisson(0.6 * scale))
                lines.add(
                    index,
                    some_days(legal),
                    "other",
                    rng.uniform(500, 4_000, legal),
                    np.full(legal, local),
                    rng.integers(5, 30, legal),
                )
        return self._erp_file(rng, lines)

    def _monthly_revenue(self) -> dict[tuple[int, np.datetime64], dict[str, float]]:
        """Confirmed order amounts per (project, month), per currency."""
        counts = ~self.order_cancelled & ~self.order_deleted
        month = self.order_day[counts].astype("datetime64[D]").astype("datetime64[M]")
        project = self.account_project[self.order_account[counts]]
        currency = self.order_currency[counts].astype(str)
        keys, group = np.unique(
            np.rec.fromarrays([project, month.astype(np.int64), currency]), return_inverse=True
        )
        sums = np.bincount(group, weights=self.order_amount[counts], minlength=len(keys))
        totals: dict[tuple[int, np.datetime64], dict[str, float]] = {}
        for key, total in zip(keys.tolist(), sums.tolist(), strict=True):
            month_key = np.datetime64(int(key[1]), "M")
            totals.setdefault((int(key[0]), month_key), {})[str(key[2])] = total
        return totals

    def _erp_file(self, rng: np.random.Generator, lines: _CostLines) -> dict[str, list[str]]:
        project, day, category, amount, currency, lag = lines.arrays(self)
        n = len(day)
        # Finance in Shenzhen posts during its office hours, days after the cost date.
        posted = (day + lag) * SECONDS_PER_DAY + rng.integers(9 * 3_600, 19 * 3_600, n) - 8 * 3_600
        posted = np.minimum(posted, EXTRACTED_AT)
        offsets = np.where(rng.random(n) < 0.75, HQ_OFFSET_MINUTES, NO_OFFSET)
        category_rank = np.array([COST_CATEGORIES.index(c) for c in category.tolist()])
        o = np.lexsort((np.arange(n), category_rank, project, day))
        return {
            "cost_id": _ids("JE", np.arange(1, n + 1)).tolist(),
            "project_code": self.project_codes[project[o]].tolist(),
            "cost_date": _dates(day[o]),
            "category": category[o].tolist(),
            "amount": _amounts(amount[o]),
            "currency": currency[o].tolist(),
            "posted_at": _timestamps(posted[o], offsets[o]),
        }


class _CostLines:
    """ERP journal lines collected month by month, amounts in USD unless `in_currency`."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        project: int,
        days: np.ndarray,
        category: str,
        amounts: np.ndarray,
        currencies: np.ndarray,
        lag_days: np.ndarray,
        in_currency: bool = False,
    ) -> None:
        count = len(days)
        if count == 0:
            return
        self.parts.append(
            (
                np.full(count, project, np.int64),
                np.asarray(days, np.int64),
                np.full(count, category, dtype=object),
                np.asarray(amounts, float),
                np.asarray(currencies).astype(object),
                np.asarray(lag_days, np.int64),
                np.full(count, in_currency),
            )
        )

    def arrays(self, builder: _DropBuilder) -> tuple[np.ndarray, ...]:
        project, day, category, amount, currency, lag, in_currency = (
            np.concatenate(column) for column in zip(*self.parts, strict=True)
        )
        local_amount = np.where(in_currency, amount, builder._to_currency(amount, currency))
        return project, day, category, _round_money(local_amount, currency), currency, lag
