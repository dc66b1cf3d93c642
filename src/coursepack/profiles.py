"""LMS profiles: the defaults each LMS needs and its documented rules, as table entries.

A profile picks the default target, adds runtime defaults (merged into ``config.target`` of
the packages it applies to), lists notes for the LMS administrator (printed after the build)
and holds rules. A rule is data (which packages it applies to, its limits) plus a small check
function over the package as built in memory; nothing here asks which LMS it is in an
if-chain. Every target calls :func:`check_package` from ``Target.check`` with the facts of its
package; this module knows no target class (it sits above ``targets/``, which imports it).

Which packages an entry applies to is said by their manifest file, so that a profile never
needs to know the target classes: ``imsmanifest.xml`` (SCORM 1.2 and 2004), ``tincan.xml``
(xAPI), ``cmi5.xml`` (cmi5). An empty selection means every package.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from lxml import etree

from coursepack.errors import Problem, Severity
from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.package import STORED_SUFFIXES
from coursepack.textfmt import human_size
from coursepack.xmlutil import parse_xml

SCORM = frozenset({"imsmanifest.xml"})
XAPI = frozenset({"tincan.xml"})
CMI5 = frozenset({"cmi5.xml"})
XAPI_FAMILY = XAPI | CMI5
EVERY: frozenset[str] = frozenset()

MB = 1024 * 1024
#: what Moodle keeps of cmi.suspend_data (and the 255-character strings) when its site setting
#: "SCORM standards mode" (scorm/scormstandard) is off (mod/scorm/datamodels/scorm_12.php)
MOODLE_SUSPEND_DATA = 64000


@dataclass(frozen=True)
class PackageFacts:
    """What a rule may look at: one target's package, in memory, before it is written."""

    target: str  # the target's name ("scorm2004-3rd")
    title: str  # its display name
    manifest_file: str
    files: Sequence[OutputFile]
    runtime: Mapping[str, Any]  # config.target of the package
    course: Course

    def file(self, path: str) -> OutputFile | None:
        return next((f for f in self.files if f.path == path), None)

    def manifest(self) -> etree._Element | None:
        """The parsed manifest, or None when it is missing or not well-formed."""
        found = self.file(self.manifest_file)
        if found is None or found.data is None:
            return None
        try:
            return parse_xml(found.data)
        except etree.XMLSyntaxError:
            return None


#: a check returns what is wrong (one message per breach); empty when the rule holds
Check = Callable[["Rule", PackageFacts], list[str]]


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str  # what the LMS documents, in one line (docs/lms-profiles.md lists them)
    check: Check
    hint: str  # how to fix it
    applies_to: frozenset[str] = EVERY  # manifest files; empty: every package
    data: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    #: only for these standards (``runtime["standard"]``); empty: every standard
    standards: frozenset[str] = EVERY

    def applies(self, facts: PackageFacts) -> bool:
        if self.applies_to and facts.manifest_file not in self.applies_to:
            return False
        return not self.standards or facts.runtime.get("standard") in self.standards


