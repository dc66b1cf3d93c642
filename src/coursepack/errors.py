"""Problems and user errors: one family that prints cleanly; anything else is a bug.

A :class:`UserError` is a ``click.ClickException``: click itself prints it (its message alone,
no traceback) and exits with its ``exit_code``, so no command needs its own handler. Anything
that is not a ``UserError`` keeps its traceback: it is a bug in coursepack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, Literal

import click

from coursepack.model import Position

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a course, at a place, with how to fix it.

    ``severity`` "warning" is something the author may mean (the build goes on and says it);
    "error" stops the build. ``code`` is the stable id of the kind of problem (docs list them).
    """

    pos: Position
    message: str
    hint: str = ""
    severity: Severity = "error"
    code: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            from coursepack.codes import code_for

            object.__setattr__(self, "code", code_for(self.message))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_warning(self, strict: bool) -> Problem:
        """Under ``--strict`` a warning is an error (for authors' own CI)."""
        if strict and not self.is_error:
            return Problem(self.pos, self.message, self.hint, "error", self.code)
        return self

    def __str__(self) -> str:
        text = f"{self.pos}: "
        if self.severity == "warning":
            text += "warning: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class Problems:
    """A sink that stages of the pipeline report problems into (data, not exceptions)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self,
        pos: Position,
        message: str,
        hint: str = "",
        *,
        severity: Severity = "error",
        code: str = "",
    ) -> None:
        self.items.append(Problem(pos, message, hint, severity, code))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def append(self, problem: Problem) -> None:
        self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)


class UserError(click.ClickException):
    """A problem the user can fix: click prints ``message`` on stderr and exits with
    ``exit_code`` (1 unless a subclass says otherwise); never a traceback."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=file is None, file=file)


class CourseInvalid(UserError):
    """Every problem found in a course, reported at once (errors, and warnings beside them)."""

    def __init__(self, problems: Iterable[Problem], *, writes: bool = True) -> None:
        self.problems = sorted(set(problems))
        lines = [str(p) for p in self.problems]
        errors = sum(1 for p in self.problems if p.is_error)
        warnings = len(self.problems) - errors
        summary = f"{errors} problem{'s' if errors != 1 else ''} found"
        if warnings:
            summary += f" (and {warnings} warning{'s' if warnings != 1 else ''})"
        lines.append(summary + ("; nothing was written." if writes else "."))
        super().__init__("\n".join(lines))
