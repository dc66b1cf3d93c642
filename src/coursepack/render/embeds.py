"""WATCH items: recognise YouTube and Vimeo URLs and build privacy-friendly embed URLs.

The id is parsed here (in Python, at build time) with strict patterns, so the embed URL in a
page is always built from known parts and never copied from a course file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs

from coursepack.render.markdown import media_path
from coursepack.weburl import split_url

_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")
_YT_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")
_VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
}


@dataclass(frozen=True, slots=True)
class Embed:
    """How a WATCH item is shown: an embedded player, a local <video>, or a plain link."""

    provider: str  # "youtube" | "vimeo" | "file" | "link"
    src: str  # embed URL (youtube/vimeo), package path (file) or the item URL (link)
    host: str  # shown to the learner, e.g. "YouTube"
    mime: str = ""


def _seconds(value: str) -> int | None:
    match = _TIME.match(value.strip())
    if not value.strip() or not match:
        return None
    h, m, s = (int(g) if g else 0 for g in match.groups())
    return h * 3600 + m * 60 + s


def _split(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for what it refuses ("http://[x": an unclosed IPv6 host)."""
    url = url.strip()
    try:
        return split_url(url)
    except ValueError:
        return None


# a query of one name and a value that parse_qs would give back as they are
_ONE_PLAIN_PARAM = re.compile(r"([A-Za-z0-9_.\-]+)=([A-Za-z0-9_.\-]+)")


def _query(query: str) -> dict[str, list[str]]:
    """``parse_qs(query)``, without its general parsing for the common ``v=ID``."""
    plain = _ONE_PLAIN_PARAM.fullmatch(query)
    if plain:
        return {plain.group(1): [plain.group(2)]}
    return parse_qs(query) if query else {}


def youtube_id(url: str) -> tuple[str, int | None] | None:
    """(video id, start seconds) of a YouTube URL, or None."""
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    query = _query(parts.query)
    video: str | None = None
    if host in ("youtu.be", "www.youtu.be"):
        video = segments[0] if segments else None
    elif host in _YT_HOSTS:
        if segments == ["watch"]:
            video = query.get("v", [""])[0] or None
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v", "e"):
            video = segments[1]
    if not video or not _YT_ID.match(video):
        return None
    start = None
    for key in ("t", "start"):
        if key in query:
            start = _seconds(query[key][0])
            break
    return video, start


def vimeo_id(url: str) -> tuple[str, str | None] | None:
    """(video id, unlisted hash or None) of a Vimeo URL, or None."""
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if host not in _VIMEO_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    query = _query(parts.query)
    video: str | None = None
    unlisted: str | None = query.get("h", [""])[0] or None
    if host == "player.vimeo.com":
        if len(segments) >= 2 and segments[0] == "video":
            video = segments[1]
    else:
        # vimeo.com/ID, vimeo.com/ID/HASH, vimeo.com/channels/NAME/ID, vimeo.com/groups/N/videos/ID
        numeric = [i for i, s in enumerate(segments) if _VIMEO_ID.match(s)]
        if numeric:
            i = numeric[0] if segments[0] not in ("channels", "groups") else numeric[-1]
            video = segments[i]
            if i + 1 < len(segments) and _VIMEO_HASH.match(segments[i + 1]):
                unlisted = segments[i + 1]
    if not video or not _VIMEO_ID.match(video):
        return None
    if unlisted is not None and not _VIMEO_HASH.match(unlisted):
        unlisted = None
    return video, unlisted


def host_label(url: str) -> str:
    parts = _split(url)
    host = ((parts.hostname if parts else None) or "").lower()
    return host.removeprefix("www.")


def embed_for(url: str, media: frozenset[str] = frozenset()) -> Embed:
    """The way to show a WATCH URL."""
    yt = youtube_id(url)
    if yt:
        video, start = yt
        # urlencode's text for these values (digits) is the values themselves
        params = f"rel=0&start={start}" if start else "rel=0"
        src = f"https://www.youtube-nocookie.com/embed/{video}?{params}"
        return Embed("youtube", src, "YouTube")
    vm = vimeo_id(url)
    if vm:
        video, unlisted = vm
        # urlencode's text for these values (digits, a hexadecimal hash) is the values
        vparams = f"dnt=1&h={unlisted}" if unlisted else "dnt=1"
        src = f"https://player.vimeo.com/video/{video}?{vparams}"
        return Embed("vimeo", src, "Vimeo")
    path = media_path(url)
    if path is not None and path in media:
        ext = path[path.rfind(".") :].lower() if "." in path else ""
        if ext in _VIDEO_TYPES:
            return Embed("file", path, "", _VIDEO_TYPES[ext])
    return Embed("link", url, host_label(url))
