"""Targets, one class per standard, registered by name."""

from coursepack.targets import cmi5, scorm12, scorm2004, tincan
from coursepack.targets.base import TARGETS, Target, register

__all__ = ["TARGETS", "Target", "cmi5", "register", "scorm12", "scorm2004", "tincan"]
