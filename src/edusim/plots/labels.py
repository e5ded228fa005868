"""Labels of figures in English and Chinese: metric names, units and the words on axes.

Metric labels are short forms of the registry's descriptions (`edusim.metric_info`, the
registry's static copy, so figures import no simulator code); units come from the registry and are translated for `lang="zh"`. A metric or unit
without a translation falls back to English (a test checks that none is missing).
"""

from __future__ import annotations

import textwrap

from edusim.metric_info import METRIC_INFO

LANGS: tuple[str, ...] = ("en", "zh")

METRIC_LABELS: dict[str, dict[str, str]] = {
    "quality_sd": {"en": "Teaching-quality SD across schools", "zh": "教学质量校际标准差"},
    "quality_cv": {"en": "Teaching-quality CV across schools", "zh": "教学质量校际变异系数"},
    "achievement_sd": {"en": "SD of schools' mean achievement", "zh": "学校平均成绩标准差"},
    "achievement_cv": {"en": "CV of schools' mean scale score", "zh": "学校平均成绩变异系数"},
    "quality_quartile_gap": {
        "en": "Teaching-quality gap, top vs bottom quarter of schools",
        "zh": "教学质量差距（前25%与后25%学校）",
    },
    "achievement_quartile_gap": {
        "en": "Achievement gap, top vs bottom quarter of schools",
        "zh": "成绩差距（前25%与后25%学校）",
    },
    "urban_rural_gap": {"en": "Urban-rural achievement gap", "zh": "城乡成绩差距"},
    "urban_rural_gap_junior": {
        "en": "Urban-rural achievement gap, junior grades",
        "zh": "初中年级城乡成绩差距",
    },
    "income_achievement_corr": {
        "en": "Correlation of family income with achievement",
        "zh": "家庭收入与成绩的相关系数",
    },
    "ses_gap": {
        "en": "Achievement gap, richest vs poorest quarter of families",
        "zh": "家庭收入前后25%的成绩差距",
    },
    "high_quality_share": {"en": "Pupils in high-quality schools", "zh": "优质学校就读学生占比"},
    "movers_share": {"en": "Entrants who moved house for a school", "zh": "为择校搬家的新生占比"},
    "renters_share": {"en": "Entrants who rented for a school", "zh": "为择校租房的新生占比"},
    "private_share": {"en": "Pupils in private schools", "zh": "民办学校学生占比"},
    "private_applicants_per_place": {
        "en": "Applicants per private-school place",
        "zh": "民办学校每学位报名人数",
    },
    "premium_mean_cny": {"en": "Mean catchment housing premium", "zh": "学区房平均溢价"},
    "premium_top_decile_cny": {
        "en": "Housing premium, dearest tenth of catchments",
        "zh": "溢价最高10%学区的学区房溢价",
    },
    "premium_change_autocorr": {
        "en": "Momentum of catchment premiums (lag-1 correlation of yearly changes)",
        "zh": "学区房溢价的动量(年度变化的一阶相关)",
    },
    "premium_median_share": {
        "en": "Median catchment premium (share of price)",
        "zh": "学区房溢价中位数(占房价比例)",
    },
    "premium_top_decile_share": {
        "en": "Premium of the dearest tenth of catchments (share of price)",
        "zh": "溢价最高10%学区的溢价(占房价比例)",
    },
    "dwellings_built_share": {
        "en": "New dwellings built (share of the stock)",
        "zh": "新建住房(占住房存量比例)",
    },
    "oversubscription_top": {
        "en": "Oversubscription of the most demanded schools",
        "zh": "热门学校报名人数与学位比",
    },
    "backbone_in_weak_share": {
        "en": "Backbone teachers in the weakest schools",
        "zh": "薄弱学校骨干教师占比",
    },
    "within_group_gap": {
        "en": "Core-member quality gap within groups",
        "zh": "集团内核心校与成员校质量差距",
    },
    "member_nonmember_gap": {
        "en": "Quality of members minus schools in no group",
        "zh": "成员校与非集团校质量差距",
    },
    "group_participation_share": {
        "en": "Schools in any group (zones, communities too)",
        "zh": "参与任一集团(含学区、共同体)的学校占比",
    },
    "famous_group_participation_share": {
        "en": "Public schools in famous-school groups",
        "zh": "参与名校集团化办学的公办学校占比",
    },
    "cross_level_group_share": {
        "en": "Public schools in cross-level or cross-region groups",
        "zh": "参与跨层级、跨区域名校集团的公办学校占比",
    },
    "rural_community_coverage": {
        "en": "Rural schools in urban-rural communities",
        "zh": "农村学校参与城乡学校互助共同体的比例",
    },
    "rotations": {"en": "Teachers posted by rotation", "zh": "交流轮岗教师数"},
    "backbone_in_rural_share": {
        "en": "Backbone teachers in rural schools",
        "zh": "农村学校骨干教师占比",
    },
    "rotations_group": {"en": "Teachers posted within groups", "zh": "集团内交流轮岗教师数"},
    "rotations_district": {
        "en": "Teachers posted by the district rule",
        "zh": "县管校聘交流轮岗教师数",
    },
    "reservoir_size": {"en": "Teachers in the backbone reservoir", "zh": "骨干教师蓄水池人数"},
    "senior_title_in_rural_share": {
        "en": "Senior-title teachers in rural schools",
        "zh": "农村学校高级职称教师占比",
    },
    "senior_title_in_weak_share": {
        "en": "Senior-title teachers in the weakest schools",
        "zh": "薄弱学校高级职称教师占比",
    },
    "senior_promotions": {"en": "Promotions to a senior title", "zh": "晋升高级职称教师数"},
    "surplus_teachers": {"en": "Teachers above the posts", "zh": "超编教师数"},
    "walk_teachers": {"en": "Teachers teaching part-time at a member", "zh": "跨校走教教师数"},
    "walk_teaching_travel_cny": {"en": "Travel cost of 走教", "zh": "走教交通成本"},
    "principal_quartile_gap": {
        "en": "Principal quality gap, best vs weakest quarter of schools",
        "zh": "成绩前后四分之一学校校长质量差距",
    },
    "principal_urban_rural_gap": {
        "en": "Principal quality gap, urban vs rural schools",
        "zh": "城乡学校校长质量差距",
    },
    "leader_postings": {
        "en": "Leaders placed at members by group cores",
        "zh": "集团核心校派驻成员校的干部数",
    },
    "principal_rotations": {"en": "Principals rotated", "zh": "校长交流轮岗人数"},
    "top3_share": {"en": "Entrants placed in one of their top three", "zh": "录取前三志愿新生占比"},
    "blocking_pair_share": {
        "en": "Entrants with justified envy (blocking pairs)",
        "zh": "存在合理嫉妒的新生占比",
    },
    "misreport_gain_share": {
        "en": "Sampled families who would gain by misreporting",
        "zh": "可通过策略填报获益的家庭占比",
    },
    "achievement_segregation": {
        "en": "Sorting of pupils by achievement within districts",
        "zh": "区内学生按成绩分层程度",
    },
    "between_school_share": {
        "en": "Share of achievement variance between schools",
        "zh": "成绩方差中的校际比例",
    },
    "income_quality_rank_corr": {
        "en": "Wealth sorting: income vs school teaching quality",
        "zh": "家庭收入与学校教学质量的秩相关",
    },
    "rotations_reservoir": {
        "en": "Reservoir teachers deployed",
        "zh": "蓄水池骨干教师派出人数",
    },
    "teacher_quartile_gap": {
        "en": "Teacher effectiveness gap, top vs bottom quarter of schools",
        "zh": "前后四分之一学校教师效能差距",
    },
    "scarce_lessons_uncovered_rural": {
        "en": "Scarce-subject lessons without a trained teacher, rural schools",
        "zh": "农村学校紧缺学科课时缺专业教师比例",
    },
    "teacher_urban_rural_gap": {
        "en": "Teacher effectiveness gap, urban vs rural schools",
        "zh": "城乡学校教师效能差距",
    },
    "rotated_tier_mean": {
        "en": "Mean tier of teachers with two-school experience",
        "zh": "有两校任教经历教师的平均层级",
    },
    "results_fund_cny": {"en": "Results-based working funds paid", "zh": "按成效拨付的工作经费"},
    "rotation_backbone_share": {"en": "Backbone share of postings", "zh": "交流教师中骨干教师占比"},
    "rotation_young_share": {"en": "Under-35 share of postings", "zh": "交流教师中35岁以下占比"},
    "volunteer_share": {"en": "Eligible teachers who volunteer", "zh": "自愿交流的教师占比"},
    "balanced_share": {"en": "Balanced-quality checks met", "zh": "优质均衡指标达标占比"},
    "money_spent_cny": {"en": "Reform grants paid", "zh": "改革专项经费支出"},
    "cost_per_gap_reduction_cny": {
        "en": "Cost per unit of quality gap narrowed",
        "zh": "每缩小单位质量差距的成本",
    },
    "out_of_catchment_share": {
        "en": "Entrants choosing outside their catchment",
        "zh": "首选非学区学校的新生占比",
    },
    "first_choice_share": {"en": "Entrants placed at first choice", "zh": "第一志愿录取的新生占比"},
    "mean_distance_km": {"en": "Mean distance to school", "zh": "新生平均通学距离"},
    "premium_gini": {"en": "Gini of housing premiums", "zh": "学区房溢价基尼系数"},
    "ses_dissimilarity": {
        "en": "Segregation of low-income pupils",
        "zh": "低收入学生校际隔离指数",
    },
    "satisfaction_index": {"en": "Public satisfaction index", "zh": "教育满意度指数"},
    "satisfied_share": {"en": "Entrants satisfied", "zh": "满意的新生家庭占比"},
    "satisfaction_low_income": {
        "en": "Satisfaction, low-income entrants",
        "zh": "低收入新生家庭满意度",
    },
    "satisfaction_high_income": {
        "en": "Satisfaction, high-income entrants",
        "zh": "高收入新生家庭满意度",
    },
    "satisfaction_urban": {"en": "Satisfaction, urban districts", "zh": "城区新生家庭满意度"},
    "satisfaction_rural": {"en": "Satisfaction, rural counties", "zh": "农村县新生家庭满意度"},
    "satisfaction_lowest_district": {
        "en": "Satisfaction, least satisfied district",
        "zh": "满意度最低区县的满意度",
    },
    "unsatisfied_schools_share": {
        "en": "Schools whose entrants are not satisfied",
        "zh": "新生家庭平均不满意的学校占比",
    },
    "sense_of_gain": {"en": "Sense of gain (获得感)", "zh": "教育获得感"},
    "satisfaction_expectation": {"en": "Expectation met", "zh": "期望达成度"},
    "satisfaction_quality": {"en": "Perceived quality", "zh": "教育质量感知"},
    "satisfaction_fairness": {"en": "Perceived fairness", "zh": "教育公平感知"},
    "satisfaction_access": {"en": "Access to the school wanted", "zh": "入学机会满足度"},
    "satisfaction_cost": {"en": "Cost of access (score)", "zh": "入学代价得分"},
    "pupils": {"en": "Pupils enrolled", "zh": "在校学生数"},
    "teachers": {"en": "Teachers in post", "zh": "在岗教师数"},
    "mean_achievement": {"en": "Mean pupil achievement", "zh": "学生平均成绩"},
}

