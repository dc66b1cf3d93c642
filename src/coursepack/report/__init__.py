"""Completion reports: statements from an LRS -> aggregate -> table / CSV / JSON / HTML."""