@dataclass(frozen=True)
class Note:
    """Advice for the LMS administrator, printed after a build of the packages it applies to
    (and, when ``score`` is given, of a course with that ``score:`` rule only)."""

    text: str
    applies_to: frozenset[str] = EVERY
    score: str | None = None  # a ScoreRule value; None: whatever the course's score rule
    #: only for graded courses (True: with knowledge checks), ungraded ones (False), or both
    graded: bool | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    default_target: str
    rules: tuple[Rule, ...] = ()
    #: runtime defaults, merged into config.target: (manifest files it applies to, settings)
    runtime: tuple[tuple[frozenset[str], Mapping[str, Any]], ...] = ()
    notes: tuple[Note, ...] = ()

    def runtime_defaults(self, manifest_file: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for applies_to, settings in self.runtime:
            if not applies_to or manifest_file in applies_to:
                merged.update(settings)
        return merged

    def notes_for(self, manifest_file: str, score: str = "none", graded: bool = False) -> list[str]:
        return [
            f"{self.title}: {note.text}"
            for note in self.notes
            if (not note.applies_to or manifest_file in note.applies_to)
            and note.score in (None, score)
            and note.graded in (None, graded)
        ]


# ---------------------------------------------------------------------------------------------
# check functions: small, each reads its limits from rule.data


def estimated_zip_bytes(files: Sequence[OutputFile]) -> int:
    """An upper bound of the zip's size, close to it, without writing the zip.

    In-memory files are deflated as the packager does (zlib's 6-byte wrapper makes the
    estimate a little high); files on disk count whole, as if they did not compress.
    """
    total = 22  # end of central directory
    for f in files:
        name = len(f.path.encode("utf-8"))
        total += 30 + 46 + 2 * name  # local header + central directory entry
        stored = PurePosixPath(f.path).suffix.lower() in STORED_SUFFIXES
        if f.in_memory and not stored:
            total += min(_deflated_size(f), f.size + 5)
        else:
            total += f.size
    return total


def _deflated_size(f: OutputFile) -> int:
    """zlib.compress(data, 6)'s length, piece by piece (a big page is never joined)."""
    deflate = zlib.compressobj(6)
    size = sum(len(deflate.compress(chunk)) for chunk in f.chunks())
    return size + len(deflate.flush())


def check_zip_size(rule: Rule, facts: PackageFacts) -> list[str]:
    limit = int(rule.data["max_bytes"])
    size = estimated_zip_bytes(facts.files)
    if size <= limit:
        return []
    return [f"the package would be {human_size(size)}; the limit is {human_size(limit)}"]


def check_one_root_file(rule: Rule, facts: PackageFacts) -> list[str]:
    name = str(rule.data["file"])
    found = sorted(f.path for f in facts.files if PurePosixPath(f.path).name == name)
    if found == [name]:
        return []
    if not found:
        return [f"the package has no {name}"]
    return [f"the package needs exactly one {name}, at its root; it has: {', '.join(found)}"]


def check_runtime_order(rule: Rule, facts: PackageFacts) -> list[str]:
    """``runtime[key]`` lists ``first`` before every one of ``then``."""
    order = list(facts.runtime.get(rule.data["key"]) or [])
    first, then = rule.data["first"], rule.data["then"]
    if first in order and all(t in order and order.index(first) < order.index(t) for t in then):
        return []
    return [f"the runtime sets {' and '.join(then)} before {first} ({rule.data['key']}={order})"]


def check_runtime_value(rule: Rule, facts: PackageFacts) -> list[str]:
    """``runtime[key]`` is one of ``allowed`` (a missing key counts as ``None``)."""
    key = rule.data["key"]
    value = facts.runtime.get(key)
    if value in rule.data["allowed"]:
        return []
    return [f"the runtime setting {key} is {value!r}, not one of {list(rule.data['allowed'])}"]


def check_runtime_at_most(rule: Rule, facts: PackageFacts) -> list[str]:
    key, limit = rule.data["key"], int(rule.data["max"])
    value = facts.runtime.get(key)
    if isinstance(value, int) and value <= limit:
        return []
    return [f"the runtime setting {key} is {value!r}; the LMS keeps at most {limit}"]


def check_target_is(rule: Rule, facts: PackageFacts) -> list[str]:
    if facts.target in rule.data["targets"]:
        return []
    return [f"{facts.title} is not what the LMS implements ({rule.data['implements']})"]


# ---------------------------------------------------------------------------------------------
# the rules, shared where two LMSs document the same thing

ZIP_250MB = Rule(
    "zip-size",
    "at most 250 MB per uploaded zip",
    check_zip_size,
    "make the media files smaller, or host large videos elsewhere and link them",
    data={"max_bytes": 250 * MB},
)
# What to choose in Moodle's SCORM activity, for both score rules (course.yaml ``score:``).
# Moodle's default grading method, 'Highest grade', takes the highest score.raw: 0 for an
# ungraded package, so a finisher would see 0 / 100. 'Learning objects' counts completed SCOs
# (a finisher gets 1 / 1); with ``score: progress`` a finisher sends 100.
MOODLE_GRADE_UNGRADED = (
    "Grade > Grading method 'Learning objects' (the course sends no score: Moodle's default "
    "'Highest grade' would show 0 / 100 to everyone who finished; 'Learning objects' gives a "
    "finisher 1 / 1)"
)
MOODLE_GRADE_PROGRESS = (
    "Grade > Grading method 'Highest grade' and Maximum grade 100 (the course sends the "
    "percent of it done as its score, 100 for a finisher, never passed or failed; 'Learning "
    "objects' works too)"
)
MOODLE_ATTEMPTS = (
    "Attempts management > Number of attempts 'Unlimited', Force new attempt 'No', "
    "Lock after final attempt 'No', Force completed 'No'"
)
MOODLE_COMPLETION = (
    "Activity completion > 'Require status: Completed' (not 'Passed': the course never "
    "reports passed)"
)

PROFILES: dict[str, Profile] = {
    "generic": Profile(
        "generic",
        "Any LMS",
        "scorm12",
        notes=(
            Note(
                f"in Moodle (or build with --lms moodle) choose {MOODLE_GRADE_UNGRADED}, or "
                "add 'score: progress' to course.yaml; "
                f"{MOODLE_ATTEMPTS}; {MOODLE_COMPLETION}.",
                applies_to=SCORM,
                score="none",
                graded=False,
            ),
            Note(
                f"in Moodle (or build with --lms moodle) choose {MOODLE_GRADE_PROGRESS}; "
                f"{MOODLE_ATTEMPTS}; {MOODLE_COMPLETION}.",
                applies_to=SCORM,
                score="progress",
                graded=False,
            ),
        ),
    ),
    "moodle": Profile(
        "moodle",
        "Moodle",
        "scorm12",
        rules=(
            Rule(
                "resume-needs-suspend",
                "resume works only when the SCO leaves with exit 'suspend' (cmi.core.exit / "
                "cmi.exit); otherwise the next launch is not a resume",
                check_runtime_value,
                "keep the Moodle profile's exit defaults",
                applies_to=SCORM,
                data={"key": "exitIncomplete", "allowed": ("suspend",)},
            ),
            Rule(
                "suspend-data-1.2",
                "SCORM 1.2 cmi.suspend_data holds 4096 characters (unless the admin lifts it)",
                check_runtime_at_most,
                "keep the SCORM 1.2 suspend_data limit at 4096",
                applies_to=SCORM,
                standards=frozenset({"SCORM 1.2"}),
                data={"key": "suspendDataLimit", "max": 4096},
            ),
        ),
        runtime=(
            # Moodle starts a new attempt, without the saved state, when a completed SCO left
            # with exit normal; leaving with suspend keeps the learner's reflections.
            # With "SCORM standards mode" off (a new install's default) Moodle keeps up to
            # 64,000 characters of cmi.suspend_data in a text column: the runtime probes that
            # once per session and falls back to the standard's limit on any doubt
            # (docs/lms-profiles.md).
            (
                SCORM,
                {
                    "exitIncomplete": "suspend",
                    "exitComplete": "suspend",
                    "suspendDataProbe": MOODLE_SUSPEND_DATA,
                },
            ),
        ),
        notes=(
            Note(
                "add the zip as a 'SCORM package' activity and choose these settings: "
                f"{MOODLE_GRADE_UNGRADED}; {MOODLE_ATTEMPTS}; {MOODLE_COMPLETION}.",
                applies_to=SCORM,
                score="none",
                graded=False,
            ),
            Note(
                "add the zip as a 'SCORM package' activity and choose these settings: "
                f"{MOODLE_GRADE_PROGRESS}; {MOODLE_ATTEMPTS}; {MOODLE_COMPLETION}.",
                applies_to=SCORM,
                score="progress",
                graded=False,
            ),
            Note(
                "add the zip as a 'SCORM package' activity and choose these settings: "
                "Grade > Grading method 'Highest grade', Maximum grade 100 (the course sends "
                "its score in percent, once every question is answered); Attempts management "
                "> Number of attempts 'Unlimited', Force new attempt 'No', Lock after final "
                "attempt 'No', Force completed 'No'; Activity completion > 'Require status: "
                "Passed' for a course whose completion rule is pass or all-tasks-and-pass "
                "('Require status: Completed' for all-tasks or all-items), and 'Require grade' "
                "if you want a grade too. The package has no mastery score: Moodle's 'mastery "
                "score overrides status' has nothing to override, the course sets passed or "
                "failed itself.",
                applies_to=SCORM,
                graded=True,
            ),
            Note(
                "Moodle plays SCORM packages only; an xAPI or cmi5 package needs an LMS plugin "
                "(e.g. a cmi5 launch plugin) and an LRS.",
                applies_to=XAPI_FAMILY,
            ),
        ),
    ),
    "cornerstone": Profile(
        "cornerstone",
        "Cornerstone",
        "scorm2004-3rd",
        rules=(
            ZIP_250MB,
            Rule(
                "scorm-2004-3rd",
                "Course Publisher implements SCORM 2004 3rd Edition and advises it",
                check_target_is,
                "build with --target scorm2004-3rd",
                applies_to=SCORM,
                data={
                    "targets": ("scorm2004-3rd", "scorm12"),
                    "implements": "SCORM 2004 3rd Edition",
                },
                severity="warning",
            ),
            Rule(
                "score-before-status",
                "the score must be set before the status (reports show 0 otherwise)",
                check_runtime_order,
                "keep the Cornerstone profile's statusOrder",
                applies_to=SCORM,
                data={"key": "statusOrder", "first": "score", "then": ("completion", "success")},
            ),
            Rule(
                "one-tincan-xml",
                "an xAPI zip has exactly one tincan.xml, at its root",
                check_one_root_file,
                "remove other tincan.xml files from the course's media folder",
                applies_to=XAPI,
                data={"file": "tincan.xml"},
            ),
            Rule(
                "no-completion-on-failed",
                "'failed' is not supported for xAPI courses: never send completion true with "
                "a failed result",
                check_runtime_value,
                "keep the Cornerstone profile's completionOnFailure default",
                applies_to=XAPI_FAMILY,
                data={"key": "completionOnFailure", "allowed": (False,)},
            ),
        ),
        runtime=(
            (SCORM, {"statusOrder": ["score", "completion", "success"]}),
            # a graded SCORM 2004 course that failed is not reported completed either
            (SCORM, {"completionOnFailure": False}),
            (XAPI_FAMILY, {"completionOnFailure": False}),
        ),
        notes=(
            Note(
                "the course's activity id (the course IRI, 'id' in course.yaml) must be unique "
                "in your portal: give a copy of the course its own id.",
                applies_to=XAPI,
            ),
        ),
    ),
    "scorm-cloud": Profile(
        "scorm-cloud",
        "SCORM Cloud",
        "scorm2004-4th",
    ),
}


@dataclass(frozen=True)
class Findings:
    """What a check found: problems (errors stop the build, warnings are printed) and notes
    for the LMS administrator."""

    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    def __add__(self, other: Findings) -> Findings:
        return Findings(
            self.problems + other.problems,
            self.notes + tuple(n for n in other.notes if n not in self.notes),
        )


def check_package(profile: Profile, facts: PackageFacts) -> Findings:
    """The profile's rules for one package, and its notes for that package."""
    where = facts.course.pos_of("lms")
    problems: list[Problem] = []
    for rule in profile.rules:
        if not rule.applies(facts):
            continue
        for message in rule.check(rule, facts):
            text = f"{profile.title} ({rule.id}): {facts.title}: {message}"
            problems.append(Problem(where, text, rule.hint, severity=rule.severity))
    notes = profile.notes_for(facts.manifest_file, facts.course.score.value, facts.course.graded)
    return Findings(tuple(problems), tuple(notes))
