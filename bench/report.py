"""Report benchmark: time and peak memory of a completion report, as ratios to the floor.

The floor is paging through the very same statements with the same client without aggregating
anything: what any report must pay. Both run in fresh processes, interleaved in pairs
(floor, report, floor, report, ...) against a fast local source, so the LRS's own speed is not
what is measured and a drift of the (shared) machine hits both alike:

- ``StatementServer``: a stdlib HTTP server on 127.0.0.1 that pages files of statements
  (``more`` links like Ralph's), read from disk page by page, so 1,000,000 statements do not
  have to sit in the benchmark's memory.
- the statements: learners working through a generated course (20 TASKs, 10 READs) in
  sessions, with reflections, re-completions and some voided completions, shaped like the
  runtime's.

Figures per size, all through ``bench.paired`` (one warm-up of each side, not counted, then at
least 5 pairs, alternating which side goes first): report / floor of the wall time, of the CPU
time and of the peak RSS (VmHWM of each measuring process), each the median of the paired ratios
with their min and max, the machine's load before and after, and a warning when the ratios
spread too widely or the machine was busy. The report is the voided query, the course query,
the aggregation and the JSON rendering (streamed to /dev/null). Nothing here asserts a time.

Where the report's time goes (``--profile``, 100,000 statements of 200 learners, orjson, pages
of 500; run at load ~9-13 on 2 cores, so the seconds are inflated, the shares are what counts):

       ncalls  tottime  cumtime  function
          201    1.279    1.279  {orjson.loads}                   parsing the pages (floor too)
          200    1.004    1.315  aggregate.py: Aggregator.add_all  the aggregation
            1    0.373    4.620  fetch.py: stream                  freeing each page's statements
                                                                   when the next comes (floor too)
         1493    0.284    0.284  {method 'recv' of socket}         reading the answers (floor too)
       679122    0.236    0.236  {method 'get' of 'dict'}         ~7 a statement, in add_all
         1608    0.191    0.191  {method 'release' of lock}       httpx/httpcore (floor too)
          201    0.164    0.164  {method 'send' of socket}

So the report pays the floor plus ``add_all``; the rest (the report's rows, the JSON of 200
learners, the voided query) is small. ``add_all`` on pre-parsed pages, in process (CPU time, min
of 7, same load), step by step: reading a statement's fields 0.69 us, the mbox IFI check 0.49,
the timestamp (``fromisoformat`` and the zone) 0.44, finding the learner and their first/last
0.24, the name, the verb's branch and the records 1.06: ~3.0 us a statement, against ~8.4 us to
parse it with orjson (which coursepack uses already; the stdlib's ``json`` is ~1.5x slower).
The field reads are memory-bound (each statement's dicts are touched once, after the parse);
what is left to shave is a few tenths of a microsecond per step. Levers tried: counting a page
by its length and comparing the graded verbs instead of hashing them (~1-2 %, at the noise);
``__slots__`` and small-int activity slots were in place already; interning does not apply
(every string of a page is new, and orjson already caches its keys).

    python -m bench report                 # 20,000 and 100,000 statements of 200 learners
    python -m bench report --large         # and 1,000,000 statements of 300,000 learners
    python -m bench report --profile       # cProfile of the report of 100,000 statements
    python -m bench report --profile --large   # ... of 1,000,000 statements, 300,000 learners
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import mmap
import os
import pstats
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
from typing import IO, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.paired import Paired, cores, paired, print_header

REPO = Path(__file__).resolve().parents[1]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


# -- the local statement source ------------------------------------------------------------------


class StatementServer:
    """Pages two JSON-lines files over HTTP, like an LRS's GET statements.

    ``GET /xAPI/statements?verb=<voided>`` answers the voiding statements (``voided``), any
    other query the rest (``main``), paged by ``limit``, with host-relative ``more`` links.
    Only the byte offsets of the pages are kept; each page is read from the (mapped) file.
    (The tests have their own, fuller copy in ``tests/support/statement_server.py``.)
    """

    def __init__(self, main: Path, voided: Path) -> None:
        self._files = {"all": main, "voided": voided}
        self._maps: dict[str, mmap.mmap | bytes] = {}
        for key, path in self._files.items():
            with path.open("rb") as source:
                self._maps[key] = (
                    mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
                    if path.stat().st_size
                    else b""
                )
        self._offsets: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> StatementServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        for data in self._maps.values():
            if isinstance(data, mmap.mmap):
                data.close()

    def offsets(self, key: str, limit: int) -> list[tuple[int, int]]:
        """(start, end) of every page of one query in its file (found once, then kept)."""
        with self._lock:
            found = self._offsets.get((key, limit))
            if found is not None:
                return found
            data = self._maps[key]
            pages, start, position, lines = [], 0, 0, 0
            while position < len(data):
                end = data.find(b"\n", position)
                position = len(data) if end < 0 else end + 1
                lines += 1
                if lines == limit:
                    pages.append((start, position))
                    start, lines = position, 0
            if lines or not pages:
                pages.append((start, position))
            self._offsets[(key, limit)] = pages
            return pages

    def body(self, key: str, limit: int, number: int) -> bytes:
        pages = self.offsets(key, limit)
        start, end = pages[min(number, len(pages) - 1)]
        chunk = bytes(self._maps[key][start:end]).rstrip(b"\n").replace(b"\n", b",")
        more = b""
        if number + 1 < len(pages):
            link = f"/xAPI/statements?{urlencode({'q': key, 'limit': limit, 'page': number + 1})}"
            more = link.encode()
        return b'{"statements":[' + chunk + b'],"more":"' + more + b'"}'

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each page waits for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if "q" in query:
                    key = query["q"]
                else:
                    key = "voided" if query.get("verb") == VOIDED else "all"
                limit = int(query.get("limit", "100") or 100)
                body = server.body(key, limit, int(query.get("page", "0")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.end_headers()
                self.wfile.write(body)

        return Handler


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


def generate(
    out: IO[bytes],
    voided_out: IO[bytes],
    count: int,
    learners: int = 200,
    seed: int = 7,
    *,
    short_visits: bool = False,
) -> int:
    """Writes ``count`` statements (JSON lines) of ``learners`` working through ``bench_course``
    to ``out``, and the voiding statements to ``voided_out``; returns how many learners came.

    With ``short_visits`` each visit of a learner is one short session (3 statements on
    average), so 1,000,000 statements reach 300,000 learners: the report's memory then follows
    the learners.

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
    written = 0
    learner = 0
    seen = 0

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
        nonlocal written
        if written < count:
            out.write(json.dumps(statement, separators=(",", ":")).encode() + b"\n")
            written += 1
        return ident

    while written < count:
        learner = learner % learners + 1
        seen = max(seen, learner)
        actor = {
            "objectType": "Agent",
            "name": f"Learner {learner}",
            "mbox": f"mailto:learner{learner}@example.org",
        }
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        for session in range(1 if short_visits else rng.randint(2, 6)):
            emit(actor, "initialized" if session == 0 else "resumed", course.id, at)
            opened = rng.randint(0, 2) if short_visits else rng.randint(3, 10)
            for module, item in rng.sample(items, opened):
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
                    if rng.random() < 0.01 and written <= count:  # voided later by an admin
                        voided_out.write(
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
                            + b"\n"
                        )
                else:
                    emit(actor, "experienced", iri, at)
            emit(actor, "suspended", course.id, at + timedelta(minutes=1))
            at += timedelta(days=rng.randint(1, 9))
    return seen


