"""Stable identifiers: slugs for authors' ids, short hashes, XML-safe SCORM identifiers."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def slugify(text: str, max_len: int = 48) -> str:
    """Lower-case ASCII slug: 'Tools and tips' -> 'tools-and-tips'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rstrip("-")
    if slug and not slug[0].isalpha():
        slug = "s-" + slug
    return slug


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def scorm_identifier(*parts: str) -> str:
    """An xsd:ID / NCName built from id parts: 'ITEM-theory-task-1'."""
    raw = "-".join(p for p in parts if p)
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", raw)
    if not safe or not (safe[0].isalpha() or safe[0] == "_"):
        safe = "_" + safe
    return safe
