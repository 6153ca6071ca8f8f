"""The code location the Dagster UI, the daemon and the runs they launch load:
`dagster dev -m orchestration.code_location` (`make dev`).

Its one job is to build the deployment's Definitions from the environment (README
"Configuration"), once, when Dagster loads it. Everything else imports
orchestration.definitions and calls build_definitions with its own Settings.
"""

from foundation.config import Settings

from .definitions import build_definitions

defs = build_definitions(Settings.from_environment())
