"""LRS location and credentials from the environment: read here, for build and report alike.

A credential never comes from a course file or a command-line option (both end up in shell
histories, logs and repositories).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Final

from coursepack.errors import UserError

ENV_ENDPOINT: Final = "COURSEPACK_LRS_ENDPOINT"
ENV_USERNAME: Final = "COURSEPACK_LRS_USERNAME"
ENV_PASSWORD: Final = "COURSEPACK_LRS_PASSWORD"
ENV_AUTH: Final = "COURSEPACK_LRS_AUTH"

HOW_TO_SET = f"set {ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_AUTH} to a whole Authorization value"


def basic_auth(username: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP Basic credentials."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def lrs_authorization(environ: Mapping[str, str]) -> str | None:
    """The Authorization value from the environment, or None when none is set.

    ``COURSEPACK_LRS_AUTH`` (a whole header value, e.g. ``Basic abc=`` or a cmi5 token) wins
    over ``COURSEPACK_LRS_USERNAME`` + ``COURSEPACK_LRS_PASSWORD``; one of those two without
    the other is a user error naming the missing one.
    """
    header = environ.get(ENV_AUTH, "").strip()
    if header:
        return header
    username = environ.get(ENV_USERNAME, "")
    password = environ.get(ENV_PASSWORD, "")
    if username or password:
        if not (username and password):
            missing = ENV_PASSWORD if username else ENV_USERNAME
            raise UserError(f"{missing} is not set ({HOW_TO_SET})")
        return basic_auth(username, password)
    return None
