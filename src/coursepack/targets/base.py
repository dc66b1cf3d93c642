"""The target stage: one class per standard, chosen by name from a registry.

A target turns the rendered course into the files of one package: the shared content files
(from the render stage), the runtime configuration for its adapter, and its manifest. All
per-standard knowledge (namespaces, data-model limits, adapter names) lives in the target
classes and their tables; nothing outside ``targets/`` asks which standard it is building.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from coursepack.clock import Clock
from coursepack.credentials import HOW_TO_SET, lrs_authorization
from coursepack.errors import Problem
from coursepack.model import Course, Position
from coursepack.output import OutputFile
from coursepack.render import RenderedCourse, render_package_files
from coursepack.targets.profiles import Profile, check_profile
from coursepack.tracking import runtime_config


@dataclass
class BuildContext:
    """What a build knows besides the course: environment, LMS profile, clock, messages."""

    environ: Mapping[str, str]
    profile: Profile
    clock: Clock
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Target(ABC):
    name: ClassVar[str]
    title: ClassVar[str]
    manifest_file: ClassVar[str]
    #: per-standard settings handed to the runtime as ``config.target``
    runtime: ClassVar[dict[str, Any]]
    #: whether a course's dual-tracking LRS applies to this target (SCORM packages)
    dual_tracking: ClassVar[bool] = False

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

    def lrs_settings(self, course: Course, ctx: BuildContext) -> dict[str, Any] | None:
        """Dual tracking: endpoint + credential from the environment, never from the file."""
        if not (self.dual_tracking and course.lrs is not None):
            return None
        return {
            "endpoint": course.lrs.endpoint,
            "auth": lrs_authorization(ctx.environ),
            "actorHomePage": course.lrs.actor_homepage,
        }

    def build(
        self, course: Course, rendered: RenderedCourse, ctx: BuildContext
    ) -> list[OutputFile]:
        config = runtime_config(
            course, self.runtime_settings(course, ctx), self.lrs_settings(course, ctx)
        )
        files = render_package_files(rendered, adapters=self.adapters(course), config=config)
        files.extend(self.extra_files(course, ctx))
        manifest = self.manifest(course, files, ctx)
        return sorted([*files, OutputFile(self.manifest_file, manifest)], key=lambda f: f.path)

    def extra_files(self, course: Course, ctx: BuildContext) -> list[OutputFile]:
        return []

    @abstractmethod
    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        """The package manifest (imsmanifest.xml, tincan.xml, cmi5.xml)."""

    def check(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> list[Problem]:
        """Build-time rules of the standard and of the LMS profile; empty when all hold.

        Subclasses extend this (``[*super().check(...), ...]``) so the profile's rules run.
        """
        return check_profile(self, course, files, ctx)

    def package_name(self, course: Course) -> str:
        return f"{course.slug}-{course.version}-{self.name}.zip"


def dual_tracking_problems(course: Course, ctx: BuildContext) -> list[Problem]:
    """A dual-tracked package needs a credential; embedding one is worth a loud warning."""
    if course.lrs is None:
        return []
    if lrs_authorization(ctx.environ) is None:
        return [
            Problem(
                course.lrs.pos,
                "dual tracking is on but no LRS credential is set",
                f"{HOW_TO_SET} when you build; credentials never go in course.yaml",
            )
        ]
    warning = (
        "warning: this package carries an LRS credential for dual tracking. Anyone who can "
        "open the package can read it: use a write-only key limited to statements."
    )
    if warning not in ctx.warnings:
        ctx.warnings.append(warning)
    return []


TARGETS: dict[str, type[Target]] = {}


def register(cls: type[Target]) -> type[Target]:
    TARGETS[cls.name] = cls
    return cls


def course_position(course: Course) -> Position:
    return Position("course.yaml", 1, 1)
