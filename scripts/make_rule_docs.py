"""Write the pages of `warmplan check`'s codes from their one source, warmplan/lint/docs/:
docs/rules/WPxxx.md, their index docs/rules/README.md, and the table of codes in the
README (between its `<!-- rules: start -->` and `<!-- rules: end -->` lines).

    python scripts/make_rule_docs.py          # after changing warmplan/lint/docs/

tests/test_rule_docs.py fails while the checked-in files differ from what this writes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from warmplan.lint import docs

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- rules: start -->\n", "<!-- rules: end -->\n"


def write_pages(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pages = {f"{code}.md": docs.page(code) for code in docs.codes()}
    pages["README.md"] = docs.index()
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()  # the page of a code that is gone
    for name, text in pages.items():
        (folder / name).write_text(text)


def write_table(readme: Path) -> None:
    text = readme.read_text()
    head, found, rest = text.partition(START)
    _, ended, tail = rest.partition(END)
    if not found or not ended:
        raise SystemExit(f"{readme}: no {START.strip()} ... {END.strip()} lines")
    readme.write_text(head + START + docs.readme_table() + END + tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / docs.DOCS_FOLDER)
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    arguments = parser.parse_args()
    write_pages(arguments.out)
    write_table(arguments.readme)


if __name__ == "__main__":
    main()
