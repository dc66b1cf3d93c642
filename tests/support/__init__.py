"""Shared infrastructure of the end-to-end tests: browser, LMS harness, LRS, validators.

The fixtures that use these modules are in ``tests/conftest.py``. Tests of this infrastructure
are in ``tests/support_tests/``.
"""
