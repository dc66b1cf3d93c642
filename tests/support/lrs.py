"""A real LRS for the tests: Ralph in a subprocess (see ``ralph_server.py``), on 127.0.0.1.

Typical use (the ``lrs`` fixture is in ``tests/conftest.py``)::

    def test_report_reads_statements(lrs):
        assert lrs.post([statement]).status_code == 200
        client = SomeClient(lrs.endpoint, lrs.auth_header)
        ...
        assert [s["verb"]["id"] for s in lrs.statements(verb=COMPLETED)] == [COMPLETED]

    def test_outbox_survives_an_outage(lrs):
        lrs.stop()      # same port and data dir on start()
        ...
        lrs.start()
"""

from __future__ import annotations

import atexit
import base64
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

import httpx

SERVER_SCRIPT = Path(__file__).with_name("ralph_server.py")
XAPI_VERSION = "1.0.3"
STATEMENTS_FILE = Path("statements") / "fs_lrs.jsonl"  # Ralph's fs backend default file
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _bcrypt_hash(password: str) -> str:
    import bcrypt  # Ralph's own dependency, also used by its Basic auth

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


class RalphLRS:
    """Controls one Ralph server: ``start()``, ``stop()``, ``clear()``, and a small client.

    The port and the data dir are fixed at construction, so ``stop()`` then ``start()`` brings
    the same LRS back on the same port with the statements it had.
    """

    username = "coursepack-tests"
    password = "coursepack-tests-password"
    # Ralph's auth file: a JSON list of {username, hash (bcrypt), scopes, agent}. `agent` is
    # required (it becomes the statements' authority); scopes are only enforced when
    # RALPH_LRS_RESTRICT_BY_SCOPES is set, and these are the ones a client needs.
    scopes = ("statements/write", "statements/read")
    agent: ClassVar[dict[str, str]] = {"mbox": "mailto:coursepack-tests@example.org"}

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port if port is not None else free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.origin}/xAPI/"
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        self.auth_header = f"Basic {token}"
        self.headers = {"Authorization": self.auth_header, "X-Experience-API-Version": XAPI_VERSION}
        self.auth_file = self.data_dir / "auth.json"
        self.log_file = self.data_dir / "ralph.log"
        self.auth_file.write_text(
            json.dumps(
                [
                    {
                        "username": self.username,
                        "hash": _bcrypt_hash(self.password),
                        "scopes": list(self.scopes),
                        "agent": self.agent,
                    }
                ]
            ),
            encoding="utf-8",
        )
        self._process: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (if it is not running) and wait until it answers."""
        if self.running:
            return
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",  # keep tests/support/ off sys.path: run as a plain script
                    str(SERVER_SCRIPT),
                    f"--port={self.port}",
                    f"--data-dir={self.data_dir}",
                    f"--auth-file={self.auth_file}",
                ],
                cwd=self.data_dir,  # Ralph reads a `.env` from its working directory
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self._process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.origin}/__lbheartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {START_TIMEOUT_S}s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); the data dir is kept."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def clear(self) -> None:
        """Forget every statement (Ralph's fs backend reads the file on each query)."""
        (self.data_dir / STATEMENTS_FILE).unlink(missing_ok=True)

    def log(self) -> str:
        """What the server printed (warnings and errors; tracebacks of 500s)."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")[-5000:]

    def post(self, statements: list[dict[str, Any]] | dict[str, Any]) -> httpx.Response:
        """POST statements as a client would; the response is returned, not checked."""
        return httpx.post(self.endpoint + "statements", json=statements, headers=self.headers)

    def statements(self, **params: Any) -> list[dict[str, Any]]:
        """GET every statement matching the xAPI query ``params``, following ``more`` links.

        ``agent`` may be given as a dict (it is sent as JSON). Ralph answers oldest first.
        """
        if isinstance(params.get("agent"), dict):
            params["agent"] = json.dumps(params["agent"])
        url: httpx.URL | None = httpx.URL(self.endpoint + "statements", params=params)
        found: list[dict[str, Any]] = []
        while url is not None:
            answer = httpx.get(url, headers=self.headers)
            answer.raise_for_status()
            page = answer.json()
            found.extend(page["statements"])
            more = page.get("more")
            # `more` is relative (Ralph: "/xAPI/statements?...") and carries the whole query.
            url = httpx.URL(urljoin(self.endpoint, more)) if more else None
        return found
