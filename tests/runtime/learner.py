"""What a learner does in a coursepack page, as Playwright steps (used by the runtime tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Locator, Page

VISIBLE = "section.cp-section:not([hidden])"
#: what the course shows: one section, or one of its pages (the start page, My reflections)
SHOWN = "section.cp-section:not([hidden]), [data-cp-page]:not([hidden])"


def wait_started(frame: Frame | Page) -> None:
    frame.wait_for_function("() => window.Coursepack && window.Coursepack.started === true")


def begin(frame: Frame | Page) -> str:
    """Leave the start page the course opens on, by its Start (or Continue) button; returns the
    section it leads to."""
    frame.locator('[data-cp-page="start"] [data-cp-begin]').click()
    frame.locator(VISIBLE).wait_for()
    return current_section(frame)


def section_keys(frame: Frame | Page) -> list[str]:
    keys: list[str] = frame.evaluate(
        "() => Coursepack.config.modules.flatMap(m => m.sections.map(s => s.key))"
    )
    return keys


def current_section(frame: Frame | Page) -> str:
    key: str = frame.locator(VISIBLE).get_attribute("data-cp-section") or ""
    return key


def go_to(frame: Frame | Page, key: str) -> None:
    """Use the table of contents, as a learner does."""
    frame.locator(f'[data-cp-section-link="{key}"]').click()
    frame.locator(f'section[data-cp-section="{key}"]:not([hidden])').wait_for()


def cards(frame: Frame | Page) -> list[Locator]:
    return frame.locator(f"{VISIBLE} [data-cp-item]").all()


def open_item(page: Page, card: Locator) -> None:
    """Open a READ/WATCH: the link opens a new tab (closed again), a player button swaps in."""
    play = card.locator("[data-cp-play]")
    if play.count():
        play.click()
        # the player frame takes focus and starts loading (the network is closed here, so it
        # loads an error page): let that settle before the learner types elsewhere, or the
        # frame's load can take the focus from the next text box while it is being filled
        player = card.locator("iframe").element_handle()
        content = player.content_frame() if player else None
        if content is not None:
            content.wait_for_load_state("load")
        return
    with page.context.expect_page() as popup:
        card.locator("[data-cp-open]").first.click()
    popup.value.close()


def complete_task(card: Locator, text: str) -> None:
    """Write the reflection and mark the TASK complete; returns once the page shows it done."""
    from playwright.sync_api import expect

    box = card.get_by_role("textbox")
    box.fill(text)
    expect(box).to_have_value(text)
    card.locator("[data-cp-complete]").click()
    expect(card).to_have_attribute("data-done", "")


def do_section(page: Page, frame: Frame | Page, answer: Any) -> None:
    """Open every READ/WATCH and complete every TASK of the visible section."""
    for card in cards(frame):
        if card.get_attribute("data-kind") == "task":
            complete_task(card, answer(card.get_attribute("data-cp-item")))
        else:
            open_item(page, card)


def textareas(frame: Frame | Page) -> dict[str, str]:
    """Every TASK's reflection as shown, by item key (all sections, hidden or not).

    A section's content enters the page when it is first opened; the others are put in the
    page first, as before printing (``Coursepack.materialize()``), so that what a section
    shows once opened - the saved text restored into its box - is what is read here."""
    values: dict[str, str] = frame.evaluate(
        """() => (Coursepack.materialize(), Object.fromEntries(
            [...document.querySelectorAll('[data-kind=task]')]
            .map(c => [c.dataset.cpItem, c.querySelector('textarea').value])))"""
    )
    return values


def answer_check(card: Locator, answer: str | list[str]) -> None:
    """Answer a CHECK as a learner does: tick the options with these ids (a list), or type
    the text (a str), then press "Check answer"; returns once the page has judged it."""
    if isinstance(answer, str):
        card.get_by_role("textbox").fill(answer)
    else:
        for option in card.locator("[data-cp-choice]").all():
            value = option.get_attribute("value")
            if value in answer:
                option.check()
            elif option.get_attribute("type") == "checkbox":
                option.uncheck()
    count = "c => (Coursepack.state().checks[c.dataset.cpItem] || {attempts: 0}).attempts"
    before = card.evaluate(count)
    card.locator("[data-cp-check]").click()
    card.evaluate(
        """(c, before) => new Promise(resolve => {
            const key = c.dataset.cpItem;
            const tick = () => ((Coursepack.state().checks[key] || {}).attempts || 0) > before
                ? resolve() : setTimeout(tick, 10);
            tick();
        })""",
        before,
    )


def config_checks(frame: Frame | Page) -> list[dict[str, Any]]:
    """Every CHECK of the course as the runtime configuration has it (kind, options, right)."""
    items: list[dict[str, Any]] = frame.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections).flatMap(s => s.items)
               .filter(i => i.kind === 'check')"""
    )
    return items


def right_answer(check: dict[str, Any]) -> str | list[str]:
    spec = check["check"]
    return spec["accepted"][0] if spec["kind"] == "fill-in" else list(spec["correct"])


def wrong_answer(check: dict[str, Any]) -> str | list[str]:
    spec = check["check"]
    if spec["kind"] == "fill-in":
        return "leadership"
    return [next(o for o in spec["options"] if o not in spec["correct"])]
