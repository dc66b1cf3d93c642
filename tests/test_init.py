"""``coursepack init``: a new course that shows every construct and builds everywhere as is."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from coursepack.cli import cli
from coursepack.init import tiny_png
from coursepack.pipeline import load_course
from coursepack.schema import load_schema
from tests.schemas import assert_valid, cmi5_schema, scorm12_schema, scorm2004_schema

MANIFESTS = {
    "scorm12": "imsmanifest.xml",
    "scorm2004-3rd": "imsmanifest.xml",
    "scorm2004-4th": "imsmanifest.xml",
    "xapi": "tincan.xml",
    "cmi5": "cmi5.xml",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_a_course_with_every_construct_and_prints_the_next_two_commands(
    tmp_path: Path,
) -> None:
    root = tmp_path / "my-course"
    code, out, _ = run("init", str(root), "--title", "Data: a primer", "--language", "fr")
    assert code == 0
    assert out.strip().splitlines()[-2:] == [
        f"  coursepack preview {root}",
        f"  coursepack build {root} -o {root / 'dist'} --target all",
    ]
    course = load_course(root, environ={})
    assert course.title == "Data: a primer"
    assert course.language == "fr"
    assert course.id == "https://courses.example.org/data-a-primer"
    assert [m.id for m in course.modules] == ["getting-started", "going-further"]
    kinds = {item.kind.value for item in course.items}
    assert kinds == {"read", "watch", "task"}
    markdown = (root / "modules" / "getting-started.md").read_text("utf-8")
    assert markdown.count("\n## ") == 2
    assert "![" in markdown and "(media/welcome.png)" in markdown
    assert (root / ".gitignore").read_text("utf-8").splitlines()[-1] == "dist/"
    text = (root / "course.yaml").read_text("utf-8")
    for optional in ("# lms:", "# cmi5:", "# tracking:"):
        assert optional in text


def test_init_png_is_a_valid_png(tmp_path: Path) -> None:
    data = tiny_png(16, 8)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert (width, height) == (16, 8)
    assert len(zlib.decompress(chunks[1][1])) == height * (1 + 3 * width)


def test_init_yaml_files_name_their_schema_and_match_it(tmp_path: Path) -> None:
    root = tmp_path / "c"
    run("init", str(root))
    for rel, name in (("course.yaml", "course"), ("modules/going-further.yaml", "module")):
        path = root / rel
        first = path.read_text("utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        schema_file = (path.parent / first.split("=", 1)[1]).resolve()
        assert schema_file.is_file()
        schema = load_schema(name)
        assert yaml.safe_load(schema_file.read_text("utf-8")) == schema
        data = yaml.safe_load(path.read_text("utf-8"))
        assert list(Draft202012Validator(schema).iter_errors(data)) == []


@pytest.mark.parametrize("existing", ["file.txt", ".hidden"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("mine", "utf-8")
    code, _, err = run("init", str(tmp_path))
    assert code == 1
    assert "not empty" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


def test_init_accepts_a_folder_holding_only_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    code, _, _ = run("init", str(tmp_path))
    assert code == 0
    assert (tmp_path / "course.yaml").is_file()


def test_init_refuses_a_bad_language_or_id_with_one_line(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "a"), "--language", "english!")
    assert code == 1 and "language" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("init", str(tmp_path / "b"), "--id", "not an iri")
    assert code == 1 and "--id" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.e2e
def test_init_then_build_all_gives_schema_valid_packages_without_warnings(
    tmp_path: Path,
) -> None:
    root = tmp_path / "fresh"
    run("init", str(root))
    out_dir = tmp_path / "dist"
    code, out, err = run("build", str(root), "--target", "all", "-o", str(out_dir))
    assert code == 0, err
    assert err == ""
    assert "warning" not in out.lower()
    zips = sorted(out_dir.glob("*.zip"))
    assert len(zips) == len(MANIFESTS)
    schemas = {
        "scorm12": scorm12_schema,
        "scorm2004-3rd": scorm2004_schema,
        "scorm2004-4th": scorm2004_schema,
        "cmi5": cmi5_schema,
    }
    for target, manifest in MANIFESTS.items():
        (zip_path,) = [z for z in zips if z.stem.endswith(target)]
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            assert manifest in names
            assert "media/welcome.png" in names
            if target in schemas:
                assert_valid(schemas[target](), archive.read(manifest))
