"""The live connectors of each source family, landing in the same raw tables as file drops."""

from __future__ import annotations

from collections.abc import Callable

from dlt.extract.source import DltSource


def _ad_platforms() -> DltSource:
    from .ad_platforms import ad_platforms_source

    return ad_platforms_source()


def _fxiaoke() -> DltSource:
    from .fxiaoke import fxiaoke_source

    return fxiaoke_source()


def _netsuite() -> DltSource:
    from .netsuite import netsuite_source

    return netsuite_source()


def _erp_export() -> DltSource:
    from .erp_export import erp_export_source

    return erp_export_source()


def _ecb_fx() -> DltSource:
    from .ecb_fx import ecb_fx_source

    return ecb_fx_source()


# Live connectors per family (raw dataset); the first is what `api` means for that family.
# Project master data (raw_reference) has none: it always comes from the drop's projects.csv.
CONNECTORS: dict[str, dict[str, Callable[[], DltSource]]] = {
    "raw_ads": {"ad_platforms": _ad_platforms},
    "raw_crm": {"fxiaoke": _fxiaoke},
    "raw_erp": {"netsuite": _netsuite, "erp_export": _erp_export},
    "raw_fx": {"ecb_fx": _ecb_fx},
}


def default_connector(dataset: str) -> str:
    return next(iter(CONNECTORS[dataset]))


def api_source(dataset: str, connector: str) -> DltSource:
    """The live source `connector` of `dataset` (credentials from dlt secrets / environment)."""
    try:
        build = CONNECTORS[dataset][connector]
    except KeyError:
        raise ValueError(f"{dataset} has no live connector {connector!r}") from None
    return build()
