"""ingestion/http_retries.py: the cut-off predicate and the one parse of a JSON body."""

from __future__ import annotations

import io

import pytest
from requests import Response

from ingestion.http_retries import is_cut_off, json_body


def answer(status: int, body: bytes, monkeypatch) -> tuple[Response, list[int]]:
    response = Response()
    response.status_code, response.raw, response.encoding = status, io.BytesIO(body), "utf-8"
    parses: list[int] = []
    original = Response.json
    monkeypatch.setattr(Response, "json", lambda self: parses.append(1) or original(self))
    return response, parses


def test_a_whole_body_is_parsed_once_for_the_retry_check_and_the_caller(monkeypatch):
    response, parses = answer(200, b'{"items": [1, 2]}', monkeypatch)
    assert not is_cut_off(response)
    assert json_body(response) == {"items": [1, 2]}
    assert json_body(response) == {"items": [1, 2]}
    assert len(parses) == 1


def test_a_cut_off_body_is_retried_and_then_refused_without_parsing_again(monkeypatch):
    response, parses = answer(200, b'{"items": [1, ', monkeypatch)
    assert is_cut_off(response)
    with pytest.raises(ValueError, match="the body of the HTTP 200 answer is not JSON"):
        json_body(response)
    assert len(parses) == 1


def test_an_error_status_is_left_to_the_other_retry_rules(monkeypatch):
    response, parses = answer(500, b"<html>", monkeypatch)
    assert not is_cut_off(response)
    assert parses == []
