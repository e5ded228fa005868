"""report.md and report.html: provenance, headline table, figures with captions, the
resolved scenario (or experiment) and the manifest. The HTML page embeds its images
(base64 PNG) and its style, so it can be attached to a paper's supplement as it is."""

from __future__ import annotations

import base64
import html
import json
import struct
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from edusim import __version__
from edusim.report.render import FigureEntry
from edusim.report.sources import ExperimentSource, RunSource
from edusim.report.tables import html_table, markdown_table

HEADINGS: dict[str, dict[str, str]] = {
    "run": {"en": "Run report", "zh": "运行报告"},
    "experiment": {"en": "Experiment report", "zh": "实验报告"},
    "provenance": {"en": "Provenance", "zh": "来源"},
    "headline": {"en": "Headline table", "zh": "主要结果表"},
    "effect": {"en": "Effect of the reform in the final year", "zh": "末年的改革效应"},
    "figures": {"en": "Figures", "zh": "图"},
    "figure": {"en": "Figure", "zh": "图"},
    "skipped": {"en": "Figures not drawn", "zh": "未绘制的图"},
    "scenario": {"en": "Resolved scenario", "zh": "完整情景设定"},
    "experiment_file": {"en": "Experiment as run", "zh": "实验设定"},
    "manifest": {"en": "Manifest", "zh": "运行清单"},
    "files": {"en": "Files", "zh": "文件"},
    "data": {"en": "data (CSV)", "zh": "数据（CSV）"},
    "also": {"en": "Also as", "zh": "另见"},
}

SCREEN_PX_PER_IN = 140
"""Figures are shown at 1.5 times their printed size (96 px per inch), page width allowing."""

CSS = """
body { font-family: "DejaVu Sans", "Noto Sans CJK SC", Helvetica, Arial, sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid #ddd; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.5rem 0; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #e5e5e5; text-align: left; }
thead th { border-bottom: 2px solid #444; } td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 2rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.4rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.75rem; }
.files { font-size: 0.8rem; color: #555; }
"""


def _h(key: str, lang: str) -> str:
    return HEADINGS[key][lang]


def provenance_rows(source: RunSource | ExperimentSource) -> list[tuple[str, str]]:
    """Key facts of where the results come from."""
    if isinstance(source, RunSource):
        manifest = source.manifest
        years = manifest.get("years")
        start = manifest.get("start_year")
        span = (
            f"{start}-{start + years}" if isinstance(start, int) and isinstance(years, int) else ""
        )
        return [
            ("kind", "run (single replication)"),
            ("scenario", source.name),
            ("seed", ", ".join(map(str, source.seeds))),
            ("years", f"{years} school years, observed {span}" if span else str(years)),
            ("edusim", str(manifest.get("edusim_version", ""))),
            ("created (UTC)", str(manifest.get("created_utc", ""))),
            ("command", " ".join(manifest.get("command", []))),
            ("counterfactual", "yes (effect table)" if "effect" in source.tables else "no"),
        ]
    ok = sum(1 for r in source.records if r.get("status") == "ok")
    failed = sum(1 for r in source.records if r.get("status") == "failed")
    finished = sorted(r.get("finished_utc", "") for r in source.records if r.get("finished_utc"))
    return [
        ("kind", f"experiment, {source.design} design"),
        ("experiment", source.name),
        ("base scenario", str(source.spec.get("scenario", ""))),
        ("arms", str(source.metrics["variant"].nunique())),
        ("paired replications per arm", str(source.replications)),
        ("seeds (shared by every arm)", ", ".join(map(str, source.seeds))),
        ("runs recorded", f"{ok} finished, {failed} failed"),
        ("last run finished (UTC)", finished[-1] if finished else ""),
        ("report by", f"edusim {__version__}"),
    ]


def _appendix(source: RunSource | ExperimentSource) -> list[tuple[str, str, str]]:
    """(heading key, language, text) blocks: the scenario or experiment, and the manifest."""
    if isinstance(source, RunSource):
        return [
            ("scenario", "yaml", source.scenario_yaml),
            ("manifest", "json", json.dumps(source.manifest, indent=2, ensure_ascii=False)),
        ]
    records = "\n".join(json.dumps(r, ensure_ascii=False) for r in source.records)
    return [("experiment_file", "yaml", source.spec_yaml), ("manifest", "json", records)]


def _title(source: RunSource | ExperimentSource, lang: str) -> str:
    return f"{_h(source.kind, lang)}: {source.name}"


def _file_links(entry: FigureEntry, folder: str) -> str:
    links = [f"[{p.suffix[1:].upper()}]({folder}/{p.name})" for p in entry.files]
    data = [f"[{p.name}]({folder}/{p.name})" for p in entry.data_files if p.suffix == ".csv"]
    return " · ".join(links + data)


