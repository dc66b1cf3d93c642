"""Run Ralph's LRS (``ralph.api:app``) with uvicorn on 127.0.0.1, for the tests.

Started as a subprocess by ``tests/support/lrs.py`` (``python tests/support/ralph_server.py
--port N --data-dir DIR --auth-file FILE``), not with ``ralph runserver``, which reloads on file
changes. Statements are kept by Ralph's filesystem backend in ``DIR/statements/fs_lrs.jsonl``,
so a restart on the same data dir keeps them.

Two upstream bugs of Ralph's filesystem backend (ralph-malph 5.1.0) are patched here, at import
time, before the app is loaded; nothing else of Ralph is changed:

(a) ``FSDataBackend.default_operation_type`` is ``CREATE`` and the LRS backend always writes to
    the same file, so every POST after the first fails with 500 ("fs_lrs.jsonl already exists
    and overwrite is not allowed"). Patch: the LRS backend appends (``APPEND``).
(b) The statements router turns the ``verb`` and ``activity`` query parameters into ``IRI``
    objects, and ``FSLRSBackend._add_filter_by_verb`` / ``_add_filter_by_activity`` compare
    them with the stored strings, which never match: a filtered GET returns nothing. Patch: the
    filters get ``str(iri)``.

Ralph's own quirks are left alone, since code under test must cope with them in the wild: no
State (or other document) resource, no ``/xAPI/about``, statements oldest first, 409 when a
statement id is re-sent with a different body (or without a timestamp), relative ``more`` links.

CORS: Ralph's own middleware (``RALPH_RUNSERVER_CORS_ALLOW_ORIGINS``) does not allow OPTIONS or
HEAD and exposes no header, so it stays off and Starlette's middleware is added instead, for any
loopback origin (the test pages are served from 127.0.0.1 on random ports).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

CORS_ORIGINS = r"http://(127\.0\.0\.1|localhost)(:\d+)?"
CORS_METHODS = ["GET", "POST", "PUT", "OPTIONS", "HEAD", "DELETE"]
CORS_HEADERS = ["Authorization", "Content-Type", "X-Experience-API-Version"]
CORS_EXPOSE = [
    "X-Experience-API-Version",
    "X-Experience-API-Consistent-Through",
    "ETag",
    "Last-Modified",
    "Content-Type",
]


def configure(data_dir: Path, auth_file: Path) -> None:
    """Ralph reads its settings from the environment when it is imported."""
    for name in list(os.environ):
        if name.startswith("RALPH_"):
            del os.environ[name]
    os.environ.update(
        {
            "RALPH_APP_DIR": str(data_dir),
            "RALPH_AUTH_FILE": str(auth_file),
            "RALPH_HISTORY_FILE": str(data_dir / "history.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data_dir / "statements"),
        }
    )


def patch_fs_backend() -> None:
    """Work around the two upstream bugs described in the module docstring."""
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    # (a) every write after the first one failed: append instead of create.
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    # (b) IRI objects never equal the stored strings: compare as str.
    by_verb = FSLRSBackend._add_filter_by_verb
    by_activity = FSLRSBackend._add_filter_by_activity

    def add_filter_by_verb(filters: list[Any], verb_id: Any) -> None:
        by_verb(filters, str(verb_id) if verb_id else verb_id)

    def add_filter_by_activity(filters: list[Any], object_id: Any, related: Any) -> None:
        by_activity(filters, str(object_id) if object_id else object_id, related)

    FSLRSBackend._add_filter_by_verb = staticmethod(add_filter_by_verb)
    FSLRSBackend._add_filter_by_activity = staticmethod(add_filter_by_activity)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--auth-file", type=Path, required=True)
    parser.add_argument(
        "--check", action="store_true", help="import the app as the server would, then exit"
    )
    args = parser.parse_args()

    configure(args.data_dir.resolve(), args.auth_file.resolve())
    patch_fs_backend()
    if args.check:
        import ralph.api  # noqa: F401  (a package it needs but does not declare fails here)

        return

    import uvicorn
    from fastapi.middleware.cors import CORSMiddleware
    from ralph.api import app

    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=CORS_ORIGINS,
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=CORS_EXPOSE,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
