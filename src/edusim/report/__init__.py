"""Reports of a run or an experiment: figures (PNG, PDF, SVG) with their data and captions,
LaTeX and CSV tables, report.md and a self-contained report.html (`edusim report DIR`)."""

from edusim.report.build import Report, build_report
from edusim.report.sources import ReportInputError, load_results

__all__ = ["Report", "ReportInputError", "build_report", "load_results"]
