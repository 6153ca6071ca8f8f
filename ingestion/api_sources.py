"""The live API source of each source family, landing in the same raw tables as file drops."""

from __future__ import annotations

from collections.abc import Callable

from dlt.extract.source import DltSource

# Families whose data can only come from files (master data kept by the finance team).
FILE_ONLY = frozenset({"raw_reference"})


def _ads() -> DltSource:
    from .ad_platforms import ad_platforms_source

    return ad_platforms_source()


API_SOURCES: dict[str, Callable[[], DltSource]] = {
    "raw_ads": _ads,
}


def api_source(dataset: str) -> DltSource:
    """The configured live source of `dataset` (credentials from dlt secrets / environment)."""
    try:
        return API_SOURCES[dataset]()
    except KeyError:
        raise ValueError(f"{dataset} has no live API source; load it from the file drop") from None
