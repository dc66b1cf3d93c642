"""The runtime's pure logic under Node's own test runner (tests/runtime/node/*.test.js):
state packing and merging, the SCORM value normalisation, the outbox, launch parsing, the
device copy and the order in which a session ends. Fake fetch, storage and clock; no browser.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.env import require_node

NODE_TESTS = Path(__file__).with_name("node")


def test_node_unit_tests_of_the_runtime_pass() -> None:
    node = require_node()
    files = sorted(str(p) for p in NODE_TESTS.glob("*.test.js"))
    assert len(files) >= 7, files
    run = subprocess.run(
        [node, "--test", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=NODE_TESTS,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"node --test failed:\n{output}"
    assert "# fail 0" in output and "# pass " in output, output
