"""LMS profiles: the defaults each LMS needs and its documented rules, as table entries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    default_target: str
    max_zip_bytes: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


PROFILES: dict[str, Profile] = {
    "generic": Profile("generic", "Any LMS", "scorm12"),
    "moodle": Profile("moodle", "Moodle", "scorm12"),
    "cornerstone": Profile(
        "cornerstone", "Cornerstone", "scorm2004-3rd", max_zip_bytes=250 * 1024 * 1024
    ),
    "scorm-cloud": Profile("scorm-cloud", "SCORM Cloud", "scorm2004-4th"),
}
