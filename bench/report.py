"""Report benchmark: wall time and peak memory of a completion report, against the floor.

The floor is the time to page through the very same statements with the same client without
aggregating anything: what any report must pay. Both run in fresh processes, in the same run,
against a fast local source, so the LRS's own speed is not what is measured:

- ``StatementServer``: a stdlib HTTP server on 127.0.0.1 that pages a pre-generated file of
  statements (``more`` links like Ralph's, or endpoint-relative / absolute ones for the tests).
- the statements: ``learners`` x sessions of a generated course (20 TASKs, 10 READs), with
  reflections, re-completions and some voided completions - shaped like the runtime's.

Figures: seconds and peak RSS (VmHWM of the measuring process) for the floor and the report
(the voided query, the course query, aggregation, the JSON rendering), and their ratio; memory at
two sizes shows whether it stays flat. Nothing here asserts a time.

    python -m bench report [--statements 100000] [--page-size 500] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
LINK_STYLES = ("host", "endpoint", "absolute")


# -- the local statement source ------------------------------------------------------------------


class StatementServer:
    """Pages a list of statement JSON lines over HTTP, like an LRS's GET statements.

    ``GET /xAPI/statements?verb=<voided>`` answers the voiding statements; any other query the
    rest, paged by ``limit``, with ``more`` links in ``link_style``. Without
    ``related_activities=true`` an ``activity`` filter matches object ids only.
    ``reject_related`` answers 400 to ``related_activities`` (an LRS without it).
    """

    def __init__(
        self,
        lines: list[bytes],
        *,
        link_style: str = "host",
        reject_related: bool = False,
        auth: str | None = None,
    ) -> None:
        assert link_style in LINK_STYLES
        self.link_style = link_style
        self.reject_related = reject_related
        self.auth = auth
        self.voiding: list[bytes] = []
        self.main: list[bytes] = []
        for line in lines:
            (self.voiding if _is_voiding(line) else self.main).append(line)
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path?query, headers)
        self._pages: dict[tuple[str, int], list[bytes]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.origin}/xAPI/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @classmethod
    def from_file(cls, path: Path, **options: Any) -> StatementServer:
        """Serve a JSON-lines file of statements."""
        with path.open("rb") as source:
            return cls([line.rstrip(b"\n") for line in source if line.strip()], **options)

    def __enter__(self) -> StatementServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def pages(self, key: str, limit: int) -> list[bytes]:
        """The bodies of every page of one query (built once, then served as they are)."""
        with self._lock:
            cached = self._pages.get((key, limit))
            if cached is not None:
                return cached
            if key == "voided":
                lines = self.voiding
            elif key == "all":
                lines = self.main
            else:
                lines = [line for line in self.main if json.loads(line)["object"]["id"] == key]
            chunks = [lines[i : i + limit] for i in range(0, len(lines), limit)] or [[]]
            bodies = []
            for number, chunk in enumerate(chunks):
                more = b""
                if number + 1 < len(chunks):
                    query = urlencode({"q": key, "limit": limit, "page": number + 1})
                    more = {
                        "host": f"/xAPI/statements?{query}",
                        "endpoint": f"statements?{query}",
                        "absolute": f"{self.endpoint}statements?{query}",
                    }[self.link_style].encode()
                bodies.append(b'{"statements":[' + b",".join(chunk) + b'],"more":"' + more + b'"}')
            self._pages[(key, limit)] = bodies
            return bodies

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each page waits for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                parts = urlsplit(self.path)
                if parts.path.rstrip("/") != "/xAPI/statements":
                    return self._send(404, b'{"detail":"not found"}')
                if server.auth and self.headers.get("Authorization") != server.auth:
                    return self._send(401, b'{"detail":"bad credentials"}')
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if "related_activities" in query and server.reject_related:
                    return self._send(400, b'{"detail":"related_activities is not supported"}')
                if "q" in query:
                    key = query["q"]
                elif query.get("verb") == VOIDED:
                    key = "voided"
                elif "activity" in query and query.get("related_activities") != "true":
                    key = query["activity"]
                else:
                    key = "all"
                limit = int(query.get("limit", "100") or 100)
                pages = server.pages(key, limit)
                number = int(query.get("page", "0"))
                self._send(200, pages[number] if number < len(pages) else pages[-1])

        return Handler


def _is_voiding(line: bytes) -> bool:
    if VOIDED.encode() not in line:
        return False
    data = json.loads(line)
    return bool(data.get("verb", {}).get("id") == VOIDED)


# -- the generated course and statements ---------------------------------------------------------


def bench_course(modules: int = 5, tasks: int = 4, reads: int = 2) -> Any:
    """A course of ``modules`` x (``reads`` READs + ``tasks`` TASKs)."""
    from coursepack.model import CompletionRule, Course, Item, ItemKind, Module, Position, Section

    pos = Position("modules/bench.md", 1, 1)
    built = []
    for m in range(1, modules + 1):
        items = [
            Item(
                f"read-{r}",
                ItemKind.READ,
                f"Reading {m}.{r}",
                "",
                f"https://ex.org/{m}/{r}",
                None,
                pos,
            )
            for r in range(1, reads + 1)
        ] + [
            Item(f"task-{t}", ItemKind.TASK, f"Task {m}.{t}", "", None, f"Prompt {m}.{t}", pos)
            for t in range(1, tasks + 1)
        ]
        section = Section("s", "Section", tuple(items), "", pos)
        built.append(Module(f"module-{m}", f"Module {m}", "", (section,), pos))
    return Course(
        id="https://courses.example.org/bench",
        title="Benchmark course",
        description="",
        language="en",
        version="1",
        completion=CompletionRule.ALL_TASKS,
        modules=tuple(built),
        root=Path("."),
    )


def generate(count: int, learners: int = 200, seed: int = 7) -> list[bytes]:
    """``count`` statements (JSON lines) of ``learners`` working through ``bench_course``.

    The learners are fixed, so a larger ``count`` means more sessions per learner (opening
    READs again, now and then completing a TASK again): past the first ~20,000 statements the
    report's content hardly changes, and any growth of memory comes from the statements.
    """
    from coursepack.xapi import vocab
    from tests.support.statements import activity_index

    course = bench_course()
    index = activity_index(course)
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    verbs = vocab.VERBS
    items = [(m, i) for m in course.modules for i in m.items]
    reads = [(m, i) for m, i in items if not i.is_task]
    done: set[tuple[int, str]] = set()
    lines: list[bytes] = []
    voiding: list[bytes] = []
    learner = 0

    def emit(actor: dict[str, Any], verb: str, iri: str, at: datetime, **extra: Any) -> str:
        info = index[iri]
        context: dict[str, Any] = {"registration": str(uuid.UUID(int=learner))}
        if info.ancestors:
            context["contextActivities"] = {
                "parent": [{"id": info.parent[0]}],
                "grouping": [{"id": a} for a in info.grouping],
            }
        ident = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        statement = {
            "id": ident,
            "actor": actor,
            "verb": {"id": verbs[verb], "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": iri, "definition": info.definition},
            "context": context,
            "timestamp": stamp,
            "stored": stamp,
            "authority": {"objectType": "Agent", "mbox": "mailto:lrs@example.org"},
            "version": "1.0.0",
            **extra,
        }
        lines.append(json.dumps(statement, separators=(",", ":")).encode())
        return ident

    while len(lines) < count:
        learner = learner % learners + 1
        actor = {
            "objectType": "Agent",
            "name": f"Learner {learner}",
            "mbox": f"mailto:learner{learner}@example.org",
        }
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        for session in range(rng.randint(2, 6)):
            emit(actor, "initialized" if session == 0 else "resumed", course.id, at)
            for module, item in rng.sample(items, rng.randint(3, 10)):
                at += timedelta(minutes=rng.randint(1, 30))
                iri = vocab.item_iri(course, module, item)
                if item.is_task and (learner, iri) in done and rng.random() > 0.05:
                    module, item = rng.choice(reads)  # done before: reads instead (mostly)
                    iri = vocab.item_iri(course, module, item)
                if item.is_task:
                    done.add((learner, iri))
                    words = " ".join(
                        rng.choice(("team", "data", "impact", "we", "plan"))
                        for _ in range(rng.randint(10, 40))
                    )
                    ident = emit(
                        actor, "completed", iri, at, result={"completion": True, "response": words}
                    )
                    if rng.random() < 0.01:  # an administrator voids it later
                        voiding.append(
                            json.dumps(
                                {
                                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                    "actor": {
                                        "objectType": "Agent",
                                        "mbox": "mailto:admin@example.org",
                                    },
                                    "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
                                    "object": {"objectType": "StatementRef", "id": ident},
                                    "timestamp": "2024-06-01T00:00:00.000Z",
                                    "stored": "2024-06-01T00:00:00.000Z",
                                },
                                separators=(",", ":"),
                            ).encode()
                        )
                else:
                    emit(actor, "experienced", iri, at)
            emit(actor, "suspended", course.id, at + timedelta(minutes=1))
            at += timedelta(days=rng.randint(1, 9))
    return lines[:count] + voiding


# -- measuring ----------------------------------------------------------------------------------


def _child_main(mode: str, endpoint: str, page_size: int, parser: str) -> None:
    """Run in a fresh process: page (floor) or report, print seconds and peak RSS."""
    if parser == "stdlib":
        sys.modules["orjson"] = None  # type: ignore[assignment]  # import orjson -> ImportError
    from coursepack.report.fetch import Query, related_queries
    from coursepack.report.html import render_html  # noqa: F401 - same imports as "report"
    from coursepack.report.jsonfmt import render_json
    from coursepack.report.run import Options, build_report
    from coursepack.xapi.client import LrsClient

    course = bench_course()
    cpu = _cpu()
    started = time.perf_counter()
    if mode == "floor":
        count = 0
        with LrsClient(endpoint, page_size=page_size) as client:
            for page in client.pages(related_queries(course, Query())[0]):
                count += len(page.statements)
    else:
        options = Options(endpoint=endpoint, auth=None, query=Query(), page_size=page_size)
        report = build_report(course, options, now=datetime(2024, 7, 1, tzinfo=UTC))
        render_json(report)
        count = report.stats.statements_received
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": _peak_kb(), "statements": count}))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_kb() -> int:
    """Peak RSS of this process: VmHWM (ru_maxrss survives exec, so it would count the
    benchmark parent's memory at the time of the fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _measure(mode: str, endpoint: str, page_size: int, parser: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.report", "--child", mode, endpoint, str(page_size), parser],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({mode}):\n{proc.stderr}")
    data: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def run(sizes: list[int], page_size: int, repeat: int, parser: str) -> list[dict[str, Any]]:
    rows = []
    work = Path(tempfile.mkdtemp(prefix="coursepack-bench-report-"))
    for size in sizes:
        data = work / f"statements-{size}.jsonl"
        data.write_bytes(b"\n".join(generate(size)) + b"\n")
        with StatementServer.from_file(data) as server:
            server.pages("all", page_size)  # build the page bodies before timing
            server.pages("voided", page_size)
            runs: dict[str, list[dict[str, float]]] = {"floor": [], "report": []}
            for _ in range(repeat):  # interleaved, so drifts of the machine hit both alike
                for mode in ("floor", "report"):
                    runs[mode].append(_measure(mode, server.endpoint, page_size, parser))
        floor = min(r["seconds"] for r in runs["floor"])
        report = min(r["seconds"] for r in runs["report"])
        floor_cpu = min(r["cpu"] for r in runs["floor"])
        report_cpu = min(r["cpu"] for r in runs["report"])
        rows.append(
            {
                "statements": size,
                "page_size": page_size,
                "floor_seconds": round(floor, 3),
                "report_seconds": round(report, 3),
                "ratio": round(report / floor, 2),
                "floor_cpu_seconds": round(floor_cpu, 3),
                "report_cpu_seconds": round(report_cpu, 3),
                "cpu_ratio": round(report_cpu / floor_cpu, 2),
                "floor_peak_mb": round(max(r["peak_kb"] for r in runs["floor"]) / 1024, 1),
                "report_peak_mb": round(max(r["peak_kb"] for r in runs["report"]) / 1024, 1),
            }
        )
    shutil.rmtree(work, ignore_errors=True)
    return rows


def _json_module() -> str:
    try:
        import orjson  # noqa: F401
    except ImportError:
        return "stdlib"
    return "orjson"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child_main(argv[1], argv[2], int(argv[3]), argv[4])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--statements", type=int, default=100_000, help="largest size")
    parser.add_argument("--small", type=int, default=20_000, help="smaller size (memory check)")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument(
        "--stdlib-json", action="store_true", help="parse with the stdlib even if orjson is there"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    sizes = sorted({args.small, args.statements}) if args.small else [args.statements]
    json_parser = "stdlib" if args.stdlib_json else _json_module()
    rows = run(sizes, args.page_size, args.repeat, json_parser)
    if args.json:
        print(json.dumps({"json": json_parser, "rows": rows}, indent=2))
        return 0
    print(f"JSON parser: {json_parser}; page size {args.page_size}; best of {args.repeat}")
    print(
        f"{'statements':>10}{'floor s':>9}{'report s':>10}{'ratio':>7}"
        f"{'floor cpu':>11}{'report cpu':>12}{'ratio':>7}{'floor MB':>10}{'report MB':>11}"
    )
    for r in rows:
        print(
            f"{r['statements']:>10}{r['floor_seconds']:>9.3f}{r['report_seconds']:>10.3f}"
            f"{r['ratio']:>7.2f}{r['floor_cpu_seconds']:>11.3f}{r['report_cpu_seconds']:>12.3f}"
            f"{r['cpu_ratio']:>7.2f}{r['floor_peak_mb']:>10.1f}{r['report_peak_mb']:>11.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
