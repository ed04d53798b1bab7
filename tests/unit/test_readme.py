"""The README is a two-screen front door, and every relative link in it and in docs/
resolves: the file exists, and a #anchor names a heading of the target as GitHub slugs it
(lowercase, punctuation other than hyphens and underscores dropped, spaces to hyphens, a
repeated slug suffixed -1, -2, ...)."""

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
MAX_README_LINES = 120

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose_lines(text: str) -> Iterator[str]:
    """Lines outside fenced code blocks: a `# comment` in a shell block is no heading."""
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (github-slugger's rule)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    kept = (c for c in text.lower() if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a markdown page, duplicates numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in prose_lines(page.read_text()):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> Iterator[str]:
    """Targets of the page's inline links and images, leaving out URLs and code."""
    for line in prose_lines(page.read_text()):
        for match in LINK.finditer(CODE_SPAN.sub("", line)):
            target = match.group(1)
            if not EXTERNAL.match(target):
                yield target


def broken(page: Path, target: str) -> str | None:
    """Why a link from the page does not resolve, or None when it does."""
    path, _, anchor = target.partition("#")
    resolved = (page.parent / path).resolve() if path else page
    if not resolved.exists():
        return f"{page.name}: {target} (no such file)"
    if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
        return f"{page.name}: {target} (no such heading)"
    return None


def test_readme_fits_two_screens() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    problems = [p for t in relative_links(page) if (p := broken(page, t)) is not None]
    assert problems == []


def test_slugs_follow_github() -> None:
    assert slug("Render (`bench/render.py`)") == "render-benchrenderpy"
    assert slug("The operators' console (`/ops`)") == "the-operators-console-ops"
    assert slug("Queues: slots never die, messages are kept 14 days") == (
        "queues-slots-never-die-messages-are-kept-14-days"
    )
    assert slug("photo upload → three renditions") == "photo-upload--three-renditions"


def test_repeated_headings_are_numbered(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Settings\n\n```sh\n# Settings\n```\n\n## Settings\n\n### Settings\n")
    assert anchors(page) == {"settings", "settings-1", "settings-2"}


def test_links_in_code_are_not_links(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("[a](a.md) `[b](b.md)` [c](https://example.com)\n```\n[d](d.md)\n```\n")
    assert list(relative_links(page)) == ["a.md"]


def test_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# One Frame (`ofof`)\n\n[ok](#one-frame-ofof) [x](#two) [y](gone.md)\n")
    problems = [broken(page, t) for t in relative_links(page)]
    assert problems[0] is None
    assert "no such heading" in str(problems[1])
    assert "no such file" in str(problems[2])
