"""coursepack: compile a course folder into SCORM 1.2, SCORM 2004, xAPI/TinCan and cmi5 packages."""

__version__ = "0.1.0"
