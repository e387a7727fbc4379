"""The documentation a person reads: a short README that leads to every page of docs/, links
that land on a file (and on a heading, when they name one), no path of one build machine, and
bench/README.md as the one file the benches rewrite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from socialcare_local import readme_tables

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 250

# The tables the benches rewrite: bench.py, bench_load.py and bench_eval.py, in that order.
BENCH_TABLES = ("bench", "load", "eval")

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
MACHINE_PATH = re.compile(r"(?<![\w.~])/(?:work|tmp|root)/")


def _pages() -> list[Path]:
    return [README, ROOT / "bench" / "README.md", *sorted(DOCS.glob("*.md"))]


def _linking_pages() -> list[Path]:
    return [*_pages(), ROOT / "inference" / "README.md"]


def _prose(page: Path) -> str:
    """The page without its code blocks: a link in a shell example is not a link."""
    return FENCE.sub("", page.read_text())


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    plain = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower())
    return plain.replace(" ", "-")


def _relative_links(page: Path) -> list[tuple[str, str]]:
    links = []
    for target in LINK.findall(_prose(page)):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        links.append((path, anchor))
    return links


def test_the_readme_is_a_short_front_door() -> None:
    # GIVEN the README a newcomer opens first
    # WHEN its lines are counted
    lines = README.read_text().splitlines()
    # THEN it is short enough to read in one sitting
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    # GIVEN every page of docs/
    pages = {f"docs/{page.name}" for page in DOCS.glob("*.md")}
    # WHEN the README's links are read
    linked = {path for path, _ in _relative_links(README)}
    # THEN none of them is an orphan a reader cannot find
    assert pages, "docs/ has no pages"
    assert pages - linked == set()


@pytest.mark.parametrize("page", _linking_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_lands_on_a_file_and_heading(page: Path) -> None:
    # GIVEN a page of the documentation
    # WHEN each relative link in its prose is followed
    broken = []
    for path, anchor in _relative_links(page):
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{path}: no such file")
            continue
        anchors = {_anchor(h) for h in HEADING.findall(_prose(target))} if anchor else set()
        if anchor and target.suffix == ".md" and anchor not in anchors:
            broken.append(f"{path}#{anchor}: no such heading")
    # THEN every one lands
    assert broken == []


@pytest.mark.parametrize("page", _pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_no_path_of_one_build_machine_is_documented(page: Path) -> None:
    # GIVEN a page of the documentation, code examples included
    text = page.read_text()
    # WHEN it is searched for absolute paths of the machine it was written on
    found = [m.group(0) for m in MACHINE_PATH.finditer(text)]
    # THEN there are none: a reader's checkout lives elsewhere
    assert found == []


def test_each_bench_rewrites_only_its_own_table_in_bench_readme(tmp_path: Path) -> None:
    # GIVEN a copy of bench/README.md, the only file the benches rewrite
    readme = tmp_path / "README.md"
    shutil.copy(readme_tables.BENCH_README, readme)
    before = readme.read_text()
    # WHEN every bench rewrites its table
    for name in BENCH_TABLES:
        readme_tables.rewrite(name, f"| {name} | rewritten |", readme)
    # THEN each table holds the new figures and everything around the tables is as it was
    after = readme.read_text()
    outside = re.compile(r"<!-- (\w+):start -->.*?<!-- \1:end -->", re.DOTALL)
    for name in BENCH_TABLES:
        assert f"<!-- {name}:start -->\n| {name} | rewritten |\n<!-- {name}:end -->" in after
    assert outside.sub("", after) == outside.sub("", before)


def test_a_table_with_no_place_in_the_file_is_an_error(tmp_path: Path) -> None:
    # GIVEN a file without the markers of a table
    readme = tmp_path / "README.md"
    readme.write_text("# figures\n")
    # WHEN a bench rewrites that table
    # THEN it is told, and the file is left as it was
    with pytest.raises(readme_tables.MarkersMissing, match="load:start"):
        readme_tables.rewrite("load", "| load |", readme)
    assert readme.read_text() == "# figures\n"
