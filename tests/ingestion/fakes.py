"""Helpers for the fake provider APIs: recorded JSON responses served by pytest-httpserver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

AD_PLATFORMS = Path(__file__).parent / "ad_platforms"


def recorded(platform: str, name: str) -> Any:
    """A recorded response body: tests/ingestion/ad_platforms/<platform>/responses/<name>.json."""
    return json.loads((AD_PLATFORMS / platform / "responses" / f"{name}.json").read_text("utf-8"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )


def cut_off(response: Response) -> Response:
    """`response` as a dropped connection leaves it: status 200, the first half of the body."""
    body = response.get_data()
    return Response(body[: len(body) // 2], status=response.status_code,
                    content_type=response.content_type)  # fmt: skip


def seen(request: Request) -> dict[str, Any]:
    """What a test wants to check about a request once the server has answered it."""
    return {
        "path": request.path,
        "args": request.args.to_dict(flat=True),
        "query": request.query_string.decode(),
        "headers": dict(request.headers),
        "form": request.form.to_dict(flat=True),
        "json": request.get_json(silent=True),
    }