# -- measuring ----------------------------------------------------------------------------------


def _child_main(mode: str, endpoint: str, page_size: int, parser: str) -> None:
    """Run in a fresh process: page (floor), report or profile; print seconds and peak RSS."""
    if parser == "stdlib":
        sys.modules["orjson"] = None  # type: ignore[assignment]  # import orjson -> ImportError
    from coursepack.report.fetch import Query, related_queries
    from coursepack.report.html import render_html  # noqa: F401 - same imports as "report"
    from coursepack.report.jsonfmt import iter_json
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
        profile = cProfile.Profile() if mode == "profile" else None
        if profile is not None:
            profile.enable()
        report = build_report(course, options, now=datetime(2024, 7, 1, tzinfo=UTC))
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for piece in iter_json(report):
                sink.write(piece)
        if profile is not None:
            profile.disable()
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(25)
            print(text.getvalue(), file=sys.stderr)
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


def _measure(mode: str, endpoint: str, page_size: int, parser: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.report", "--child", mode, endpoint, str(page_size), parser],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({mode}):\n{proc.stderr}")
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["stderr"] = proc.stderr
    return data


def run_case(
    statements: int,
    learners: int,
    pairs: int,
    page_size: int,
    parser: str,
    *,
    short_visits: bool = False,
    profile: bool = False,
) -> dict[str, Any]:
    """Generate the statements, then measure the report against its floor with
    ``bench.paired``: one warm-up of each (not counted), then ``pairs`` interleaved pairs."""
    work = Path(tempfile.mkdtemp(prefix="coursepack-bench-report-"))
    floors: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    try:
        main, voided = work / "main.jsonl", work / "voided.jsonl"
        with main.open("wb") as out, voided.open("wb") as voided_out:
            reached = generate(out, voided_out, statements, learners, short_visits=short_visits)
        with StatementServer(main, voided) as server:
            server.offsets("all", page_size)  # find the pages before timing
            server.offsets("voided", page_size)
            if profile:
                return {"profile": _measure("profile", server.endpoint, page_size, parser)}

            def floor() -> float:
                floors.append(_measure("floor", server.endpoint, page_size, parser))
                return float(floors[-1]["seconds"])

            def report() -> float:
                reports.append(_measure("report", server.endpoint, page_size, parser))
                return float(reports[-1]["seconds"])

            floor(), report()  # cold caches: measured, not counted
            floors.clear()
            reports.clear()
            name = f"{statements:,} statements, {reached:,} learners"
            wall = paired(
                f"{name}: time", baseline=floor, subject=report, pairs=pairs, warmup=False
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    loads = (wall.load_before, wall.load_after)
    cpu = Paired(
        f"{name}: CPU time",
        tuple(f["cpu"] for f in floors),
        tuple(r["cpu"] for r in reports),
        *loads,
    )
    memory = Paired(
        f"{name}: peak memory",
        tuple(f["peak_kb"] / 1024 for f in floors),
        tuple(r["peak_kb"] / 1024 for r in reports),
        *loads,
    )
    return {
        "statements": statements,
        "learners": reached,
        "page_size": page_size,
        "time": wall,
        "cpu": cpu,
        "memory": memory,
    }


def _memory_line(found: Paired) -> str:
    """Like ``Paired.line``, in MB (``line`` says seconds)."""
    text = (
        f"{found.name}: {found.ratio:.2f}x (min {found.ratio_min:.2f}, max "
        f"{found.ratio_max:.2f}, {len(found.ratios)} pairs; median {found.subject_median:.1f} MB "
        f"against {found.baseline_median:.1f} MB)"
    )
    return "\n".join([text, *(f"  warning: {w}" for w in found.warnings)])


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
    parser.add_argument("--statements", type=int, default=100_000, help="largest default size")
    parser.add_argument("--small", type=int, default=20_000, help="smaller size (memory check)")
    parser.add_argument("--learners", type=int, default=200, help="learners of the default sizes")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--pairs", type=int, default=5, help="(floor, report) pairs per size (at least 5)"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="also 1,000,000 statements of 300,000 learners (several minutes)",
    )
    parser.add_argument("--large-pairs", type=int, default=5, help="pairs of the large size")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile (cProfile) the report of --statements statements "
        "(with --large: of the large case); top entries",
    )
    parser.add_argument(
        "--stdlib-json", action="store_true", help="parse with the stdlib even if orjson is there"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if not args.profile and min(args.pairs, args.large_pairs if args.large else 5) < 5:
        parser.error("an honest ratio needs at least 5 pairs")
    json_parser = "stdlib" if args.stdlib_json else _json_module()
    if args.profile:  # with --large, the large case's report
        size, learners = (1_000_000, 300_000) if args.large else (args.statements, args.learners)
        found = run_case(
            size, learners, 1, args.page_size, json_parser, short_visits=args.large, profile=True
        )
        print(found["profile"]["stderr"])
        return 0
    cases: list[tuple[int, int, int, bool]] = [
        (size, args.learners, args.pairs, False)
        for size in sorted({args.small, args.statements} - {0})
    ]
    if args.large:
        cases.append((1_000_000, 300_000, args.large_pairs, True))
    if not args.json:
        print_header("python -m bench report")
        print(
            f"JSON parser: {json_parser}; page size {args.page_size}; the report against its "
            "floor (paging the same statements), interleaved pairs: median of the paired "
            "ratios (min, max)"
        )
    rows = []
    for size, learners, pairs, short in cases:
        row = run_case(size, learners, pairs, args.page_size, json_parser, short_visits=short)
        rows.append(row)
        if not args.json:
            print(row["time"].line())
            print(row["cpu"].line())
            print(_memory_line(row["memory"]))
    if args.json:
        found_rows = [
            {
                "statements": r["statements"],
                "learners": r["learners"],
                "page_size": r["page_size"],
                **{key: r[key].as_dict() for key in ("time", "cpu", "memory")},
            }
            for r in rows
        ]
        print(json.dumps({"json": json_parser, "cores": cores(), "rows": found_rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
