"""Download and parse ECB reference rates, the fallback provider's JSON and the rates file."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import decimal
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree

import pyarrow as pa
from dlt.sources.helpers.requests import Client

from foundation.errors import DropRejected
from foundation.redaction import redact_url

from ..file_contract import FileSpec
from ..files.validate import read_file
from ..http_retries import watched_client
from ..redaction import send
from .settings import (
    DAILY_FILE,
    DEFAULT_FALLBACK_API_KEY_HEADER,
    ECB_BASE_CURRENCY,
    ECB_NAMESPACE,
    HISTORY_CSV,
    HISTORY_ZIP,
    MISSING_VALUES,
    NINETY_DAY_FILE,
    NINETY_DAY_FILE_COVERS_DAYS,
)

Rate = tuple[dt.date, str, str, decimal.Decimal]  # date, base, quote, rate


class FxProviderError(RuntimeError):
    """An FX provider answered something unusable; the message names the provider and file."""


def today() -> dt.date:
    """Today in UTC (a function, so tests can move the calendar)."""
    return dt.datetime.now(dt.UTC).date()


def _http() -> Client:
    return watched_client("ecb_fx", raise_for_status=False)


def fetch(url: str, provider: str, headers: Mapping[str, str] | None = None) -> bytes:
    response = send(
        f"{provider}: GET {redact_url(url)}", _http().session.get, url, headers=dict(headers or {})
    )
    if response.status_code != 200:
        raise FxProviderError(
            f"{provider}: GET {redact_url(url)} answered HTTP {response.status_code}"
            + (" (still throttled after retries)" if response.status_code == 429 else "")
        )
    return response.content


def ecb_url(base_url: str, file_name: str) -> str:
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", file_name)


def _rate(text: str, where: str) -> decimal.Decimal:
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise FxProviderError(f"{where}: rate {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise FxProviderError(f"{where}: rate {text!r} is not a positive number")
    return value


def parse_ecb_xml(content: bytes, file_name: str) -> list[Rate]:
    """eurofxref-daily.xml / eurofxref-hist-90d.xml: gesmes:Envelope / Cube / Cube time= /
    Cube currency= rate=, rates in units of the currency per 1 EUR."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        raise FxProviderError(f"ECB {file_name} is not valid XML: {error}") from None
    cube = f"{{{ECB_NAMESPACE}}}Cube"
    rates: list[Rate] = []
    for day in root.iter(cube):
        if "time" not in day.attrib:
            continue
        date = dt.date.fromisoformat(day.attrib["time"])
        for quote in day.findall(cube):
            currency = quote.attrib.get("currency", "").strip().upper()
            rate = _rate(quote.attrib.get("rate", ""), f"ECB {file_name} {date} {currency}")
            rates.append((date, ECB_BASE_CURRENCY, currency, rate))
    if not rates:
        raise FxProviderError(f"ECB {file_name} holds no Cube time=... rates")
    return rates


def parse_ecb_history_zip(content: bytes, file_name: str, since: dt.date | None) -> list[Rate]:
    """eurofxref-hist.zip: eurofxref-hist.csv with `Date,USD,JPY,...,` (a trailing empty column)
    and N/A where a currency was not quoted that day. Rows dated before `since` are skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        text = archive.read(HISTORY_CSV).decode("utf-8-sig")
    except (zipfile.BadZipFile, KeyError) as error:
        raise FxProviderError(
            f"ECB {file_name}: no {HISTORY_CSV} in the archive ({error})"
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().upper() for name in next(reader, [])]
    if not header or header[0] != "DATE":
        raise FxProviderError(f"ECB {HISTORY_CSV}: the first column is not Date")
    rates: list[Rate] = []
    for line_number, row in enumerate(reader, start=2):
        if not row or not row[0].strip():
            continue
        date = dt.date.fromisoformat(row[0].strip())
        if since is not None and date < since:
            continue
        for currency, value in zip(header[1:], row[1:], strict=False):
            if not currency or value.strip() in MISSING_VALUES:
                continue
            where = f"ECB {HISTORY_CSV} line {line_number} {currency}"
            rates.append((date, ECB_BASE_CURRENCY, currency, _rate(value, where)))
    return rates


# --- the fallback provider -------------------------------------------------------------


def fallback_requests(
    url_template: str, symbols: Sequence[str], start: dt.date, end: dt.date
) -> list[str]:
    """The URLs to ask: one for the range if the template has {start_date}, else one a day."""
    values = {"symbols": ",".join(symbols)}
    if "{start_date}" in url_template:
        return [
            url_template.format(
                start_date=start.isoformat(),
                end_date=end.isoformat(),
                date=end.isoformat(),
                **values,
            )
        ]
    days = (end - start).days
    return [
        url_template.format(date=(start + dt.timedelta(n)).isoformat(), **values)
        for n in range(days + 1)
    ]


def parse_fallback(payload: Any, url: str, wanted: Iterable[str]) -> list[Rate]:
    """{base, date, rates: {CUR: rate}} or {base, rates: {date: {CUR: rate}}} -> rates."""
    where = f"FX fallback provider {redact_url(url)}"
    if not isinstance(payload, Mapping):
        raise FxProviderError(f"{where}: the answer is not a JSON object")
    if payload.get("success") is False or "error" in payload:
        detail = payload.get("error")
        if isinstance(detail, Mapping):
            detail = detail.get("info") or detail.get("message") or detail.get("type")
        raise FxProviderError(f"{where}: the provider reported an error: {detail}")
    base = str(payload.get("base") or payload.get("source") or "").strip().upper()
    rates = payload.get("rates")
    if len(base) != 3 or not isinstance(rates, Mapping):
        raise FxProviderError(
            f"{where}: expected {{base, date, rates}}, got keys {sorted(payload)}"
        )
    if not rates:
        return []  # e.g. a range with no published day in it: no date to check either
    wanted = {c.upper() for c in wanted}
    if all(isinstance(v, Mapping) for v in rates.values()):
        days = rates.items()
    else:
        if not payload.get("date"):
            raise FxProviderError(f"{where}: a one-day answer needs a date")
        days = [(payload["date"], rates)]
    result: list[Rate] = []
    for day, quotes in days:
        date = dt.date.fromisoformat(str(day)[:10])
        for currency, value in quotes.items():
            code = str(currency).strip().upper()
            if wanted and code not in wanted:
                continue
            result.append((date, base, code, _rate(str(value), f"{where} {date} {code}")))
    return result


def fetch_fallback(
    url_template: str,
    symbols: Sequence[str],
    start: dt.date,
    end: dt.date,
    api_key: str | None,
    api_key_header: str = DEFAULT_FALLBACK_API_KEY_HEADER,
) -> list[Rate]:
    headers = {}
    if api_key:
        headers[api_key_header] = (
            f"Bearer {api_key}" if api_key_header.lower() == "authorization" else api_key
        )
    rates: list[Rate] = []
    for url in fallback_requests(url_template, symbols, start, end):
        content = fetch(url, "FX fallback provider", headers)
        try:
            payload = json.loads(content)
        except ValueError:
            raise FxProviderError(
                f"FX fallback provider {redact_url(url)}: the answer is not JSON"
            ) from None
        rates.extend(parse_fallback(payload, url, symbols))
    return rates


# --- the finance team's rates file -------------------------------------------------------


def read_rates_file(path: Path, spec: FileSpec) -> pa.Table:
    """A CSV in the fx_rates.csv shape, validated by the file drop's own rules."""
    if not path.is_file():
        raise FxProviderError(f"FX rates file {path} does not exist (sources.ecb_fx rates_file)")
    table, problems = read_file(path.parent, dataclasses.replace(spec, file_name=path.name))
    if problems or table is None:
        raise DropRejected.of(str(path), problems)
    return table