UNIT_ZH: dict[str, str] = {
    "correlation (-1 to 1)": "相关系数（-1至1）",
    "share of scarce-subject lessons": "占紧缺学科课时比例",
    "share of matched entrants": "占参与匹配新生比例",
    "share of sampled entrants": "占抽样新生比例",
    "share of variance": "占方差比例",
    "pupil SD per year": "学生标准差/年",
    "pupil SD": "学生标准差",
    "SD of urban pupils": "城镇学生标准差",
    "ratio": "比值",
    "share of pupils": "占学生比例",
    "share of entrants": "占新生比例",
    "applicants per place": "人/学位",
    "entrants per place": "人/学位",
    "CNY": "元",
    "share of base price": "占基准房价比例",
    "share of dwellings": "占住房存量比例",
    "CNY per year": "元/年",
    "tier index (0-3)": "层级（0-3）",
    "CNY per pupil SD per year": "元/(学生标准差/年)",
    "share of backbone teachers": "占骨干教师比例",
    "share of senior-title teachers": "占高级职称教师比例",
    "share of schools": "占学校比例",
    "share of rural schools": "占农村学校比例",
    "teachers per year": "人/年",
    "leaders per year": "人/年",
    "principals per year": "人/年",
    "share of postings": "占交流教师比例",
    "share of eligible teachers": "占符合条件教师比例",
    "share of checks": "占检查项比例",
    "km": "公里",
    "Gini coefficient": "基尼系数",
    "index (0-1)": "指数（0–1）",
    "index (0-100)": "指数（0–100）",
    "index points": "指数点",
    "score (0-1)": "得分（0–1）",
    "pupils": "人",
    "teachers": "人",
    "thousand CNY": "千元",
    "ten thousand CNY": "万元",
    "sensitivity index": "敏感性指数",
}

