"""Tables for papers: the headline table of a run or an experiment, as Markdown, HTML and
LaTeX (booktabs: \\toprule, \\midrule, \\bottomrule; needs \\usepackage{booktabs})."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from edusim.headline import headline_table
from edusim.plots.labels import metric_label

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def cell_text(value: object) -> str:
    """A table cell: numbers to four significant digits (whole numbers with thousands
    separators from 10,000), NaN as empty."""
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return ""
        return f"{number:,.0f}" if abs(number) >= 1e4 else f"{number:.4g}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def latex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped."""
    return "".join(LATEX_SPECIALS.get(char, char) for char in text)


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def latex_table(frame: pd.DataFrame, caption: str = "", label: str = "") -> str:
    """A booktabs table: text columns left-aligned, numbers right-aligned."""
    spec = "".join("r" if _numeric(frame[c]) else "l" for c in frame.columns)
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        lines.append(rf"\caption{{{latex_escape(caption)}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(str(c)) for c in frame.columns) + r" \\",
        r"\midrule",
    ]
    for row in frame.itertuples(index=False):
        lines.append(" & ".join(latex_escape(cell_text(v)) for v in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def html_table(frame: pd.DataFrame, header: bool = True) -> str:
    """An HTML table (escaped), numbers right-aligned; `header=False` leaves out the
    column names (a key-value table)."""
    numeric = [_numeric(frame[c]) for c in frame.columns]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{html.escape(cell_text(v))}</td>'
            if is_number
            else f"<td>{html.escape(cell_text(v))}</td>"
            for v, is_number in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    thead = f"<thead><tr>{head}</tr></thead>" if header else ""
    return f"<table>{thead}<tbody>{''.join(body)}</tbody></table>"


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table (numbers to four significant digits)."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if _numeric(frame[c]) else "---" for c in frame.columns) + "|"
    body = [
        "| " + " | ".join(cell_text(v).replace("|", "\\|") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def run_headline(metrics: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Every metric at the first and last year, with its label, unit and direction."""
    table = headline_table(metrics)
    table.insert(1, "label", [metric_label(m, lang) for m in table["metric"]])
    return table


def _interval(mean: float, low: float, high: float) -> str:
    if not math.isfinite(mean):
        return ""
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def experiment_headline(summary: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The final-year summary: per metric and arm the mean, p10-p90 and, for comparisons,
    the paired difference from the baseline with its 95% CI."""
    table = pd.DataFrame(
        {
            "metric": summary["metric"],
            "label": [metric_label(m, lang) for m in summary["metric"]],
            "unit": summary["unit"],
            "variant": summary["variant"],
            "year": summary["year"],
            "n": summary["n"],
            "mean": summary["mean"],
            "p10": summary["p10"],
            "p90": summary["p90"],
        }
    )
    if "diff_mean" in summary:
        table["difference [95% CI]"] = [
            _interval(m, lo, hi)
            for m, lo, hi in zip(
                summary["diff_mean"], summary["diff_low"], summary["diff_high"], strict=True
            )
        ]
    order = {name: i for i, name in enumerate(pd.unique(summary["metric"]))}
    return table.sort_values("metric", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )
