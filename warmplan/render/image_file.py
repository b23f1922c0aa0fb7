"""Writing a figure to a file: the format from the extension, the bytes atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan.errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from matplotlib.figure import Figure

#: formats by file extension; --format forces one whatever the extension
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def default_output(labels: Sequence[str], fmt: str = "png") -> Path:
    """``<name>.png`` in the current folder; ``<a>-vs-<b>.png`` for an overlay.

    Names are reduced to letters, digits, ``.``, ``_`` and ``-``, so a plan name never
    makes a path that climbs out of the folder or needs quoting."""
    import re
    from pathlib import Path

    parts = [re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "plan" for label in labels]
    stem = "-vs-".join(parts) if len(parts) <= 3 else f"{parts[0]}-and-{len(parts) - 1}-more"
    return Path(f"{stem[:120]}.{fmt}")


def figure_format(path: Path, forced: str | None = None) -> str:
    """The output format: ``forced``, or the one the file's extension names."""
    if forced is not None:
        if forced not in FORMATS.values():
            raise OutputError(f"{path}: unknown format {forced!r}; use png, svg or pdf")
        return forced
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = f"its extension {path.suffix!r}" if path.suffix else "a name without an extension"
        raise OutputError(
            f"{path}: cannot tell the image format from {shown}; "
            "name the file .png, .svg or .pdf, or pass --format"
        )
    return fmt


def save_figure(
    figure: Figure, path: Path, fmt: str | None = None, inputs: Iterable[str | Path] = ()
) -> None:
    """Write the figure to ``path`` atomically, never over one of ``inputs``."""
    from warmplan.render.files import write_atomically

    chosen = figure_format(path, fmt)
    # No dates or versions in SVG/PDF: the same plan gives the same bytes.
    metadata = {"Date": None} if chosen in ("svg", "pdf") else None
    if chosen == "pdf":
        metadata = {"CreationDate": None, "ModDate": None}

    def write(handle: Any) -> None:
        import warnings

        with warnings.catch_warnings():
            # a small --size leaves the axes no room to lay out: the figure is still
            # drawn (cramped), which is what was asked; not a traceback-like warning
            warnings.filterwarnings("ignore", "constrained_layout not applied")
            figure.savefig(handle, format=chosen, dpi=figure.dpi, metadata=metadata)

    write_atomically(path, write, inputs)