WORDS: dict[str, dict[str, str]] = {
    "year": {"en": "Year", "zh": "年份"},
    "difference": {"en": "Difference", "zh": "差值"},
    "quality": {"en": "Teaching quality", "zh": "教学质量"},
    "core": {"en": "Core school", "zh": "核心校"},
    "member": {"en": "Member school", "zh": "成员校"},
    "none": {"en": "In no group", "zh": "非集团校"},
    "private": {"en": "Private", "zh": "民办学校"},
    "primary": {"en": "Primary", "zh": "小学"},
    "junior": {"en": "Junior secondary", "zh": "初中"},
    "premium": {"en": "Catchment housing premium", "zh": "学区房溢价"},
    "x_km": {"en": "East-west", "zh": "东西向"},
    "y_km": {"en": "North-south", "zh": "南北向"},
    "group_link": {"en": "Group link (core to member)", "zh": "集团关系（核心校—成员校）"},
    "to_weaker": {"en": "To a weaker school", "zh": "流向较弱学校"},
    "to_stronger": {"en": "To a stronger school", "zh": "流向较强学校"},
    "from_district": {"en": "From district", "zh": "流出区县"},
    "to_district": {"en": "To district", "zh": "流入区县"},
    "postings": {"en": "Teachers posted", "zh": "交流教师"},
    "district_flows": {"en": "District to district (teachers)", "zh": "区县间交流（人）"},
    "teachers_unit": {"en": "teachers", "zh": "人"},
    "school_year": {"en": "school year", "zh": "学年"},
    "parameter": {"en": "Parameter", "zh": "参数"},
    "mu_star": {"en": "Morris mu*", "zh": "Morris μ*"},
    "S1": {"en": "First-order S1", "zh": "一阶指数 S1"},
    "ST": {"en": "Total-order ST", "zh": "总效应指数 ST"},
    "share_of_variance": {"en": "share of variance", "zh": "方差占比"},
    "mean": {"en": "mean", "zh": "均值"},
    "single": {"en": "single replication", "zh": "单次运行"},
    "all_points": {"en": "all design points", "zh": "全部设计点"},
    "in_group": {"en": "kind", "zh": "类型"},
    "no_data": {"en": "no data", "zh": "无数据"},
}