def markdown_report(
    source: RunSource | ExperimentSource,
    figures: Sequence[FigureEntry],
    tables: dict[str, pd.DataFrame],
    skipped: dict[str, str],
    lang: str,
    suffix: str = "",
) -> str:
    """The text of report.md (images linked from figures/)."""
    lines = [f"# {_title(source, lang)}", ""]
    if source.description:
        lines += [source.description, ""]
    rows = pd.DataFrame(provenance_rows(source), columns=["", " "])
    lines += [f"## {_h('provenance', lang)}", "", markdown_table(rows), ""]
    for name, table in tables.items():
        key = "effect" if name == "effect" else "headline"
        lines += [f"## {_h(key, lang)}", "", markdown_table(table), ""]
        lines += [
            f"{_h('also', lang)} `tables{suffix}/{name}.csv`, `tables{suffix}/{name}.tex` "
            "(LaTeX, booktabs).",
            "",
        ]
    lines += [f"## {_h('figures', lang)}", ""]
    folder = f"figures{suffix}"
    for number, entry in enumerate(figures, start=1):
        shown = {p.suffix: p for p in entry.files}
        png = shown.get(".png") or shown.get(".svg") or entry.files[0]
        lines += [
            f"### {_h('figure', lang)} {number}. {entry.title}",
            "",
            f"![{entry.title}]({folder}/{png.name})",
            "",
            f"*{_h('figure', lang)} {number}.* {entry.caption}",
            "",
            f"{_h('files', lang)}: {_file_links(entry, folder)}",
            "",
        ]
    if skipped:
        lines += [f"## {_h('skipped', lang)}", ""]
        lines += [f"- {name}: {reason}" for name, reason in skipped.items()]
        lines += [""]
    for key, language, text in _appendix(source):
        lines += [f"## {_h(key, lang)}", "", f"```{language}", text.rstrip(), "```", ""]
    return "\n".join(lines)


def png_width_px(data: bytes) -> int:
    """The pixel width in a PNG's header."""
    return int(struct.unpack(">I", data[16:20])[0])


def _image(files: Sequence[Path], alt: str) -> str:
    """The figure embedded: its PNG (shown at 1.5 times its printed size), else its SVG,
    else a note naming the file (PDF cannot be shown inline)."""
    by_suffix = {path.suffix: path for path in files}
    if ".png" in by_suffix:
        data = by_suffix[".png"].read_bytes()
        shown = round(png_width_px(data) / 300 * SCREEN_PX_PER_IN)
        encoded = base64.b64encode(data).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
            f'style="width: {shown}px">'
        )
    if ".svg" in by_suffix:
        encoded = base64.b64encode(by_suffix[".svg"].read_bytes()).decode("ascii")
        return f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(alt)}">'
    names = ", ".join(path.name for path in files)
    return f'<p class="files">({html.escape(names)})</p>'


def html_report(
    source: RunSource | ExperimentSource,
    figures: Sequence[FigureEntry],
    tables: dict[str, pd.DataFrame],
    skipped: dict[str, str],
    lang: str,
) -> str:
    """The text of report.html: one self-contained page."""
    title = html.escape(_title(source, lang))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">',
        f'<head><meta charset="utf-8"><title>{title}</title><style>{CSS}</style></head>',
        "<body>",
        f"<h1>{title}</h1>",
    ]
    if source.description:
        parts.append(f"<p>{html.escape(source.description)}</p>")
    rows = pd.DataFrame(provenance_rows(source), columns=["", " "])
    parts += [f"<h2>{_h('provenance', lang)}</h2>", html_table(rows, header=False)]
    for name, table in tables.items():
        key = "effect" if name == "effect" else "headline"
        parts += [f"<h2>{_h(key, lang)}</h2>", html_table(table)]
    parts.append(f"<h2>{_h('figures', lang)}</h2>")
    for number, entry in enumerate(figures, start=1):
        label = f"{_h('figure', lang)} {number}."
        parts += [
            f"<h3>{label} {html.escape(entry.title)}</h3>",
            "<figure>",
            _image(entry.files, entry.title),
            f"<figcaption><strong>{label}</strong> {html.escape(entry.caption)}</figcaption>",
            "</figure>",
        ]
    if skipped:
        items = "".join(
            f"<li>{html.escape(name)}: {html.escape(reason)}</li>"
            for name, reason in skipped.items()
        )
        parts += [f"<h2>{_h('skipped', lang)}</h2>", f"<ul>{items}</ul>"]
    for key, _, text in _appendix(source):
        parts += [
            f"<h2>{_h(key, lang)}</h2>",
            f"<details><summary>{_h(key, lang)}</summary><pre>{html.escape(text)}</pre></details>",
        ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
