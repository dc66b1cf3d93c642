"""Small formatters for what coursepack prints (one of each)."""

from __future__ import annotations

KB = 1024
MB = 1024 * 1024


def human_size(n: int) -> str:
    """'512 B', '12.3 KB', '4.5 MB', '1.2 GB'."""
    if n < KB:
        return f"{n} B"
    if n < MB:
        return f"{n / KB:.1f} KB"
    if n < 1024 * MB:
        return f"{n / MB:.1f} MB"
    return f"{n / (1024 * MB):.1f} GB"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 task', '2 tasks'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
