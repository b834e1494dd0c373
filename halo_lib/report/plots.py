"""matplotlib figures: success bars with CIs, learning curves, an episode's filmstrip with its actions drawn."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # headless outside notebooks (a kernel keeps its inline backend)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PIL import Image  # noqa: E402

from halo_lib.actions import COORD_MAX  # noqa: E402
from halo_lib.agent.trajectory import load_trajectories  # noqa: E402
# IPython is imported lazily, in show: it is there only in a notebook's kernel.

#: metrics.jsonl keys of each learning-curve panel (first one present wins).
CURVES: dict[str, tuple[str, ...]] = {
    "reward": ("reward_mean",),
    "success rate": ("success_rate",),
    "loss": ("loss",),
    "KL to reference": ("kl", "kl_mean", "kl_div"),
    "entropy": ("entropy", "entropy_mean"),
    "invalid-action rate": ("invalid_action_rate",),
    "groups with zero spread": ("zero_spread_groups",),
}


def success_bars(table: pd.DataFrame, by: str, hue: str | None = None, title: str = "", ax=None):
    """Bars of ``success_rate`` per ``by`` group (one colour per ``hue`` value) with ``ci_low``/``ci_high`` whiskers."""
    groups = list(dict.fromkeys(table[by]))
    hues = list(dict.fromkeys(table[hue])) if hue else [None]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(groups) * len(hues) + 2), 3.4))
    width = 0.8 / len(hues)
    x = np.arange(len(groups))
    for i, h in enumerate(hues):
        part = table if h is None else table[table[hue] == h]
        part = part.set_index(by).reindex(groups)
        rate = part["success_rate"].to_numpy(dtype=float)
        err = np.vstack([rate - part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float) - rate])
        ax.bar(x + (i - (len(hues) - 1) / 2) * width, np.nan_to_num(rate), width, yerr=np.nan_to_num(err),
               capsize=3, label=str(h) if h is not None else None, alpha=0.85)
    ax.set_xticks(x, [str(g) for g in groups], rotation=30 if len(groups) > 4 else 0, ha="right"
                  if len(groups) > 4 else "center")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("success rate (95% CI)")
    ax.set_title(title)
    if hue:
        ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def diff_bars(summary: pd.DataFrame, ax=None):
    """Mean paired difference per run against the baseline, with its bootstrap interval."""
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.5, 1.2 * len(summary) + 2), 3.0))
    x = np.arange(len(summary))
    mean = summary["mean_diff"].to_numpy(dtype=float)
    err = np.vstack([mean - summary["ci_low"].to_numpy(dtype=float), summary["ci_high"].to_numpy(dtype=float) - mean])
    ax.bar(x, np.nan_to_num(mean), yerr=np.nan_to_num(err), capsize=4, color="tab:purple", alpha=0.8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [f"{r} - {b}" for r, b in zip(summary["run"], summary["baseline"])])
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("paired success difference")
    ax.set_title("per-task paired difference (bootstrap CI)")
    ax.figure.tight_layout()
    return ax.figure


def learning_curves(metrics: pd.DataFrame, title: str = "online GRPO"):
    """One panel per curve of :data:`CURVES`; a panel says so when its metric was not logged."""
    fig, axes = plt.subplots(2, 4, figsize=(15, 5.5))
    x = metrics["iteration"] if "iteration" in metrics else pd.Series(range(1, len(metrics) + 1))
    for ax, (name, keys) in zip(axes.flat, CURVES.items()):
        key = next((k for k in keys if k in metrics and metrics[k].notna().any()), None)
        if key is None:
            ax.text(0.5, 0.5, f"{name}:\nnot logged", ha="center", va="center", transform=ax.transAxes, color="gray")
        else:
            y = pd.to_numeric(metrics[key], errors="coerce")
            ax.plot(x, y, marker="o", markersize=3, linewidth=1)
            if len(y) >= 5:
                ax.plot(x, y.rolling(5, min_periods=1).mean(), linewidth=2, alpha=0.6, label="5-iter mean")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("iteration", fontsize=8)
    for ax in list(axes.flat)[len(CURVES):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def describe_action(action: dict | None, parse_error: str | None = None, exec_error: str | None = None,
                    width: int = 38) -> str:
    """A short caption of one step: the action and its arguments, or why there was none."""
    if not action:
        text = f"no action: {parse_error or 'none'}"
    else:
        args = ", ".join(f"{k}={v!r}" for k, v in (action.get("args") or {}).items() if k != "coordinate")
        text = f"{action.get('name')}({args})"
    if exec_error:
        text += f" -> error: {exec_error}"
    return "\n".join(textwrap.wrap(text, width)[:4])


def action_pixel(action: dict | None, width: int, height: int) -> tuple[float, float] | None:
    """The click point of a computer_use action (0-1000 frame) in the screenshot's pixels; None otherwise."""
    coordinate = ((action or {}).get("args") or {}).get("coordinate")
    if not coordinate or len(coordinate) != 2:
        return None
    x = min(coordinate[0] / COORD_MAX * width, width - 1)
    y = min(coordinate[1] / COORD_MAX * height, height - 1)
    return x, y


