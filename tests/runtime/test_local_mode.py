"""A package opened with no LMS (file:// or a plain web server) works and says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.i18n import strings_for
from tests.runtime.learner import (
    begin,
    cards,
    complete_task,
    current_section,
    go_to,
    open_item,
    section_keys,
    textareas,
    wait_started,
)
from tests.support.axe import format_violations, run_axe
from tests.support.scorm_harness import unzip_package

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e

EN = strings_for("en")


def learner_session(page: Page, url: str) -> None:
    page.goto(url)
    wait_started(page)
    assert page.evaluate("() => Coursepack.session().mode") == "local"
    notice = page.locator("[data-cp-notices]")
    assert notice.get_by_text(EN["notice.noLms"]).is_visible()
    assert page.get_by_role("button", name=EN["saveExit"]).count() == 0  # nothing to exit from

    second = section_keys(page)[1]
    begin(page)
    task = next(c for c in cards(page) if c.get_attribute("data-kind") == "task")
    task_key = task.get_attribute("data-cp-item") or ""
    read = next(c for c in cards(page) if c.get_attribute("data-kind") == "read")
    read_key = read.get_attribute("data-cp-item") or ""
    open_item(page, read)
    complete_task(task, "Kept in this browser.")
    go_to(page, second)
    assert run_axe(page) == [], format_violations(run_axe(page))

    page.reload()
    wait_started(page)
    assert current_section(page) == second
    assert textareas(page)[task_key] == "Kept in this browser."
    status = page.locator(f'[data-cp-item="{task_key}"] [data-cp-status]').inner_text()
    assert status == EN["status.completed"]
    read_status = page.locator(f'[data-cp-item="{read_key}"] [data-cp-status]')
    assert read_status.inner_text() == EN["status.viewed"]
    total = len(textareas(page))
    assert page.locator(".cp-progress__text").inner_text() == EN["progress.tasks"].format(
        done=1, total=total
    )
    assert notice.get_by_text(EN["notice.noLms"]).is_visible()
    assert page.evaluate("() => Coursepack.log.filter(e => e.level === 'error')") == []


def test_package_on_a_plain_web_server_keeps_progress_in_local_storage(
    page: Page, example_zip: Path, tmp_path: Path, http_server: Callable[[Path], StaticServer]
) -> None:
    folder = unzip_package(example_zip, tmp_path / "pkg")
    server = http_server(folder)
    learner_session(page, server.url + "index.html")
    stored = page.evaluate(
        "() => Object.keys(localStorage)"
        ".filter(k => k.startsWith(Coursepack.config.course.storageKey))"
    )
    assert len(stored) == 1 and stored[0].endswith(":local")


def test_package_opened_from_the_file_system_works(
    page: Page, example_zip: Path, tmp_path: Path
) -> None:
    folder = unzip_package(example_zip, tmp_path / "pkg")
    learner_session(page, (folder / "index.html").as_uri())
