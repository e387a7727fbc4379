"""The benches' summary tables in bench/README.md, each between its own markers
(`<!-- NAME:start -->` and `<!-- NAME:end -->`), rewritten in place by the run that measured
them. bench/README.md is the only file a bench rewrites: the documentation links to it."""

from __future__ import annotations

from pathlib import Path

BENCH_README = Path(__file__).resolve().parents[2] / "bench" / "README.md"


class MarkersMissing(LookupError):
    """The file has no place for the table: said loudly, never skipped in silence."""


def rewrite(name: str, rendered: str, readme: Path = BENCH_README) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text()
    if start not in text or end not in text:
        raise MarkersMissing(f"{readme} has no {start} ... {end} markers")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(f"{head}{start}\n{rendered}\n{end}{tail}")
