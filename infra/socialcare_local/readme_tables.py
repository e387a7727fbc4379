"""The README's generated tables, each between its own markers (`<!-- NAME:start -->` and
`<!-- NAME:end -->`), rewritten in place by the run that measured them."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def rewrite(name: str, rendered: str, readme: Path = README) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text()
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{start}\n{rendered}\n{end}{tail}")
