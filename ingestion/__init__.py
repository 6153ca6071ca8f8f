"""dlt loaders: one sub-package per source (file drop, ad platforms, CRM, ERP, FX).

Importing the package changes nothing in the process; `configure_runtime()` does, once a
program is going to load data (orchestration.definitions.build_definitions, `roi`'s main).
"""

import os
from pathlib import Path

from foundation.redaction import install_log_redaction

# dlt reads its settings from the environment. These defaults suit an offline, scheduled
# warehouse; any of them can still be overridden by the environment or .dlt/config.toml.
DLT_DEFAULTS = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",  # no phoning home: the machines are offline
    "RUNTIME__LOG_LEVEL": "WARNING",
    # dlt's own Ctrl-C handler in normalize and load kept the first Ctrl-C to itself and the
    # run went on; without it Dagster's handler stops the step at once.
    "RUNTIME__INTERCEPT_SIGNALS": "false",
    # Arrow tables skip dlt's row-by-row normaliser; keep the load id on every raw row.
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    # The repo's .dlt/ (config.toml, secrets.toml) wherever `roi` is started from.
    "DLT_PROJECT_DIR": str(Path(__file__).resolve().parents[1]),
}


def configure_runtime() -> None:
    """Set up this process to load data: dlt's defaults above (where the environment does not
    set them) and, since credentials inside URLs (a proxy's user:password, a provider key in
    a query string) must be masked in every log line of a process that loads data, whichever
    library writes the line, the log redaction. Idempotent."""
    for key, value in DLT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    install_log_redaction()
