"""Every target's package loads its runtime scripts in an order where each script only uses
globals (and namespace members) that scripts before it define, and carries no other script."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from coursepack.build import build_course
from coursepack.render import RUNTIME_NEEDS, runtime_file, runtime_scripts
from coursepack.targets import TARGETS
from tests.runtime.script_graph import Script, order_problems, read_script

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "course"
SCRIPT_TAG = re.compile(r'<script src="([^"]+)"></script>')
ADAPTERS = {"scorm12", "scorm2004", "tincan", "cmi5"}
LRS_YAML = "tracking:\n  lrs:\n    endpoint: https://lrs.example.org/xapi/\n    actor_homepage: https://lms.example.org\n"


def package_scripts(zip_path: Path) -> tuple[list[Script], set[str]]:
    """The scripts of a package in <script> order, and every .js file it holds."""
    with zipfile.ZipFile(zip_path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    page = files["index.html"].decode("utf-8")
    order = SCRIPT_TAG.findall(page)
    scripts = [read_script(src, files[src].decode("utf-8")) for src in order]
    return scripts, {name for name in files if name.endswith(".js")}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every target's package of the example course, and SCORM 1.2 with dual tracking."""
    out = tmp_path_factory.mktemp("order")
    result = build_course(EXAMPLE, out / "all", sorted(TARGETS), environ={})
    built = {path.name: path for path in result.paths}
    dual = out / "dual-course"
    shutil.copytree(EXAMPLE, dual)
    yaml = dual / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8") + LRS_YAML, "utf-8")
    environ = {"COURSEPACK_LRS_USERNAME": "u", "COURSEPACK_LRS_PASSWORD": "p"}
    (dual_zip,) = build_course(dual, out / "dual", ["scorm12"], environ=environ).paths
    built["dual-" + dual_zip.name] = dual_zip
    return built


def test_every_package_loads_each_runtime_script_after_the_scripts_it_uses(
    packages: dict[str, Path],
) -> None:
    assert len(packages) == len(TARGETS) + 1
    for name, path in packages.items():
        scripts, _ = package_scripts(path)
        assert scripts[0].name == "coursepack-config.js", name
        assert order_problems(scripts) == [], name


def test_every_package_carries_only_the_scripts_its_page_loads(
    packages: dict[str, Path],
) -> None:
    for name, path in packages.items():
        scripts, js_files = package_scripts(path)
        # and the content files the page's placeholders name, which the runtime loads once
        # it is ready (docs/runtime.md, "Content")
        page = zipfile.ZipFile(path).read("index.html").decode()
        content = set(re.findall(r'<div data-cp-body="([^"]+)" hidden>', page))
        assert content == {"content/module-1.js", "content/reflections.js"}, name
        assert {s.name for s in scripts} | content == js_files, name


def test_only_scorm_packages_carry_the_scorm_api_and_only_xapi_ones_the_tracker(
    packages: dict[str, Path],
) -> None:
    for name, path in packages.items():
        _, js_files = package_scripts(path)
        config = zipfile.ZipFile(path).read("coursepack-config.js").decode()
        adapter = re.search(r'"adapter": ?"(\w+)"', config)
        assert adapter, name
        scorm = adapter.group(1).startswith("scorm")
        assert ("runtime/scorm-api.js" in js_files) is scorm, name
        xapi = not scorm or name.startswith("dual-")
        assert ("runtime/xapi-tracker.js" in js_files) is xapi, name
        assert ("runtime/xapi-dual.js" in js_files) is name.startswith("dual-"), name
        assert ("runtime/xapi-launch.js" in js_files) is (not scorm), name


def test_the_order_check_fails_when_a_script_comes_before_one_it_uses() -> None:
    names = runtime_scripts(["xapi", "cmi5"])
    scripts = [read_script(n, runtime_file(n).decode("utf-8")) for n in names]
    assert order_problems(scripts) == []
    swapped = list(scripts)
    i, j = names.index("xapi-tracker"), names.index("xapi-outbox")
    swapped[i], swapped[j] = swapped[j], swapped[i]
    problems = order_problems(swapped)
    assert "xapi-tracker uses CoursepackXAPI.createOutbox, which no script before it defines" in (
        problems
    )
    no_util = [s for s in scripts if s.name != "util"]
    assert any("CoursepackUtil" in p for p in order_problems(no_util))


def test_the_order_check_reads_aliases_literal_exports_and_ignores_comments() -> None:
    a = read_script(
        "a",
        """(function (root) {
          // root.CoursepackNot.used in a comment
          /* window.CoursepackAlso.not */
          root.CoursepackA = { one: one, two: function () { return { inner: 1 }; } };
        })(window);""",
    )
    b = read_script(
        "b",
        """(function (window) {
          var A = window.CoursepackA;
          var X = (window.CoursepackB = {});
          X.made = A.one(A.two());
          window.CoursepackA.three();
        })(window);""",
    )
    assert a.defines == {"CoursepackA", "CoursepackA.one", "CoursepackA.two"}
    assert a.uses == set()
    assert b.uses == {"CoursepackA", "CoursepackA.one", "CoursepackA.two", "CoursepackA.three"}
    assert "CoursepackB.made" in b.defines
    assert order_problems([a, b]) == ["b uses CoursepackA.three, which no script before it defines"]


def test_runtime_needs_lists_every_runtime_file_shipped() -> None:
    shipped = {p.stem for p in (REPO / "src" / "coursepack" / "runtime").glob("*.js")}
    named = {n if n not in ADAPTERS else f"adapter-{n}" for n in RUNTIME_NEEDS} - {"xapi"}
    assert shipped == named
