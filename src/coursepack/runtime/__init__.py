"""The JavaScript shipped in packages (package data): core.js and one adapter per standard.

See docs/runtime.md for the adapter interface and the events core.js emits.
"""
