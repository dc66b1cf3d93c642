"""User errors print cleanly (``file:line:col: message``) and exit 1; anything else is a bug."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coursepack.model import Position


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a course, at a place, with how to fix it."""

    pos: Position
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.pos}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CourseInvalid(UserError):
    """Every problem found in a course, reported at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        lines = [str(p) for p in self.problems]
        count = len(self.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.")
        super().__init__("\n".join(lines))
