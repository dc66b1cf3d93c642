"""The ``coursepack preview`` command, and ``start_preview`` for tests and the benchmark."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from coursepack.errors import UserError
from coursepack.preview.server import PreviewServer
from coursepack.preview.session import PreviewSession

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WATCH_TICK_MS = 250
IGNORED_DIRS = ("dist", ".git", "node_modules", "__pycache__", ".venv")


@dataclass
class Preview:
    session: PreviewSession
    server: PreviewServer
    threads: list[threading.Thread]
    stop_watching: threading.Event

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.stop_watching.set()
        self.server.stop()
        for thread in self.threads:
            thread.join(timeout=5)


def _watch(session: PreviewSession, stop: threading.Event, ready: threading.Event) -> None:
    from watchfiles import DefaultFilter, watch

    ignored = (*DefaultFilter.ignore_dirs, *IGNORED_DIRS)
    watch_filter = DefaultFilter(ignore_dirs=ignored)
    root = session.course_dir.resolve()
    # an empty set of changes comes after each quiet rust_timeout: the first one says that
    # the watch is in place (a change saved before it would be missed)
    for changes in watch(
        root,
        watch_filter=watch_filter,
        stop_event=stop,
        debounce=60,
        step=20,
        rust_timeout=WATCH_TICK_MS,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        ready.set()
        if changes:
            session.rebuild()


def start_preview(
    course_dir: Path,
    target: str | None = None,
    lms: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    environ: Mapping[str, str] | None = None,
    watch: bool = True,
) -> Preview:
    """Build the course, start serving it and (``watch``) rebuild on every change."""
    if not course_dir.is_dir():
        raise UserError(f"{course_dir}: no such course folder")
    session = PreviewSession(course_dir, target, lms, environ)
    session.rebuild()
    server = PreviewServer(session, host, port)
    stop, ready = threading.Event(), threading.Event()
    threads = [threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)]
    if watch:
        threads.append(
            threading.Thread(
                target=_watch, args=(session, stop, ready), name="preview-watch", daemon=True
            )
        )
    for thread in threads:
        thread.start()
    if watch:
        ready.wait(timeout=5)
    return Preview(session, server, threads, stop)


def _stop_on_signals() -> None:
    """Ctrl-C (and SIGTERM) stop the preview cleanly, even when the shell that started it
    ignores SIGINT for its background jobs (Python then leaves SIGINT ignored)."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def _target_names() -> list[str]:
    from coursepack.targets import TARGETS

    return sorted(TARGETS)


def _lms_names() -> list[str]:
    from coursepack.profiles import PROFILES

    return sorted(PROFILES)


@click.command()
@click.argument(
    "course_dir", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)
@click.option("-t", "--target", type=click.Choice(_target_names()), help="Package to preview.")
@click.option("--lms", type=click.Choice(_lms_names()), help="LMS profile.")
@click.option("--port", type=int, default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def preview(
    course_dir: Path,
    target: str | None,
    lms: str | None,
    port: int,
    host: str,
    open_browser: bool,
) -> None:
    """Show COURSE_DIR inside an emulated LMS, with an inspector; reload on every change.

    The course is built in memory (nothing is written) for the target chosen (default: the
    LMS profile's); the page frames it as an LMS player does: a strict SCORM API, or an LRS
    and the launch of xAPI and cmi5. Ctrl-C stops it.
    """
    if host not in LOOPBACK:
        click.secho(
            f"warning: listening on {host}: anyone who can reach this address sees the course "
            "and can drive its emulated LMS (the preview has no authentication)",
            fg="yellow",
            err=True,
        )
    _stop_on_signals()
    running = start_preview(course_dir, target, lms, host, port)
    try:
        status = running.session.status()
        title = status["title"] or str(course_dir)
        click.echo(f"Previewing '{title}' ({status['target'] or 'no build yet'}) at {running.url}")
        if not status["ok"]:
            click.secho("\n".join(status["problems"]), fg="red", err=True)
        click.echo("Watching for changes; press Ctrl-C to stop.")
        if open_browser:
            import webbrowser

            webbrowser.open(running.url)
        while running.threads[0].is_alive():
            running.threads[0].join(timeout=0.5)
    except KeyboardInterrupt:
        click.echo("\nStopping the preview.")
    finally:
        running.stop()
