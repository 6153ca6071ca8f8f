"""OAuth 1.0a signatures (RFC 5849) against published examples and an independent signer."""

from __future__ import annotations

import pytest

from ingestion.netsuite.helpers import (
    authorization_header,
    base_string_uri,
    sign,
    signature_base_string,
)

from .fake_netsuite import ACCOUNT_ID, CREDENTIALS, expected_signature, parse_authorization


def test_rfc_5849_base_string_example():
    # RFC 5849 section 3.4.1.1: query parameters, form body parameters and oauth_* parameters
    oauth = {
        "realm": "Example",
        "oauth_consumer_key": "9djdj82h48djs9d2",
        "oauth_token": "kkk9d7dh3k39sjv7",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "137131201",
        "oauth_nonce": "7d8f3e4a",
    }
    base = signature_base_string(
        "POST",
        "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        oauth,
        body_params=[("c2", ""), ("a3", "2 q")],
    )
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
        "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
        "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26"
        "oauth_token%3Dkkk9d7dh3k39sjv7"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X"),
        ("https://www.example.net:8080/?q=1", "https://www.example.net:8080/"),
        (
            "https://1234567-SB1.SuiteTalk.Api.NetSuite.com:443/services/rest",
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest",
        ),
    ],
    ids=["rfc-default-port", "rfc-other-port", "netsuite-host"],
)
def test_base_string_uri(url, expected):
    assert base_string_uri(url) == expected


def test_published_hmac_sha1_signature_example():
    # The widely published "creating a signature" walk-through (Twitter API docs)
    oauth = {
        "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "oauth_version": "1.0",
    }
    base = signature_base_string(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        oauth,
        body_params=[("status", "Hello Ladies + Gentlemen, a signed OAuth request!")],
    )
    signature = sign(
        base,
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        "HMAC-SHA1",
    )
    assert signature == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_netsuite_hmac_sha256_header_matches_an_independent_signer():
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=2000"
    header = authorization_header(
        "POST",
        url,
        realm=ACCOUNT_ID,
        nonce="4f2e8a91c0d3b7a6",
        timestamp=1767225600,
        **CREDENTIALS,
    )
    fields = parse_authorization(header)
    assert fields == {
        "realm": "1234567_SB1",
        "oauth_consumer_key": CREDENTIALS["consumer_key"],
        "oauth_token": CREDENTIALS["token_id"],
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": "1767225600",
        "oauth_nonce": "4f2e8a91c0d3b7a6",
        "oauth_version": "1.0",
        "oauth_signature": expected_signature("POST", url, fields),
    }
    # and the secrets themselves never appear in the header
    assert CREDENTIALS["consumer_secret"] not in header
    assert CREDENTIALS["token_secret"] not in header
