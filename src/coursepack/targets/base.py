"""The target stage: one class per standard, chosen by name from a registry.

A target turns the rendered course into the files of one package: the shared content files
(from the render stage), the runtime configuration for its adapter, and its manifest. All
per-standard knowledge (namespaces, data-model limits, adapter names, its own ``course.yaml``
options and limits) lives in the target classes and their tables; nothing outside
``targets/`` asks which standard it is building.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from coursepack.clock import Clock
from coursepack.credentials import HOW_TO_SET, lrs_authorization
from coursepack.errors import Problem, Problems
from coursepack.model import Course, Position
from coursepack.output import OutputFile
from coursepack.profiles import Findings, PackageFacts, Profile, check_package
from coursepack.render import LAUNCH_FILE, RenderedCourse, render_package_files
from coursepack.tracking import LrsRuntime, runtime_config


@dataclass(frozen=True)
class BuildContext:
    """What a build knows besides the course: environment, LMS profile and clock."""

    environ: Mapping[str, str]
    profile: Profile
    clock: Clock


class InvariantBroken(AssertionError):
    """Something coursepack itself must guarantee did not hold: a bug, never a user problem."""


def invariant(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantBroken(message)


class Target(ABC):
    name: ClassVar[str]
    title: ClassVar[str]
    manifest_file: ClassVar[str]
    #: per-standard settings handed to the runtime as ``config.target``
    runtime: ClassVar[dict[str, Any]]
    #: whether a course's dual-tracking LRS applies to this target (SCORM packages)
    dual_tracking: ClassVar[bool] = False
    #: the package's runtime makes xAPI statements by itself (its configuration then carries
    #: the activities' definitions; a SCORM package carries them only with dual tracking)
    sends_statements: ClassVar[bool] = False
    #: the course.yaml key holding this target's own options (None: it has none)
    options_key: ClassVar[str | None] = None
    #: limits of the standard on course text, as characters: "title", "version"
    limits: ClassVar[Mapping[str, int]] = {}

    # -- course.yaml: the target's options and limits ----------------------------------------

    @classmethod
    def parse_options(cls, value: Any, pos: Position, problems: Problems) -> Any:
        """Check this target's ``course.yaml`` options (the raw value at ``options_key``, with
        positions) and return them frozen; problems go to ``problems``."""
        return None

    @classmethod
    def check_course(cls, course: Course) -> list[Problem]:
        """The standard's limits on the course's text (a course must build for any target)."""
        found: list[Problem] = []
        title_max = cls.limits.get("title")
        if title_max:
            titled = [(course.title, course.pos_of("title"), "'title'")] + [
                (m.title, m.title_pos or m.pos, "module title") for m in course.modules
            ]
            for text, pos, what in titled:
                if len(text) > title_max:
                    found.append(
                        Problem(
                            pos,
                            f"{what} is {len(text)} characters; LMSs allow at most {title_max}",
                            "shorten it",
                        )
                    )
        version_max = cls.limits.get("version")
        if version_max and len(course.version) > version_max:
            found.append(
                Problem(
                    course.pos_of("version"),
                    f"'version' is {len(course.version)} characters; LMSs allow at most "
                    f"{version_max}",
                    "shorten it",
                )
            )
        return found

    # -- the package ---------------------------------------------------------------------------

    def adapters(self, course: Course) -> list[str]:
        names = [str(self.runtime["adapter"])]
        if self.dual_tracking and course.lrs is not None:
            names.insert(0, "xapi")
        return names

    def runtime_settings(self, course: Course, ctx: BuildContext) -> dict[str, Any]:
        # the LMS profile's runtime defaults (e.g. Moodle's cmi.exit) win over the table
        return {
            "name": self.name,
            **self.runtime,
            **ctx.profile.runtime_defaults(self.manifest_file),
        }

    def lrs_settings(self, course: Course, ctx: BuildContext) -> LrsRuntime | None:
        """Dual tracking: endpoint + credential from the environment, never from the file."""
        if not (self.dual_tracking and course.lrs is not None):
            return None
        return LrsRuntime(
            endpoint=course.lrs.endpoint,
            auth=lrs_authorization(ctx.environ),
            actor_home_page=course.lrs.actor_homepage,
        )

    def build(
        self, course: Course, rendered: RenderedCourse, ctx: BuildContext
    ) -> list[OutputFile]:
        lrs = self.lrs_settings(course, ctx)
        config = runtime_config(
            course,
            self.runtime_settings(course, ctx),
            lrs,
            definitions=self.sends_statements or lrs is not None,
        )
        files = render_package_files(rendered, adapters=self.adapters(course), config=config)
        files.extend(self.extra_files(course, ctx))
        manifest = self.manifest(course, files, ctx)
        built = sorted([*files, OutputFile(self.manifest_file, manifest)], key=lambda f: f.path)
        paths = [f.path for f in built]
        invariant(len(paths) == len(set(paths)), f"{self.name}: a package path is written twice")
        invariant(self.manifest_file in paths, f"{self.name}: no {self.manifest_file} at the root")
        invariant(LAUNCH_FILE in paths, f"{self.name}: the launch file {LAUNCH_FILE} is missing")
        return built

    def extra_files(self, course: Course, ctx: BuildContext) -> list[OutputFile]:
        return []

    @abstractmethod
    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        """The package manifest (imsmanifest.xml, tincan.xml, cmi5.xml)."""

    def facts(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> PackageFacts:
        return PackageFacts(
            target=self.name,
            title=self.title,
            manifest_file=self.manifest_file,
            files=files,
            runtime=self.runtime_settings(course, ctx),
            course=course,
        )

    def check(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> Findings:
        """The LMS profile's rules for this package, and its notes; subclasses add their own
        (``super().check(...) + Findings(...)``)."""
        return check_package(ctx.profile, self.facts(course, files, ctx))

    def package_name(self, course: Course) -> str:
        return f"{course.slug}-{course.version}-{self.name}.zip"


def dual_tracking_findings(course: Course, ctx: BuildContext) -> Findings:
    """A dual-tracked package needs a credential; embedding one is worth a loud warning."""
    if course.lrs is None:
        return Findings()
    if lrs_authorization(ctx.environ) is None:
        return Findings(
            (
                Problem(
                    course.lrs.pos,
                    "dual tracking is on but no LRS credential is set",
                    f"{HOW_TO_SET} when you build; credentials never go in course.yaml",
                ),
            )
        )
    return Findings(
        (
            Problem(
                course.lrs.pos,
                "this package carries an LRS credential for dual tracking; anyone who can open "
                "the package can read it",
                "use a write-only key limited to statements",
                severity="warning",
            ),
        )
    )


TARGETS: dict[str, type[Target]] = {}


def register(cls: type[Target]) -> type[Target]:
    """Add a target class to the registry; a second class of the same name is refused."""
    if cls.name in TARGETS and TARGETS[cls.name] is not cls:
        raise ValueError(
            f"a target named {cls.name!r} is already registered ({TARGETS[cls.name].__name__})"
        )
    TARGETS[cls.name] = cls
    return cls
