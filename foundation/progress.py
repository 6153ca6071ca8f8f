"""One line per stage on stderr, so a person sees what a run is doing."""

from __future__ import annotations

import sys
import time

from foundation.redaction import redact_text

_started = time.monotonic()


def say(message: str) -> None:
    elapsed = time.monotonic() - _started
    print(f"[roi {elapsed:6.1f}s] {redact_text(message)}", file=sys.stderr, flush=True)