def pick_episode(steps: pd.DataFrame, episodes: pd.DataFrame | None = None) -> str | None:
    """An episode worth showing: a successful one if any, else the one with most steps."""
    if steps.empty:
        return None
    if episodes is not None and not episodes.empty and "success" in episodes:
        won = episodes[episodes["success"] == True]  # noqa: E712
        if not won.empty and won.iloc[0]["episode_id"] in set(steps["episode_id"]):
            return str(won.iloc[0]["episode_id"])
    return str(steps.groupby("episode_id")["step"].count().idxmax())


def filmstrip(steps: pd.DataFrame, episode_id: str | None = None, max_steps: int = 6, columns: int = 3):
    """Screenshots of one episode's steps (from ``load_trajectories``), each with its action drawn on it: a red
    marker at the click point of coordinate actions, a caption for every action."""
    episode_id = episode_id or pick_episode(steps)
    if episode_id is None:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.text(0.5, 0.5, "no steps recorded", ha="center", va="center")
        ax.axis("off")
        return fig
    part = steps[steps["episode_id"] == episode_id].sort_values("step").head(max_steps)
    rows = max(1, -(-len(part) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (_, row) in zip(axes.flat, part.iterrows()):
        shot = row.get("obs.screenshot")
        action = row.get("action") if isinstance(row.get("action"), dict) else None
        if isinstance(shot, str) and Path(shot).is_file():
            with Image.open(shot) as image:
                ax.imshow(image.convert("RGB"))
                w, h = image.size
            point = action_pixel(action, w, h)
            if point:
                ax.plot(*point, marker="o", markersize=14, markerfacecolor="none", markeredgecolor="red",
                        markeredgewidth=2.5)
                ax.plot(*point, marker="+", markersize=10, color="red")
        else:
            ax.text(0.5, 0.5, "(no screenshot)", ha="center", va="center", transform=ax.transAxes)
        caption = describe_action(action, _text(row.get("parse_error")), _text(row.get("exec_error")))
        ax.set_title(f"step {int(row['step'])}: {caption}", fontsize=7, loc="left")
    fig.suptitle(f"episode {episode_id}", fontsize=10)
    fig.tight_layout()
    return fig


def task_filmstrip(eval_dir: str | Path, task_id: str, max_steps: int = 6, title: str = ""):
    """The filmstrip of ``task_id``'s (first) episode in an evaluation folder (``<run>/<phase>``)."""
    steps = load_trajectories(Path(eval_dir) / "trajectories")
    part = steps[steps["task_id"] == task_id] if not steps.empty else steps
    fig = filmstrip(part, str(part["episode_id"].iloc[0]) if len(part) else None, max_steps=max_steps)
    if title:
        fig.suptitle(f"{title}: {task_id}", fontsize=10)
    return fig


def show(fig) -> None:
    """Display a figure once in a notebook (and free it)."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