GROUP_KIND_ZH: dict[str, str] = {
    "tight": "紧密型",
    "alliance": "联盟型",
    "entrusted": "委托管理",
    "vertical": "学区统筹",
    "horizontal": "名校牵动",
    "community": "城乡共同体",
    "zone": "学区化",
    "university": "高校引领",
}


def check_lang(lang: str) -> str:
    """`lang` if it is a supported language, else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}', expected one of {LANGS}")
    return lang


def metric_label(name: str, lang: str = "en") -> str:
    """Short label of a registry metric (English when no translation exists)."""
    labels = METRIC_LABELS.get(name)
    if labels is None:
        return name.replace("_", " ").capitalize()
    return labels.get(check_lang(lang), labels["en"])


def metric_unit(name: str) -> str:
    """The registry's unit of a metric ('' for a name the registry does not know)."""
    entry = METRIC_INFO.get(name)
    return entry.unit if entry is not None else ""


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit in the figure's language (English when no translation exists)."""
    return UNIT_ZH.get(unit, unit) if check_lang(lang) == "zh" else unit


def word(key: str, lang: str = "en") -> str:
    """One of the figure words in `WORDS`."""
    return WORDS[key][check_lang(lang)]


def group_kind_label(kind: str, lang: str = "en") -> str:
    """A group kind as shown in legends and panel titles."""
    if check_lang(lang) == "zh":
        return GROUP_KIND_ZH.get(kind, kind)
    return kind.replace("_", "-")


def with_unit(label: str, unit: str, lang: str = "en") -> str:
    """'label (unit)', with full-width brackets in Chinese; no brackets without a unit."""
    if not unit:
        return label
    shown = unit_label(unit, lang)
    return f"{label}（{shown}）" if lang == "zh" else f"{label} ({shown})"


def wrap(text: str, width: int) -> str:
    """Wrap English text at spaces; Chinese text (no spaces) breaks before a bracket if it
    has one, else every `width` characters."""
    if " " in text or len(text) <= width:
        return "\n".join(textwrap.wrap(text, width)) or text
    if "（" in text.strip("（"):
        head, _, tail = text.partition("（")
        return "\n".join([wrap(head, width), wrap("（" + tail, width)])
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))
