"""dlt loaders: one sub-package per source (file drop, ad platforms, CRM, ERP, FX)."""

import os
from pathlib import Path

# dlt reads its settings from the environment. These defaults suit an offline, scheduled
# warehouse; any of them can still be overridden by the environment or .dlt/config.toml.
for _key, _value in {
    "RUNTIME__DLTHUB_TELEMETRY": "false",  # no phoning home: the machines are offline
    "RUNTIME__LOG_LEVEL": "WARNING",
    # dlt's own Ctrl-C handler in normalize and load kept the first Ctrl-C to itself and the
    # run went on; without it Dagster's handler stops the step at once.
    "RUNTIME__INTERCEPT_SIGNALS": "false",
    # Arrow tables skip dlt's row-by-row normaliser; keep the load id on every raw row.
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    # The repo's .dlt/ (config.toml, secrets.toml) wherever `roi` is started from.
    "DLT_PROJECT_DIR": str(Path(__file__).resolve().parents[1]),
}.items():
    os.environ.setdefault(_key, _value)

# Credentials inside URLs (a proxy's user:password, a provider key in a query string) are
# masked in every log line of a process that loads data, whichever library writes the line.
from foundation.redaction import install_log_redaction  # noqa: E402

install_log_redaction()
