"""Calibration figures: fit per target, traces of the search, pairs of good trials.

They take the tables a calibration folder holds (edusim.experiment.calibrate):
`fit.csv` (one row per target), `trials.csv` (one row per trial) and `profile.csv`
(one row per parameter).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edusim.plots.axes import panel_grid
from edusim.plots.labels import wrap
from edusim.plots.style import OKABE_ITO, house_style

WORDS: dict[str, dict[str, str]] = {
    "observed": {"en": "observed (95% interval)", "zh": "观测值（95%区间）"},
    "model": {
        "en": "model, best trial (95% band of replications)",
        "zh": "模型最优试验（重复的95%区间）",
    },
    "loss": {"en": "loss (sum of weight x z²)", "zh": "损失（权重×z²之和）"},
    "best": {"en": "best so far", "zh": "迄今最优"},
    "trial": {"en": "trial", "zh": "试验"},
    "good": {"en": "good trials", "zh": "较优试验"},
    "other": {"en": "other trials", "zh": "其他试验"},
}


def _word(key: str, lang: str) -> str:
    return WORDS[key].get(lang, WORDS[key]["en"])


def fit_per_target(fit: pd.DataFrame, *, lang: str = "en", ncols: int = 3) -> Figure:
    """One small panel per target: the observation with its 95% interval beside the best
    trial's model mean with the 95% band of its replications (targets differ in units,
    so each has its own axis)."""
    if fit.empty:
        raise ValueError("no target in fit.csv")
    with house_style(lang):
        figure, axes = panel_grid(len(fit), ncols, panel_height=1.6)
        for ax, row in zip(axes, fit.itertuples(index=False), strict=True):
            ax.errorbar(
                [0],
                [row.observed],
                yerr=[[row.observed - row.obs_low], [row.obs_high - row.observed]],
                fmt="o",
                color=OKABE_ITO["black"],
                capsize=3,
                label=_word("observed", lang),
            )
            ax.errorbar(
                [1],
                [row.model_mean],
                yerr=[[row.model_mean - row.band_low], [row.band_high - row.model_mean]],
                fmt="s",
                color=OKABE_ITO["blue"],
                capsize=3,
                label=_word("model", lang),
            )
            ax.set_xlim(-0.6, 1.6)
            ax.set_xticks([0, 1], ["obs.", "model"] if lang == "en" else ["观测", "模型"])
            ax.set_title(wrap(f"{row.target} (z {row.z:+.1f})", 30), fontsize="small")
            ax.grid(axis="x", visible=False)
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=2)
    return figure


def trace_table(trials: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Finished trials in order with the best loss so far (the traces' data)."""
    done = trials[trials["state"] == "COMPLETE"].sort_values("trial")
    if done.empty:
        raise ValueError("no finished trial in trials.csv")
    table = done[["trial", "loss", *parameters]].copy()
    table["best_so_far"] = table["loss"].cummin()
    return table.reset_index(drop=True)


def traces(data: pd.DataFrame, parameters: list[str], *, lang: str = "en") -> Figure:
    """The loss of each trial with the best so far, then each parameter's value by trial
    (the best trial marked): where the search went and whether it settled."""
    with house_style(lang):
        figure, axes = panel_grid(1 + len(parameters), 1, sharex=True)
        loss_ax = axes[0]
        loss_ax.scatter(data["trial"], data["loss"], s=8, color=OKABE_ITO["sky"])
        loss_ax.step(
            data["trial"],
            data["best_so_far"],
            where="post",
            color=OKABE_ITO["vermillion"],
            label=_word("best", lang),
        )
        if (data["loss"] > 0).all():
            loss_ax.set_yscale("log")
        loss_ax.set_ylabel(wrap(_word("loss", lang), 22))
        loss_ax.legend(loc="upper right")
        best = data.loc[data["loss"].idxmin()]
        for ax, name in zip(axes[1:], parameters, strict=True):
            ax.scatter(data["trial"], data[name], s=8, color=OKABE_ITO["blue"])
            ax.scatter([best["trial"]], [best[name]], s=30, color=OKABE_ITO["vermillion"])
            ax.set_ylabel(wrap(name, 22), fontsize="small")
        axes[-1].set_xlabel(_word("trial", lang))
    return figure


def pairs_table(trials: pd.DataFrame, parameters: list[str], delta: float) -> pd.DataFrame:
    """Finished trials with a flag for the good ones (loss within `delta` of the best)."""
    done = trials[trials["state"] == "COMPLETE"]
    if done.empty:
        raise ValueError("no finished trial in trials.csv")
    table = done[["trial", "loss", *parameters]].copy()
    table["good"] = table["loss"] <= table["loss"].min() + delta
    return table.reset_index(drop=True)


def good_trial_pairs(data: pd.DataFrame, parameters: list[str], *, lang: str = "en") -> Figure:
    """Pairwise scatter of the parameters (lower triangle): every finished trial in grey,
    the good ones in colour (darker = lower loss); on the diagonal, a histogram of each
    parameter's values among good trials.
    A long ridge of good trials is a trade-off the targets cannot resolve."""
    count = len(parameters)
    if count == 0:
        raise ValueError("no parameter to draw")
    good = data[data["good"]]
    other = data[~data["good"]]
    with house_style(lang):
        figure, grid = panel_grid(count * count, count, panel_height=1.5)
        for i, y_name in enumerate(parameters):
            for j, x_name in enumerate(parameters):
                ax = grid[i * count + j]
                if i < j:  # the upper triangle mirrors the lower one
                    ax.set_visible(False)
                    continue
                if i == j:
                    ax.hist(good[x_name], bins=10, color=OKABE_ITO["blue"])
                    ax.set_title(wrap(x_name, 24), fontsize="x-small")
                else:
                    ax.scatter(other[x_name], other[y_name], s=5, color="#BBBBBB")
                    order = np.argsort(-good["loss"].to_numpy())
                    ax.scatter(
                        good[x_name].to_numpy()[order],
                        good[y_name].to_numpy()[order],
                        s=10,
                        c=good["loss"].to_numpy()[order],
                        cmap="viridis",
                    )
                if i == count - 1:
                    ax.set_xlabel(wrap(x_name, 20), fontsize="x-small")
                if j == 0 and i != j:
                    ax.set_ylabel(wrap(y_name, 20), fontsize="x-small")
    return figure
