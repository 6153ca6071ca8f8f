"""Errors a user sees: each one says what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


class RoiError(Exception):
    """Base class for errors reported to the user without a traceback."""


class RunInterrupted(RoiError):
    """A run stopped by Ctrl-C (SIGINT): recorded as failed, reported in one line."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a drop, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.key:
            where += f" ({self.key})"
        if self.column:
            where += f", column {self.column}"
        shown = f": {self.value!r}" if self.value is not None else ""
        return f"{where}{shown}: {self.message}"


class DropRejected(RoiError):
    """A malformed file drop: nothing of it was loaded."""

    SHOWN_LIMIT = 20

    def __init__(self, message: str, problems: tuple[Problem, ...] = (), drop: str | None = None):
        super().__init__(message)
        self.problems = problems
        self.drop = drop  # the folder or file rejected

    @property
    def shown(self) -> list[str]:
        """The problems the message lists: the first SHOWN_LIMIT."""
        return [str(problem) for problem in self.problems[: self.SHOWN_LIMIT]]

    @classmethod
    def of(cls, data_dir: str, problems: list[Problem]) -> DropRejected:
        shown = problems[: cls.SHOWN_LIMIT]
        lines = [
            f"file drop {data_dir} rejected: {len(problems)} problem(s); nothing was loaded.",
            *(f"  - {p}" for p in shown),
        ]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more ({len(problems)} in total)")
        return cls("\n".join(lines), tuple(problems), drop=data_dir)


# What a Dagster step's error chain (SerializableErrorInfo: cls_name, message, cause) says
# about why it ended; kept here so that the runner and the Dagster assets share them without
# importing each other.
# What a step fails with when the run is interrupted: Dagster's error while it ran the step,
# a KeyboardInterrupt otherwise.
INTERRUPT_ERRORS = (
    "DagsterExecutionInterruptedError",
    "KeyboardInterrupt",
    "SignalReceivedException",  # dlt's
)


def stopped_by_interrupt(step_failure) -> bool:
    """Whether a step failed or was sent to retry (its StepFailureData or StepRetryData)
    because the run was stopped."""
    error = step_failure.error
    while error is not None:
        if error.cls_name in INTERRUPT_ERRORS:
            return True
        error = error.cause
    return False


def root_cause(error):
    """The innermost error of a Dagster error chain: Dagster wraps the asset's exception,
    the user wants the innermost one."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error
