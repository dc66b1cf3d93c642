"""The limits a course must keep, in one place (docs/limits.md lists them for authors).

Each protects the build from input that would otherwise take unbounded time or memory, or
crash a parser; each breach is a located problem with how to fix it, never a traceback.
"""

from __future__ import annotations

from typing import Final

#: bytes of one course text file (course.yaml or a module)
MAX_TEXT_BYTES: Final = 8 * 1024 * 1024
#: nesting of YAML values (mappings and lists inside each other); course files need about 6
MAX_YAML_DEPTH: Final = 64
#: values that YAML aliases (``*name``) may add to one file by repeating what they refer to
#: (counted through aliases of aliases)
MAX_ALIAS_EXPANSION: Final = 10_000
#: nesting of Markdown containers (block quotes and list items inside each other); the
#: renderer crashes (a segmentation fault) at about 25,000
MAX_MARKDOWN_NESTING: Final = 32
#: emphasis, strikethrough and link delimiters of a paragraph open at once ('*', '_', '~', '['):
#: 100,000 nested emphasis markers crash the renderer
MAX_INLINE_NESTING: Final = 100
#: characters of one line of Markdown (a module line, a line of a Markdown text in YAML)
MAX_LINE_CHARS: Final = 100_000
#: items (READ, WATCH, TASK, CHECK) in one course
MAX_ITEMS: Final = 100_000
#: options of one CHECK: SCORM 1.2 names a choice with one character (0-9, a-z) and SCORM
#: 2004's smallest permitted maximum for a choice is 36
MAX_CHECK_OPTIONS: Final = 36
#: ``objectives:`` of course.yaml: the start page lists a few
MAX_OBJECTIVES: Final = 20
#: ``duration:`` of course.yaml, in minutes (100 hours)
MAX_DURATION_MINUTES: Final = 100 * 60
