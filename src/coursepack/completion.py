"""The completion rule, decided once: which items a course (or one module) counts.

The page (through ``counted`` in the runtime configuration), the progress bar, the SCORM and
xAPI status the runtime reports, and ``coursepack report`` all read this one function, so
they cannot disagree about what "complete" means.

- ``all-items``: every READ, WATCH and TASK.
- ``all-tasks``: every TASK; where the scope holds no TASK at all (a course of readings, or a
  module of readings in a one-AU-per-module cmi5 package), every item instead: otherwise
  nothing would ever make it complete.
"""

from __future__ import annotations

from collections.abc import Sequence

from coursepack.model import CompletionRule, Course, Item, Module
from coursepack.xapi.vocab import item_key


def counted(course: Course, modules: Sequence[Module] | None = None) -> list[tuple[Module, Item]]:
    """The items whose completion makes ``modules`` (default: the whole course) complete."""
    scope = course.modules if modules is None else modules
    pairs = [(module, item) for module in scope for item in module.items]
    if course.completion is CompletionRule.ALL_ITEMS:
        return pairs
    tasks = [(module, item) for module, item in pairs if item.is_task]
    return tasks or pairs


def counted_keys(course: Course, modules: Sequence[Module] | None = None) -> list[str]:
    return [item_key(module, item) for module, item in counted(course, modules)]


def progress_unit(course: Course, modules: Sequence[Module] | None = None) -> str:
    """What the progress bar counts: "tasks", or "items" (every item is counted)."""
    scope = counted(course, modules)
    return "tasks" if scope and all(item.is_task for _, item in scope) else "items"
