"""Local stand-ins for the ECB eurofxref folder and a fallback JSON rates provider."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

RESPONSES = Path(__file__).parent / "responses"

# The fallback provider's rates (units per 1 USD) on the days it publishes
FALLBACK_RATES: dict[str, dict[str, float]] = {
    "2026-02-20": {"NGN": 1510.25, "VND": 25380.0},
    "2026-02-23": {"NGN": 1512.5, "VND": 25391.0},
    "2026-02-25": {"NGN": 1498.75, "VND": 25405.0},
}
FALLBACK_API_KEY = "fx-provider-key-123"


def history_zip() -> bytes:
    """eurofxref-hist.zip as the ECB serves it: eurofxref-hist.csv inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(RESPONSES / "eurofxref-hist.csv", "eurofxref-hist.csv")
    return buffer.getvalue()


class FakeEcb:
    def __init__(self, prefix: str = "/ecb") -> None:
        self.prefix = prefix
        self.daily = "eurofxref-daily.xml"
        self.served: list[str] = []

    def install(self, server: HTTPServer) -> FakeEcb:
        for name in ("eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.zip"):
            server.expect_request(f"{self.prefix}/{name}", method="GET").respond_with_handler(
                lambda request, name=name: self._file(name)
            )
        return self

    @property
    def base_url(self) -> str:
        return self.prefix + "/"

    def _file(self, name: str) -> Response:
        self.served.append(name)
        if name == "eurofxref-hist.zip":
            return Response(history_zip(), content_type="application/zip")
        file_name = self.daily if name == "eurofxref-daily.xml" else name
        return Response((RESPONSES / file_name).read_bytes(), content_type="text/xml")


class FakeFallback:
    """A JSON rates API: /day/<date> answers one day, /series a range (base USD)."""

    def __init__(self, prefix: str = "/fallback", require_key: bool = True) -> None:
        self.prefix = prefix
        self.require_key = require_key
        self.requests: list[dict[str, str]] = []

    def install(self, server: HTTPServer) -> FakeFallback:
        server.expect_request(f"{self.prefix}/series", method="GET").respond_with_handler(
            self._series
        )
        for day in _calendar():
            server.expect_request(f"{self.prefix}/day/{day}", method="GET").respond_with_handler(
                lambda request, day=day: self._day(request, day)
            )
        return self

    def _authorised(self, request: Request) -> bool:
        return (
            not self.require_key
            or request.headers.get("Authorization") == f"Bearer {FALLBACK_API_KEY}"
        )

    def _series(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if not self._authorised(request):
            return _json(_load("fallback_error.json"))
        start, end = request.args["start_date"], request.args["end_date"]
        symbols = request.args["symbols"].split(",")
        answer = _load("fallback_timeseries.json")
        answer.update(start_date=start, end_date=end)
        answer["rates"] = {
            day: {c: v for c, v in rates.items() if c in symbols}
            for day, rates in FALLBACK_RATES.items()
            if start <= day <= end
        }
        return _json(answer)

    def _day(self, request: Request, day: str) -> Response:
        self.requests.append({"date": day, **request.args})
        if not self._authorised(request):
            return _json(_load("fallback_error.json"))
        # like most such APIs, a day without rates answers the last day before it that has
        published = max(d for d in FALLBACK_RATES if d <= day)
        answer = _load("fallback_day.json")
        answer.update(date=published, rates=copy.deepcopy(FALLBACK_RATES[published]))
        return _json(answer)


def _calendar() -> list[str]:
    first = dt.date(2026, 2, 20)
    return [(first + dt.timedelta(n)).isoformat() for n in range(15)]


def _load(name: str) -> dict[str, Any]:
    return json.loads((RESPONSES / name).read_text(encoding="utf-8"))


def _json(payload: Any) -> Response:
    return Response(json.dumps(payload), content_type="application/json")