def rate_rows(rates: Iterable[Rate], source_file: str) -> Iterator[dict[str, Any]]:
    for date, base, quote, rate in rates:
        yield {
            "date": date,
            "base_currency": base,
            "quote_currency": quote,
            "rate": rate,
            "_source_file": source_file,
            "_source_line": None,
        }


# --- which ECB files a run needs --------------------------------------------------------


def ecb_rates_since(
    base_url: str, last_loaded: dt.date | None, start: dt.date | None
) -> tuple[list[tuple[str, Rate]], dt.date | None]:
    """ECB rates newer than `last_loaded` (first run: from `start`), with the file each came
    from, and the newest date seen.

    Always reads the daily file. First run: the 90-day file when `start` is within its
    reach, else the history zip. Later runs: nothing more when the daily file is the next
    day, the 90-day file for a gap it covers, the history zip for a longer one.
    """
    daily = _ecb_daily(base_url)
    latest = max(date for date, *_ in daily)
    since = last_loaded + dt.timedelta(days=1) if last_loaded else start
    history: list[tuple[str, Rate]] = []
    if since is None or (latest - since).days >= 1:
        if since is not None and (latest - since).days <= NINETY_DAY_FILE_COVERS_DAYS:
            content = fetch(ecb_url(base_url, NINETY_DAY_FILE), "ECB")
            history = [(NINETY_DAY_FILE, r) for r in parse_ecb_xml(content, NINETY_DAY_FILE)]
        else:
            history = _ecb_history_zip(base_url, since)
    fresh = _combine_ecb_files(history, daily, since, None)
    newest = max((rate[0] for _, rate in fresh), default=last_loaded)
    return fresh, newest


def ecb_rates_between(base_url: str, first: dt.date, last: dt.date) -> list[tuple[str, Rate]]:
    """ECB rates dated first..last (inclusive), with the file each came from: a backfill.

    Always the history zip (every day since 1999) and the daily file, whatever the window:
    the file a rate is tagged with then depends on its date alone, so a period loaded month
    by month lands exactly the rows one window over the whole period does.
    """
    daily = _ecb_daily(base_url)
    return _combine_ecb_files(_ecb_history_zip(base_url, first), daily, first, last)


def _ecb_daily(base_url: str) -> list[Rate]:
    return parse_ecb_xml(fetch(ecb_url(base_url, DAILY_FILE), "ECB"), DAILY_FILE)


def _ecb_history_zip(base_url: str, since: dt.date | None) -> list[tuple[str, Rate]]:
    content = fetch(ecb_url(base_url, HISTORY_ZIP), "ECB")
    return [(HISTORY_ZIP, r) for r in parse_ecb_history_zip(content, HISTORY_ZIP, since)]


def _combine_ecb_files(
    history: list[tuple[str, Rate]],
    daily: list[Rate],
    since: dt.date | None,
    until: dt.date | None,
) -> list[tuple[str, Rate]]:
    """History and daily rates dated since..until (None: open), the daily file winning a
    (date, base, quote) both hold, in key order."""
    tagged: dict[tuple[dt.date, str, str], tuple[str, Rate]] = {}
    for file_name, rate in history:
        tagged[rate[:3]] = (file_name, rate)
    for rate in daily:
        tagged[rate[:3]] = (DAILY_FILE, rate)
    return sorted(
        (
            (file_name, rate)
            for file_name, rate in tagged.values()
            if (since is None or rate[0] >= since) and (until is None or rate[0] <= until)
        ),
        key=lambda item: item[1][:3],
    )
