"""Packaging: byte-identical zips, stored media, atomic writes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coursepack.errors import UserError
from coursepack.output import OutputFile
from coursepack.package import write_zip


def _files(tmp_path: Path) -> list[OutputFile]:
    media = tmp_path / "clip.mp4"
    media.write_bytes(bytes(range(256)) * 400)
    return [
        OutputFile("index.html", b"<!doctype html><title>x</title>" * 50),
        OutputFile("media/clip.mp4", source=media),
        OutputFile("assets/a.css", b"body{}" * 100),
        OutputFile("imsmanifest.xml", b"<manifest/>"),
    ]


def test_same_files_give_byte_identical_zips(tmp_path: Path) -> None:
    files = _files(tmp_path)
    a = write_zip(files, tmp_path / "a.zip", environ={})
    b = write_zip(list(reversed(files)), tmp_path / "b.zip", environ={})
    assert a.read_bytes() == b.read_bytes()


def test_entries_are_sorted_with_fixed_timestamps_and_modes(tmp_path: Path) -> None:
    path = write_zip(_files(tmp_path), tmp_path / "a.zip", environ={})
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert names[1] == "imsmanifest.xml"  # at the root, not in a folder
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o644


def test_source_date_epoch_sets_every_timestamp(tmp_path: Path) -> None:
    path = write_zip(
        _files(tmp_path), tmp_path / "a.zip", environ={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    with zipfile.ZipFile(path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_compressed_media_is_stored_and_text_is_deflated(tmp_path: Path) -> None:
    path = write_zip(_files(tmp_path), tmp_path / "a.zip", environ={})
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("media/clip.mp4").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("index.html").compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("media/clip.mp4") == bytes(range(256)) * 400
        assert zf.testzip() is None


def test_a_failed_write_keeps_the_last_good_zip_and_leaves_no_partial_file(
    tmp_path: Path,
) -> None:
    good = write_zip(_files(tmp_path), tmp_path / "out" / "c.zip", environ={})
    before = good.read_bytes()
    broken = [*_files(tmp_path), OutputFile("gone.mp4", source=tmp_path / "missing.mp4")]
    with pytest.raises(FileNotFoundError):
        write_zip(broken, good, environ={})
    assert good.read_bytes() == before
    assert sorted(p.name for p in good.parent.iterdir()) == ["c.zip"]


def test_two_files_for_one_path_are_refused(tmp_path: Path) -> None:
    files = [OutputFile("a.txt", b"1"), OutputFile("a.txt", b"2")]
    with pytest.raises(ValueError, match="two files"):
        write_zip(files, tmp_path / "a.zip", environ={})
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.parametrize("value", ["yesterday", "-5", "1700000000.5", "99999999999999"])
def test_a_malformed_source_date_epoch_is_a_user_error_not_a_silent_fallback(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(UserError, match="SOURCE_DATE_EPOCH is"):
        write_zip(_files(tmp_path), tmp_path / "a.zip", environ={"SOURCE_DATE_EPOCH": value})
    assert not (tmp_path / "a.zip").exists()


def test_the_last_time_a_zip_can_hold_is_accepted(tmp_path: Path) -> None:
    path = write_zip(
        _files(tmp_path), tmp_path / "a.zip", environ={"SOURCE_DATE_EPOCH": "4354819198"}
    )
    with zipfile.ZipFile(path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2107, 12, 31, 23, 59, 58)}


def test_several_zips_are_written_all_or_nothing(tmp_path: Path) -> None:
    from coursepack.package import write_zips

    out = tmp_path / "out"
    first = write_zip(_files(tmp_path), out / "a.zip", environ={})
    before = first.read_bytes()
    broken = [OutputFile("gone.mp4", source=tmp_path / "missing.mp4")]
    with pytest.raises(FileNotFoundError):
        write_zips([([OutputFile("x.txt", b"new")], out / "a.zip"), (broken, out / "b.zip")], {})
    assert first.read_bytes() == before  # the first zip was staged, then dropped
    assert sorted(p.name for p in out.iterdir()) == ["a.zip"]
