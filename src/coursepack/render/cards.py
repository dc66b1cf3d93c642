"""The cards of READ, WATCH and TASK items, written without a template.

A page holds one card per item, so a large course writes tens of thousands of them: as Jinja
macros they were a good part of its build time (a macro call, and a template call for every
learner-facing string in it). Here each card is a few joined strings; every value from the
course is escaped (``markupsafe.escape``, as the page template's autoescaping does), and the
words of the course's language are looked up and escaped once per page. The page template
reaches them through ``partials/items.html``; CHECKs keep their template (check.html).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from coursepack.render.theme import Strings

if TYPE_CHECKING:
    from coursepack.render import ItemView

__all__ = ["Cards"]

_READ_ICON = (
    '<svg class="cp-icon" focusable="false" viewBox="0 0 24 24"><path d="M4 5.5A1.5 1.5 0 0 1'
    " 5.5 4H11v16H5.5A1.5 1.5 0 0 1 4 18.5zM20 5.5A1.5 1.5 0 0 0 18.5 4H13v16h5.5a1.5 1.5 0 0 0"
    ' 1.5-1.5z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>'
    "</svg>"
)
_WATCH_ICON = (
    '<svg class="cp-icon" focusable="false" viewBox="0 0 24 24"><rect x="3" y="5" width="18"'
    ' height="14" rx="2.5" fill="none" stroke="currentColor" stroke-width="1.8"/><path'
    ' d="M10 9.2v5.6l4.8-2.8z" fill="currentColor"/></svg>'
)
_TASK_ICON = (
    '<svg class="cp-icon" focusable="false" viewBox="0 0 24 24"><path d="M14.5 4.5l5 5L9 20H4v-5z"'
    ' fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><path'
    ' d="M12.5 6.5l5 5" stroke="currentColor" stroke-width="1.8"/></svg>'
)
_PLAY_ICON = (
    '<svg class="cp-icon cp-video__icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24">'
    '<circle cx="12" cy="12" r="11" fill="currentColor"/><path d="M10 8.2v7.6l6.2-3.8z"'
    ' fill="#fff"/></svg>'
)
_PLAYERS = ("youtube", "vimeo", "file")


class _Words:
    """One language's words as the cards use them: escaped once per page; those with a value
    filled and escaped as the page template does (``t(key, name=value)``)."""

    def __init__(self, t: Strings) -> None:
        self.t = t
        self._templates: dict[str, str] = {}

        def word(key: str) -> str:
            return str(escape(t(key)))

        self.read_kind = word("read.kind")
        self.watch_kind = word("watch.kind")
        self.watch_play = word("watch.play")
        self.watch_open = word("watch.open")
        self.new_tab = word("opensNewTab")
        self.not_opened = word("status.notOpened")
        self.not_started = word("status.notStarted")
        self.task_label = word("task.label")
        self.task_hint = word("task.hint")
        self.task_empty = word("task.empty")
        self.task_complete = word("task.complete")
        self.earlier_show = word("task.earlierShow")
        self.earlier_label = word("task.earlierLabel")
        self.earlier_missing = word("task.earlierMissing")
        self.earlier_copy = word("task.earlierCopy")

    def fill(self, key: str, name: str, value: object) -> str:
        """``t(key, name=value)``, escaped. With one value, filling its placeholders is
        replacing them: what ``format_string`` does, without a pattern and a call per match."""
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self.t(key)
        return str(escape(template.replace("{" + name + "}", str(value))))


class Cards:
    """The card of each item kind but CHECK: ``cards.read(iv)`` and so on, as Markup."""

    def __init__(self, t: Strings) -> None:
        self._w = _Words(t)

    def _link_title(self, iv: ItemView, dom_id: str) -> str:
        w = self._w
        if iv.link_ok:
            title = (
                f'            <a class="cp-card__link" href="{escape(iv.item.url or "")}"'
                ' target="_blank" rel="noopener noreferrer" data-cp-open>'
                f'{escape(iv.title)} <span class="cp-sr-only">{w.new_tab}</span></a>\n'
            )
        else:
            title = f"            {escape(iv.title)}\n"
        host = f'          <p class="cp-card__host">{escape(iv.host)}</p>\n' if iv.host else ""
        return (
            f'          <h3 class="cp-card__title" id="{dom_id}-title">\n{title}'
            f"          </h3>\n{host}"
        )

    def _card(
        self, iv: ItemView, dom_id: Markup, kind: str, extra: str, icon: str, label: str, body: str
    ) -> Markup:
        """A READ or WATCH card around its body: the icon, the kind, the opened status."""
        return Markup(
            f'      <article class="cp-card cp-card--{kind}{extra}" id="{dom_id}"'
            f' data-cp-item="{escape(iv.key)}" data-kind="{kind}"'
            f' aria-labelledby="{dom_id}-title">\n'
            f'        <span class="cp-card__icon" aria-hidden="true">{icon}</span>\n'
            '        <div class="cp-card__body">\n'
            f'          <p class="cp-card__kind">{label}</p>\n'
            f"{body}        </div>\n"
            f'        <p class="cp-card__status" data-cp-status>{self._w.not_opened}</p>\n'
            "      </article>\n"
        )

    def read(self, iv: ItemView) -> Markup:
        dom_id = escape(iv.dom_id)
        body = self._link_title(iv, dom_id)
        return self._card(iv, dom_id, "read", "", _READ_ICON, self._w.read_kind, body)

    def watch(self, iv: ItemView) -> Markup:
        w = self._w
        dom_id = escape(iv.dom_id)
        embed = iv.embed
        provider = embed.provider if embed else ""
        player = " cp-card--player" if provider in _PLAYERS else ""
        if embed and provider in ("youtube", "vimeo"):
            title = escape(iv.title)
            host = embed.host
            body = (
                f'          <h3 class="cp-card__title" id="{dom_id}-title">{title}</h3>\n'
                '          <div class="cp-video" data-cp-video>\n'
                '            <button type="button" class="cp-video__play" data-cp-play'
                f' data-embed="{escape(embed.src)}"'
                f' data-frame-title="{w.fill("watch.frameTitle", "title", iv.title)}"'
                f' aria-label="{w.fill("watch.playNamed", "title", iv.title)}">\n'
                f"              {_PLAY_ICON}\n"
                f'              <span class="cp-video__label">{w.watch_play}</span>\n'
                "            </button>\n"
                "          </div>\n"
                f'          <p class="cp-video__note">{w.fill("watch.privacy", "host", host)}'
                f' <a href="{escape(iv.item.url or "")}" target="_blank"'
                ' rel="noopener noreferrer" data-cp-open>'
                f"{w.fill('watch.openOn', 'host', host)}"
                f' <span class="cp-sr-only">{w.new_tab}</span></a></p>\n'
            )
        elif embed and provider == "file":
            src = escape(embed.src)
            body = (
                f'          <h3 class="cp-card__title" id="{dom_id}-title">'
                f"{escape(iv.title)}</h3>\n"
                '          <div class="cp-video cp-video--file">\n'
                '            <video controls preload="metadata" data-cp-media>'
                f'<source src="{src}" type="{escape(embed.mime)}"><a href="{src}"'
                f' target="_blank" rel="noopener noreferrer" data-cp-open>{w.watch_open}</a>'
                "</video>\n"
                "          </div>\n"
            )
        else:
            body = self._link_title(iv, dom_id)
        return self._card(iv, dom_id, "watch", player, _WATCH_ICON, w.watch_kind, body)

    def task(self, iv: ItemView) -> Markup:
        w = self._w
        d = escape(iv.dom_id)
        return Markup(
            f'      <article class="cp-card cp-card--task" id="{d}" data-cp-item="{escape(iv.key)}"'
            f' data-kind="task" aria-labelledby="{d}-title">\n'
            f'        <span class="cp-card__icon" aria-hidden="true">{_TASK_ICON}</span>\n'
            '        <div class="cp-card__body">\n'
            '          <p class="cp-card__kind">'
            f"{w.fill('task.heading', 'number', iv.task_number)}</p>\n"
            f'          <h3 class="cp-card__title" id="{d}-title">{escape(iv.heading)}</h3>\n'
            f'          <div class="cp-prose cp-task__prompt" id="{d}-prompt">\n'
            f"{escape(iv.prompt_html)}          </div>\n"
            f'          <label class="cp-label" for="{d}-input">{w.task_label}</label>\n'
            f'          <p class="cp-hint" id="{d}-hint">{w.task_hint}</p>\n'
            f'          <textarea class="cp-textarea" id="{d}-input" name="{d}" rows="6"'
            f' spellcheck="true" aria-describedby="{d}-prompt {d}-hint" data-cp-input>'
            "</textarea>\n"
            f'          <p class="cp-task__error" id="{d}-error" data-cp-error hidden>'
            f"{w.task_empty}</p>\n"
            '          <div class="cp-task__actions">\n'
            '            <button type="button" class="cp-button" data-cp-complete>'
            f"{w.task_complete}</button>\n"
            '            <p class="cp-task__saved" data-cp-saved aria-live="polite"></p>\n'
            "          </div>\n"
            '          <p class="cp-task__note" data-cp-note hidden></p>\n'
            '          <div class="cp-task__earlier" data-cp-earlier hidden>\n'
            '            <p class="cp-task__note" data-cp-earlier-note></p>\n'
            '            <details class="cp-task__earlier-answer">\n'
            f"              <summary>{w.earlier_show}</summary>\n"
            f'              <p class="cp-label" id="{d}-earlier-label">{w.earlier_label}</p>\n'
            '              <div class="cp-task__earlier-text" data-cp-earlier-text></div>\n'
            '              <p class="cp-hint" data-cp-earlier-missing hidden>'
            f"{w.earlier_missing}</p>\n"
            '              <button type="button" class="cp-button cp-button--quiet"'
            f" data-cp-earlier-copy>{w.earlier_copy}</button>\n"
            "            </details>\n"
            "          </div>\n"
            "        </div>\n"
            f'        <p class="cp-card__status" data-cp-status>{w.not_started}</p>\n'
            "      </article>\n"
        )
