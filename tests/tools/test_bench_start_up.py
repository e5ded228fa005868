"""The start-up parts of benchmarks/bench_hangzhou.py: what building a model spends its
CPU on, timed by wrapping from outside and put back afterwards."""

from __future__ import annotations


def test_a_demo_build_is_timed_by_part_and_every_wrapper_is_removed(bench, small_city):
    import numba.core.dispatcher as dispatcher

    import edusim.model as model_module
    from edusim.phases.intake import Intake

    before = (
        model_module.load_scenario,
        model_module.build_world,
        vars(Intake)["_burn_in"],
        vars(Intake)["_fit_private_amenity"],
    )
    cpu: dict[str, float] = {}
    restore = bench._time_start_up_parts(model_module, cpu)
    try:
        model_module.EduModel(small_city, seed=3, years=1)
    finally:
        restore()
    after = (
        model_module.load_scenario,
        model_module.build_world,
        vars(Intake)["_burn_in"],
        vars(Intake)["_fit_private_amenity"],
    )
    assert after == before
    assert "_compile_for_args" not in vars(dispatcher.Dispatcher)  # inherited again
    assert set(cpu) >= {"scenario", "synthesis", "burn_in"}
    assert all(seconds >= 0.0 for seconds in cpu.values())
    assert cpu["synthesis"] > 0.0


def test_the_summary_and_report_carry_the_start_up_parts(bench, capsys):
    parts = dict.fromkeys(bench.START_UP_PARTS, 0.1)
    run = {
        "scenario": "demo", "years": 2, "schools": 10, "pupils_start": 100, "pupils_end": 110,
        "pupils_mean": 105.0, "run_s": 1.0, "process_s": 2.0, "import_s": 0.5, "build_s": 0.4,
        "synthesis_s": 0.2, "import_cpu_s": 0.5, "build_cpu_s": 0.4, "loop_s": 0.4,
        "cpu_s": 1.9, "loop_cpu_s": 0.4, "year_cpu_s_per_100k_pupils": 0.2, "tables_s": 0.1,
        "loop_s_per_100k_pupils": 0.4, "year_s_per_100k_pupils": 0.2,
        "calendar_overhead_s": 0.0, "peak_rss_mib": 300.0,
        "phase_s_per_year": {"enrollment": 0.1}, "start_cpu_s": parts,
        "load_1min_before": 0.5,
    }  # fmt: skip
    result = bench.summary([run, run])
    assert result["start_cpu_s"]["burn_in"]["median"] == 0.1
    bench.print_report([run, run], result)
    out = capsys.readouterr().out
    assert "housing market burn-in" in out and "CPU user+sys, import edusim" in out
