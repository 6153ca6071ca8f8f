"""The live connectors of each source family, landing in the same raw tables as file drops."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dlt.extract.source import DltSource

from .redaction import keep_url_secrets_out_of_dlt_traces
from .window import ExtractWindow

logger = logging.getLogger("ingestion.api_sources")


def _ad_platforms(window: ExtractWindow | None) -> DltSource:
    from .ad_platforms import ad_platforms_source

    return ad_platforms_source(window=window)


def _fxiaoke(window: ExtractWindow | None) -> DltSource:
    from .fxiaoke import fxiaoke_source

    return fxiaoke_source(window=window)


def _netsuite(window: ExtractWindow | None) -> DltSource:
    from .netsuite import netsuite_source

    return netsuite_source(window=window)


def _erp_export(window: ExtractWindow | None) -> DltSource:
    """The export folder has no period to choose: a window does not apply to it."""
    from .erp_export import erp_export_source

    if window is not None:
        logger.warning(
            "erp_export: backfill window %s does not apply to an export folder; loading the "
            "folder's new and changed files as a scheduled run does",
            window,
        )
    return erp_export_source()


def _ecb_fx(window: ExtractWindow | None) -> DltSource:
    from .ecb_fx import ecb_fx_source

    return ecb_fx_source(window=window)


# Live connectors per family (raw dataset); the first is what `api` means for that family.
# Project master data (raw_reference) has none: it always comes from the drop's projects.csv.
CONNECTORS: dict[str, dict[str, Callable[[ExtractWindow | None], DltSource]]] = {
    "raw_ads": {"ad_platforms": _ad_platforms},
    "raw_crm": {"fxiaoke": _fxiaoke},
    "raw_erp": {"netsuite": _netsuite, "erp_export": _erp_export},
    "raw_fx": {"ecb_fx": _ecb_fx},
}


def default_connector(dataset: str) -> str:
    return next(iter(CONNECTORS[dataset]))


def api_source(dataset: str, connector: str, window: ExtractWindow | None = None) -> DltSource:
    """The live source `connector` of `dataset` (credentials from dlt secrets / environment).

    window: a backfill: the connector re-extracts exactly that period and neither reads nor
        writes its incremental state, so scheduled runs carry on as if it never happened
        (ingestion/window.py; what the period filters on is in each connector's README).
        None (the default) is a scheduled run from the cursors. erp_export has no period: it
        loads its folder as usual and logs that the window was not applied.
    """
    try:
        build = CONNECTORS[dataset][connector]
    except KeyError:
        raise ValueError(f"{dataset} has no live connector {connector!r}") from None
    # the source's configuration (base_url, ...) resolves as it is built, into dlt's trace
    keep_url_secrets_out_of_dlt_traces()
    return build(window)
