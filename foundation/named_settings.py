"""Settings a user sets by name: from the environment, from `name=value` flags and from a file.

`NamedSettings` is the base of a frozen dataclass of settings with defaults (the report's
thresholds, `reporting.settings.ReportSettings`; the what-if model's,
`simulation.settings.SimulationSettings`). Each field can be set

- from the environment as `<ENV_PREFIX><NAME>` (`ROI_REPORT_CAC_INCREASE=0.3`): `from_env`;
- from `name=value` texts, a command line's flags (`--threshold cac_increase=0.3`):
  `with_overrides`;
- from a mapping of names to values, such as a YAML file's `settings:`: `with_values`.

Names are matched in any case, with `-` for `_`. The subclass says how one value is read
(`parse_value`, raising ValueError with what was expected); an unknown name or a bad value
raises RoiError naming where it came from and the known names.
"""

from __future__ import annotations

import dataclasses
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import ClassVar, Self

from .errors import RoiError


class NamedSettings(ABC):
    # ROI_REPORT_: the environment's names of the settings
    ENV_PREFIX: ClassVar[str]
    # --threshold: the command line's flag whose name=value texts with_overrides reads
    FLAG: ClassVar[str]

    @classmethod
    def names(cls) -> list[str]:
        return [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The defaults, overridden by the `<ENV_PREFIX><NAME>` variables that are set."""
        environ = os.environ if environ is None else environ
        values = {
            name: environ[cls.ENV_PREFIX + name.upper()]
            for name in cls.names()
            if environ.get(cls.ENV_PREFIX + name.upper(), "").strip()
        }
        return cls().with_values(values, origin=f"environment variable {cls.ENV_PREFIX}<NAME>")

    def with_overrides(self, pairs: Iterable[str], origin: str | None = None) -> Self:
        """A copy with `name=value` texts applied (`origin`, default FLAG, names where they
        came from in an error)."""
        origin = origin or self.FLAG
        values: dict[str, object] = {}
        for pair in pairs:
            name, sep, text = pair.partition("=")
            if not sep:
                raise RoiError(
                    f"{origin}: {pair!r} is not name=value; names: {', '.join(self.names())}"
                )
            values[name] = text.strip()
        return self.with_values(values, origin)

    def with_values(self, values: Mapping[str, object], origin: str) -> Self:
        """A copy with `values` (texts, or numbers and lists from a file) applied."""
        changes: dict[str, object] = {}
        for raw_name, value in values.items():
            name = str(raw_name).strip().lower().replace("-", "_")
            if name not in self.names():
                raise RoiError(
                    f"{origin}: unknown setting {raw_name!r}; names: {', '.join(self.names())}"
                )
            try:
                changes[name] = self.parse_value(name, value)
            except ValueError as error:
                raise RoiError(f"{origin}: {name}: {error}") from None
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    @abstractmethod
    def parse_value(cls, name: str, value: object) -> object:
        """The value of setting `name` from what a user wrote (ValueError: not one)."""
