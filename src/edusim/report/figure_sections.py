"""The figure sections that the calibration and province reports share: each figure under
its title with its caption, then the figures that were not drawn and why."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any


def markdown_figures(entries: Sequence[Any], skipped: Mapping[str, str], suffix: str) -> list[str]:
    """Markdown lines: each figure's PNG (else its first file) from `figures{suffix}/`."""
    lines: list[str] = []
    for entry in entries:
        png = next((p for p in entry.files if p.suffix == ".png"), entry.files[0])
        lines += [f"## {entry.title}", "", f"![{entry.title}](figures{suffix}/{png.name})", ""]
        lines += [entry.caption, ""]
    lines += [f"- not drawn: {name} ({reason})" for name, reason in skipped.items()]
    return lines


def html_figures(entries: Sequence[Any], skipped: Mapping[str, str]) -> list[str]:
    """HTML parts: each figure embedded in the page, then a list of those not drawn."""
    from edusim.report.document import _image

    parts: list[str] = []
    for entry in entries:
        parts += [
            f"<h2>{html.escape(entry.title)}</h2>",
            "<figure>",
            _image(entry.files, entry.title),
            f"<figcaption>{html.escape(entry.caption)}</figcaption>",
            "</figure>",
        ]
    if skipped:
        items = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in skipped.items())
        parts.append(f"<ul>{items}</ul>")
    return parts
