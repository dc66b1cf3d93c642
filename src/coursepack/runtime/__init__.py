"""The JavaScript shipped in packages (package data): small plain scripts with one job each,
and one adapter per standard. ``coursepack.render.RUNTIME_NEEDS`` says which a package loads.

See docs/runtime.md for the files, the adapter interface and the events core.js emits.
"""
