"""Accessibility checks with axe-core (npm, pinned in package.json) inside a page or frame."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from tests.support.env import require_node_module

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

SERIOUS = ("serious", "critical")

# Nested frames are not entered (`iframes: false`): axe would wait a minute for an answer from
# each frame it was not injected into. Check a SCO by passing the harness's content frame.
_RUN = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations;
}"""


@cache
def _axe_source() -> str:
    return require_node_module("axe-core", "axe.min.js").read_text(encoding="utf-8")


def run_axe(
    target: Page | Frame,
    *,
    impacts: Iterable[str] | None = SERIOUS,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """axe-core's violations in ``target``'s document, kept to ``impacts`` (None: all).

    Each violation is axe's own object: ``id``, ``impact``, ``help``, ``helpUrl``, ``nodes``
    (each with ``target`` selectors and ``failureSummary``). ``options`` are axe.run options
    (``{"runOnly": ["wcag2a", "wcag2aa"]}``); ``iframes`` is false unless given.
    """
    if not target.evaluate("() => typeof window.axe === 'object'"):
        target.evaluate(_axe_source())
    violations: list[dict[str, Any]] = target.evaluate(
        _RUN, {"iframes": False, "resultTypes": ["violations"], **(options or {})}
    )
    if impacts is None:
        return violations
    kept = set(impacts)
    return [v for v in violations if v.get("impact") in kept]


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation.get("nodes", []):
            lines.append(
                f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
                f"{' > '.join(map(str, node.get('target', [])))}"
            )
    return "\n".join(lines)
