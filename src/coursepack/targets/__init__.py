"""Targets, one class per standard, registered by name."""

from coursepack.targets import scorm12, tincan
from coursepack.targets.base import TARGETS, Target, register

__all__ = ["TARGETS", "Target", "register", "scorm12", "tincan"]
