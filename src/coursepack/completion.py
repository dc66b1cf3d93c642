"""The completion rule, decided once: which items a course (or one module) counts, and
whether it needs a pass.

The page (through ``counted`` in the runtime configuration), the progress bar, the SCORM and
xAPI status the runtime reports, and ``coursepack report`` all read this module, so they cannot
disagree about what "complete" and "passed" mean.

- ``all-items``: every READ, WATCH, TASK and CHECK.
- ``all-tasks``: every TASK; where the scope holds no TASK at all (a course of readings, or a
  module of readings in a one-AU-per-module cmi5 package), every item instead: otherwise
  nothing would ever make it complete.
- ``pass``: every CHECK answered (right, or with no attempt left), and the score reaching the
  pass mark. A scope without CHECKs (a module of readings in a one-AU-per-module cmi5
  package) has nothing to pass and counts its items.
- ``all-tasks-and-pass``: every TASK complete and every CHECK answered, and the pass mark
  reached.

A CHECK counts as done once it is answered for good: right, or wrong with no attempt left.
The score is the number of CHECKs answered right; the pass mark is a percentage of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from coursepack.model import Assessment, CompletionRule, Course, Item, Module
from coursepack.xapi.vocab import item_key

#: the rules under which a course is complete only once the learner has passed
PASS_RULES = frozenset({CompletionRule.PASS, CompletionRule.ALL_TASKS_AND_PASS})


def counted(course: Course, modules: Sequence[Module] | None = None) -> list[tuple[Module, Item]]:
    """The items whose completion makes ``modules`` (default: the whole course) complete."""
    scope = course.modules if modules is None else modules
    pairs = [(module, item) for module in scope for item in module.items]
    rule = course.completion
    if rule is CompletionRule.ALL_ITEMS:
        return pairs
    if rule is CompletionRule.PASS:
        return [(m, i) for m, i in pairs if i.is_check] or pairs
    if rule is CompletionRule.ALL_TASKS_AND_PASS:
        return [(m, i) for m, i in pairs if i.is_task or i.is_check] or pairs
    tasks = [(module, item) for module, item in pairs if item.is_task]
    return tasks or pairs


def counted_keys(course: Course, modules: Sequence[Module] | None = None) -> list[str]:
    return [item_key(module, item) for module, item in counted(course, modules)]


def progress_unit(course: Course, modules: Sequence[Module] | None = None) -> str:
    """What the progress bar counts: "tasks", or "items" (every item is counted)."""
    scope = counted(course, modules)
    return "tasks" if scope and all(item.is_task for _, item in scope) else "items"


def assessment(course: Course) -> Assessment:
    """How the course's CHECKs are graded: its ``assessment:``, or the defaults."""
    return course.assessment or Assessment()


def needs_pass(course: Course, modules: Sequence[Module] | None = None) -> bool:
    """Whether completing ``modules`` (default: the course) takes reaching the pass mark."""
    scope = course.modules if modules is None else modules
    return course.completion in PASS_RULES and any(m.checks for m in scope)


def is_passed(correct: int, total: int, pass_mark: int) -> bool:
    """Whether ``correct`` CHECKs right out of ``total`` reach ``pass_mark`` percent (exact
    integer arithmetic: 4 of 5 reaches 80, 79 of 100 does not)."""
    return total > 0 and correct * 100 >= pass_mark * total


def scaled_score(correct: int, total: int) -> float:
    """The score as a fraction 0..1 (SCORM 2004 ``score.scaled``, xAPI ``score.scaled``)."""
    return round(correct / total, 4) if total else 0.0
