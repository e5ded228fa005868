"""`edusim report` and the report of `edusim run`, end to end through the command line."""

from __future__ import annotations

import pytest

import edusim.plots
import edusim.plots.style
from edusim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from edusim.plots.fonts import FontMissingError


def test_report_on_a_run_directory_writes_png_only_by_default(results_copy, capsys):
    folder = results_copy("run")
    assert main(["report", str(folder)]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"report written to {folder / 'report.html'}" in out and "7 figures" in out
    assert (folder / "report.md").is_file() and (folder / "figures" / "city_map.png").is_file()
    written = {path.suffix for path in (folder / "figures").iterdir()}
    assert written == {".png", ".csv", ".txt"}


def test_report_of_an_experiment_in_chinese(results_copy, capsys):
    folder = results_copy("compare")
    assert main(["report", str(folder), "--lang", "zh", "--formats", "png"]) == EXIT_OK
    assert "3 figures" in capsys.readouterr().out
    caption = (folder / "figures-zh" / "paired_differences.caption.txt").read_text("utf-8")
    assert "配对差值" in caption and "95%置信区间" in caption
    page = (folder / "report-zh.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hans"' in page and "实验报告" in page
    assert not (folder / "figures").exists()  # English files are separate


def test_chinese_without_a_cjk_font_exits_2_with_the_install_command(
    results_copy, monkeypatch, capsys
):
    def no_font(*_: object) -> str:
        raise FontMissingError()

    monkeypatch.setattr(edusim.plots, "cjk_family", no_font)
    monkeypatch.setattr(edusim.plots.style, "cjk_family", no_font)
    folder = results_copy("compare")
    assert main(["report", str(folder), "--lang", "zh"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert 'pip install "edusim[zh]"' in err and "Traceback" not in err
    assert not (folder / "figures-zh").exists()


@pytest.mark.parametrize("case", ["missing", "not_results"])
def test_a_bad_directory_exits_2_with_a_clear_message(tmp_path, capsys, case):
    target = tmp_path / "nowhere"
    if case == "not_results":
        target.mkdir()
        (target / "notes.txt").write_text("x")
    assert main(["report", str(target)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    expected = "no such directory" if case == "missing" else "neither a run directory"
    assert err.startswith("edusim: ") and expected in err


def test_run_with_no_report_writes_no_figures(demo_path, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", str(demo_path), "--years", "1", "--out", str(out), "--quiet", "--no-report"]
    assert main(args) == EXIT_OK
    assert "report written" not in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert not names & {"figures", "tables", "report.md", "report.html"}
    assert "city.parquet" in names


def test_run_writes_its_report_by_default(demo_path, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(demo_path), "--years", "2", "--out", str(out), "--quiet"]) == EXIT_OK
    assert f"report written to {out / 'report.html'}" in capsys.readouterr().out
    assert (out / "figures" / "city_map.png").is_file()
    assert (out / "tables" / "headline.tex").is_file()
    assert "Single replication" in (out / "report.md").read_text(encoding="utf-8")
