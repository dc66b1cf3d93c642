"""A static reading of the runtime's scripts: which globals (and namespace members) each
defines and which it uses, and the check that a ``<script>`` order only uses what came before.

The runtime's scripts share nothing but ``window.Coursepack*`` globals (and
``window.COURSEPACK_CONFIG``, which coursepack-config.js defines). A script names a namespace
through an alias (``var X = window.CoursepackXAPI;``) and then uses ``X.member``; members are
defined as ``X.member = ...`` or as the keys of an exported object literal
(``root.CoursepackUtil = { has: has, ... }``). Comments are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

CONFIG_GLOBAL = "COURSEPACK_CONFIG"
_OWNER = r"(?:window|root)"
_GLOBAL = re.compile(_OWNER + r"\.(Coursepack\w*|COURSEPACK_CONFIG)\b")
_ASSIGNED = re.compile(r"\s*=(?!=)")
_ALIAS = re.compile(r"var\s+(\w+)\s*=\s*\(?\s*" + _OWNER + r"\.(Coursepack\w*)\b(?!\s*\.)")
_MEMBER = re.compile(r"\s*\.\s*(\w+)")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"(^|\s)//.*$", re.M)
_KEY = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*:", re.M)
# Coursepack (core) is one object whose members are not tracked
_WHOLE = frozenset({"Coursepack"})


@dataclass
class Script:
    name: str
    defines: set[str] = field(default_factory=set)  # "CoursepackX" or "CoursepackX.member"
    uses: set[str] = field(default_factory=set)


def _strip_comments(text: str) -> str:
    return _LINE_COMMENT.sub(r"\1", _BLOCK_COMMENT.sub("", text))


def _literal_keys(text: str, start: int) -> set[str]:
    """The top-level keys of the object literal whose "{" is at ``start``."""
    depth = 0
    top: list[str] = []
    line: list[str] = []
    for ch in text[start:]:
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and ch not in "{":
            line.append(ch)
        elif depth > 1:
            line.append(" ")  # nested text is no key
        if ch == "\n" or (ch == "," and depth == 1):
            top.append("".join(line).rstrip(","))
            line = []
    top.append("".join(line))
    return {m.group(1) for m in _KEY.finditer("\n".join(top))}


def read_script(name: str, source: str) -> Script:
    text = _strip_comments(source)
    script = Script(name)
    for m in _GLOBAL.finditer(text):
        glob = m.group(1)
        after = text[m.end() :]
        if _ASSIGNED.match(after):
            script.defines.add(glob)
            literal = re.match(r"\s*=\s*\{", after)
            if literal:
                for key in _literal_keys(text, m.end() + literal.end() - 1):
                    script.defines.add(f"{glob}.{key}")
        else:
            script.uses.add(glob)
            member = _MEMBER.match(after)
            if member and glob not in _WHOLE:
                script.uses.add(f"{glob}.{member.group(1)}")
    for alias, glob in _ALIAS.findall(text):
        if glob in _WHOLE:
            continue
        for m in re.finditer(r"(?<![\w$.])" + re.escape(alias) + r"\.(\w+)", text):
            member = f"{glob}.{m.group(1)}"
            if _ASSIGNED.match(text[m.end() :]):
                script.defines.add(member)
            else:
                script.uses.add(member)
    return script


def order_problems(scripts: Sequence[Script]) -> list[str]:
    """What each script uses that no script before it (or itself) defines."""
    defined = {CONFIG_GLOBAL}
    problems: list[str] = []
    for script in scripts:
        own = defined | script.defines
        for name in sorted(script.uses - own):
            problems.append(f"{script.name} uses {name}, which no script before it defines")
        defined |= script.defines
    return problems
