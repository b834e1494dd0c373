"""halo_lib.report: CIs and bootstrap on known inputs, tables, plots, parameter validation, HTML and the index."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from halo_lib.errors import HaloError
from halo_lib.report import params as P
from halo_lib.report import stats, tables


# ---- statistics --------------------------------------------------------------------------------------------
def test_wilson_known_values():
    assert stats.wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert stats.wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert stats.wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)
    lo90, hi90 = stats.wilson_interval(5, 10, confidence=0.90)
    assert 0.2366 < lo90 and hi90 < 0.7634  # narrower at 90%
    with pytest.raises(ValueError):
        stats.wilson_interval(3, 2)


def test_bootstrap_known_values():
    assert stats.bootstrap_mean_ci([0.25] * 7) == (0.25, 0.25, 0.25)  # no spread, no width
    mean, lo, hi = stats.bootstrap_mean_ci([0, 1] * 50, n_boot=4000, seed=1)
    assert mean == 0.5 and lo == pytest.approx(0.4, abs=0.03) and hi == pytest.approx(0.6, abs=0.03)
    assert stats.bootstrap_mean_ci([0, 1, 1, 0], seed=3) == stats.bootstrap_mean_ci([0, 1, 1, 0], seed=3)
    # paired: b - a per unit; a constant shift gives a zero-width interval at the shift
    assert stats.paired_bootstrap_diff([0.0, 0.5, 1.0], [0.5, 1.0, 1.5]) == pytest.approx((0.5, 0.5, 0.5))
    with pytest.raises(ValueError):
        stats.paired_bootstrap_diff([1, 2], [1])


# ---- tables ------------------------------------------------------------------------------------------------
def _episodes(successes: dict[str, list[bool]], mode: str = "m") -> pd.DataFrame:
    rows = []
    for task, results in successes.items():
        for k, ok in enumerate(results):
            rows.append({"task_id": task, "site": task.split(".")[1].rsplit("-", 1)[0], "benchmark": True,
                         "episode": k, "mode": mode, "success": ok, "status": "success" if ok else "max_steps",
                         "steps": 3, "action_errors": 1, "seconds": 2.0, "answer": None, "error": None})
    return pd.DataFrame(rows)


def test_success_and_paired_tables():
    base = _episodes({"v2.gomail-1": [True, False], "v2.gomail-2": [False, False], "v2.omnizon-3": [True, True]})
    grpo = _episodes({"v2.gomail-1": [True, True], "v2.gomail-2": [True, False], "v2.omnizon-3": [True, True]})
    by_site = tables.success_table(base, "site").set_index("site")
    assert by_site.loc["gomail", "n"] == 4 and by_site.loc["gomail", "successes"] == 1
    assert (by_site.loc["gomail", "ci_low"], by_site.loc["gomail", "ci_high"]) == stats.wilson_interval(1, 4)
    overall = tables.compare_success({"base": base, "grpo": grpo}, by=None)
    assert list(overall["run"]) == ["base", "grpo"] and list(overall["successes"]) == [3, 5]
    per_task, summary = tables.paired_differences({"base": base, "grpo": grpo}, "base", n_boot=500)
    diff = per_task.set_index("task_id")["grpo - base"]
    assert diff.to_dict() == {"v2.gomail-1": 0.5, "v2.gomail-2": 0.5, "v2.omnizon-3": 0.0}
    row = summary.iloc[0]
    assert row["paired_tasks"] == 3 and row["mean_diff"] == pytest.approx(1 / 3)
    assert row["ci_low"] >= 0.0 and row["ci_high"] <= 0.5 and (row["wins"], row["losses"]) == (2, 0)
    assert "success (95% CI)" in tables.format_rates(by_site.reset_index()).columns
    errors = tables.steps_errors_table(base, "site").set_index("site")
    assert errors.loc["omnizon", "status_success"] == 2 and errors.loc["gomail", "mean_steps"] == 3
    with pytest.raises(HaloError, match="baseline 'bc'"):
        tables.paired_differences({"base": base}, "bc")


def test_run_loading_errors(tmp_path):
    with pytest.raises(HaloError, match="no evaluation results"):
        tables.load_run(tmp_path)
    with pytest.raises(HaloError, match="no training metrics"):
        tables.load_metrics(tmp_path)
    (tmp_path / "metrics.jsonl").write_text('{"iteration": 1, "loss": 0.5}\n{"iteration": 2, "lo')  # cut line
    assert list(tables.load_metrics(tmp_path)["iteration"]) == [1]
    assert not tables.trained_on_benchmark(tmp_path)
    (tmp_path / tables.BENCHMARK_MARK).write_text("v2.gomail-1")
    assert tables.trained_on_benchmark(tmp_path)


# ---- plots -------------------------------------------------------------------------------------------------
def test_plots_and_filmstrip(tmp_path):
    from PIL import Image

    from halo_lib.report import plots

    assert plots.action_pixel({"args": {"coordinate": [500, 1000]}}, 1280, 720) == (640.0, 719)
    assert plots.action_pixel({"name": "click", "args": {"bid": "12"}}, 1280, 720) is None
    assert "fill(bid='3', text='hi')" in plots.describe_action({"name": "fill", "args": {"bid": "3", "text": "hi"}})
    assert plots.describe_action(None, "no action found").startswith("no action: no action found")
    Image.new("RGB", (128, 72), "white").save(tmp_path / "s0.png")
    steps = pd.DataFrame([
        {"episode_id": "e1", "step": 0, "obs.screenshot": str(tmp_path / "s0.png"), "parse_error": None,
         "exec_error": None, "action": {"name": "left_click", "family": "computer_use", "args": {"coordinate": [10, 20]}}},
        {"episode_id": "e1", "step": 1, "obs.screenshot": None, "parse_error": "no action found", "exec_error": None,
         "action": None}])
    fig = plots.filmstrip(steps, max_steps=4, columns=2)
    marker = [line for ax in fig.axes for line in ax.get_lines()]
    assert marker and marker[0].get_xdata()[0] == pytest.approx(10 / 1000 * 128)
    assert "step 1: no action" in fig.axes[1].get_title(loc="left")
    curves = plots.learning_curves(pd.DataFrame({"iteration": [1, 2], "reward_mean": [0.1, 0.2], "loss": [1, 0.5]}))
    texts = [t.get_text() for ax in curves.axes for t in ax.texts]
    assert "entropy:\nnot logged" in texts and len(curves.axes[0].get_lines()) == 1
    table = tables.success_table(_episodes({"v2.gomail-1": [True, False]}), "site")
    assert len(plots.success_bars(table, "site").axes[0].patches) == 1


# ---- parameters --------------------------------------------------------------------------------------------
def test_shipped_configs_load():
    for config in ("cpu", "h100"):
        for notebook in P.NOTEBOOKS:
            params = P.load_params(config, notebook)
            assert isinstance(params, P.NOTEBOOKS[notebook][1])
    grpo = P.load_params("cpu", "02").grpo_config()
    assert grpo.model == "tiny-qwen3vl" and grpo.group_size >= 2


def test_every_param_field_has_a_docstring():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(P))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.endswith("Params"):
            body = node.body
            for i, stmt in enumerate(body):
                if isinstance(stmt, ast.AnnAssign):
                    nxt = body[i + 1] if i + 1 < len(body) else None
                    assert isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant), \
                        f"{node.name}.{stmt.target.id} has no docstring"


@pytest.mark.parametrize("notebook, values, match", [
    ("baseline_eval", {"episdoes": 3}, r"unknown BaselineEvalParams field\(s\) \['episdoes'\]"),
    ("baseline_eval", {"episodes": "three"}, r"BaselineEvalParams.episodes must be int"),
    ("baseline_eval", {"episodes": 0}, r"BaselineEvalParams.episodes must be >= 1"),
    ("baseline_eval", {"sites": "cloud"}, r"BaselineEvalParams.sites must be one of"),
    ("online_grpo", {"grpo": {"group_sise": 2}}, r"OnlineGRPOParams.grpo: unknown GRPOConfig field\(s\) \['group_sise'\]"),
    ("online_grpo", {"grpo": {"group_size": 1}}, r"GRPOConfig.group_size must be >= 2"),
    ("online_grpo", {"resume": "yes"}, r"OnlineGRPOParams.resume must be bool"),
    ("compare", {"baseline": "bc"}, r"CompareParams.baseline must be one of"),
    ("compare", {"runs": ["a"]}, r"CompareParams.runs must be dict"),
])
def test_bad_parameters_name_the_field(notebook, values, match):
    with pytest.raises(HaloError, match=match):
        P.load_params("cpu", notebook, values)


def test_config_errors(tmp_path):
    with pytest.raises(HaloError, match=r"no papermill config 'gpu9'.*configs: cpu, h100"):
        P.load_params("gpu9", "baseline_eval")
    with pytest.raises(HaloError, match="unknown notebook 'train'"):
        P.load_params("cpu", "train")
    bad = tmp_path / "bad.yaml"
    bad.write_text("baseline_eval: {episodes: 2}\nbaseline: {}\n")
    with pytest.raises(HaloError, match=r"unknown section\(s\) \['baseline'\]"):
        P.load_params(bad, "compare")
    bad.write_text("baseline_eval: {max_steps: 2.5}\n")
    with pytest.raises(HaloError, match=r"bad.yaml \[baseline_eval\]: BaselineEvalParams.max_steps must be int"):
        P.load_params(bad, "baseline_eval")
    bad.write_text("baseline_eval: [1, 2\n")
    with pytest.raises(HaloError, match="not valid YAML"):
        P.load_params(bad, "baseline_eval")


def test_notebook_namespace_checks():
    from halo_lib.report import notebook

    before = {"nb", "display"}
    ns = {"nb": 1, "display": 2, "config": "cpu", "overrides": {"episodes": 2}, "max_steps": 4}
    params = notebook.resolve("01", "cpu", {"episodes": 2}, ns, before)
    assert (params.episodes, params.max_steps) == (2, 4)
    with pytest.raises(HaloError, match=r"unknown parameter\(s\) \['episdoes'\] for notebook baseline_eval"):
        notebook.resolve("01", "cpu", {}, {**ns, "episdoes": 3}, before)


def test_plan_wires_runs_and_guards_benchmark_training():
    from halo_lib.report.pipeline import plan

    tag, params = plan("cpu", tag="t1")
    assert params["baseline_eval"].run_name == "t1-base" and params["online_grpo"].run_name == "t1"
    assert params["compare"].runs == {"base": "results/t1-base", "grpo": "results/t1-grpo"}
    assert not any(p.trained_on_benchmark for p in params.values())
    with pytest.raises(HaloError, match="REAL benchmark tasks.*--allow-benchmark-training"):
        plan("cpu", task="v2.gomail-1", tag="t2")
    _, params = plan("cpu", task="v2.gomail-1", episodes=2, allow_benchmark_training=True, tag="t3")
    assert all(p.trained_on_benchmark for p in params.values())
    assert params["baseline_eval"].episodes == 2 and params["online_grpo"].train_tasks == "v2.gomail-1"
    _, params = plan("cpu", task="gen.gomail-send-0001", allow_benchmark_training=True, tag="t4")
    assert not any(p.trained_on_benchmark for p in params.values())  # allowed but not used: not marked
    with pytest.raises(HaloError, match="unknown task"):
        plan("cpu", task="v2.gomail-999", tag="t5")
    with pytest.raises(HaloError, match=r"unknown notebook section\(s\) \['basline'\]"):
        plan("cpu", {"basline": {}}, tag="t6")


# ---- HTML --------------------------------------------------------------------------------------------------
def test_html_rendering_hides_code_and_secrets(tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from halo_lib.report.render import notebook_to_html, write_index, write_meta

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    nb = new_notebook(cells=[new_code_cell("secret_code_marker = 1", outputs=[
        new_output("stream", name="stdout", text="key sk-test-0123456789\n"),
        new_output("stream", name="stderr", text="noisy warning\n"),
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])])
    src = tmp_path / "r.ipynb"
    nbformat.write(nb, str(src))
    html = notebook_to_html(src, tmp_path / "out" / "r.html", title="t", banner="TRAINED ON THE BENCHMARK")
    text = html.read_text()
    assert "secret_code_marker" not in text and "sk-test-0123456789" not in text and "noisy warning" not in text
    assert "data:image/png;base64,iVBORw0KGgo=" in text and "TRAINED ON THE BENCHMARK" in text
    assert "<script src=\"http" not in text
    write_meta(html, title="T", run="r1", config="cpu", status="ok", trained_on_benchmark=True, created="2025-01-01")
    index = write_index(tmp_path / "out")
    page = index.read_text()
    assert 'href="r.html"' in page and "trained on the benchmark" in page
    assert not list((tmp_path / "out").glob(".index.html.*"))  # atomic write leaves no temp file
    assert json.loads((tmp_path / "out" / "r.meta.json").read_text())["run"] == "r1"
