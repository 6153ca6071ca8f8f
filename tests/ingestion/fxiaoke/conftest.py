"""Fxiaoke tests throttle three times before answering: allow a fourth attempt."""

import pytest


@pytest.fixture(autouse=True)
def four_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "4")
