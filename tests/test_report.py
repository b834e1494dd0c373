"""halo_lib.report: CIs and bootstrap on known inputs, tables, plots, parameter validation, HTML and the index."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from halo_lib.errors import HaloError
from halo_lib.report import params as P
from halo_lib import stats
from halo_lib.report import tables


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


def test_phase_tables_show_each_phase_per_site_and_the_task_grpo_solved_and_bc_did_not():
    bc = _episodes({"v2.gomail-1": [True], "v2.gomail-2": [False], "v2.omnizon-3": [True], "v2.omnizon-4": [False]})
    grpo = _episodes({"v2.gomail-1": [True], "v2.gomail-2": [True], "v2.omnizon-3": [False], "v2.omnizon-4": [True]})
    phases = {"bc": bc, "grpo": grpo}
    headline = tables.headline_table(phases)
    assert list(headline.index) == ["bc", "grpo"] and list(headline.columns) == ["gomail", "omnizon", "all"]
    low, high = stats.wilson_interval(3, 4)
    assert headline.loc["grpo", "all"] == f"3/4 = 75% [{low:.0%}, {high:.0%}]"
    assert tables.contrast_task(phases, "grpo", "bc") == "v2.gomail-2"  # the first GRPO solved and BC did not
    assert tables.contrast_task({"bc": grpo, "grpo": bc}, "grpo", "bc") == "v2.omnizon-3"
    assert tables.contrast_task({"bc": bc, "grpo": bc}, "grpo", "bc") is None


def test_task_filmstrip_shows_that_tasks_episode(tmp_path):
    from PIL import Image

    from halo_lib.report import plots

    folder = tmp_path / "grpo" / "trajectories"
    for episode, task in (("e1", "gen.a"), ("e2", "gen.b")):
        (folder / episode).mkdir(parents=True)
        Image.new("RGB", (64, 36), "white").save(folder / episode / "step_000.jpg")
        (folder / f"{episode}.jsonl").write_text(json.dumps(
            {"task_id": task, "episode_id": episode, "kind": "step", "step": 0,
             "obs": {"screenshot": f"{episode}/step_000.jpg"}, "action": {"name": "click", "args": {"bid": "7"}},
             "parse_error": None, "exec_error": None}) + "\n")
    fig = plots.task_filmstrip(tmp_path / "grpo", "gen.b", title="GRPO")
    assert fig._suptitle.get_text() == "GRPO: gen.b" and "click(bid='7')" in fig.axes[0].get_title(loc="left")
    assert len(fig.axes[0].get_images()) == 1


# ---- parameters --------------------------------------------------------------------------------------------
def test_shipped_configs_load():
    models = {}
    for config in ("cpu", "quick", "h100"):
        params = P.load_params(config)
        assert isinstance(params, P.NotebookParams)
        models[config] = params.recipe_config().policy.model
    assert models == {"cpu": "smollm2", "quick": "smollm2", "h100": "qwen3vl-8b"}
    assert P.load_params("h100").recipe_config().prompt.max_image_width == 1280  # the image the 8B samples and trains on


def test_cpu_config_is_the_recipe_the_learn_bench_measures():
    """The main job's default is the recipe whose runs the README cites: RecipeConfig's defaults."""
    from halo_lib.recipe import RecipeConfig

    assert P.load_params("cpu").recipe_config() == RecipeConfig()


def test_every_param_field_has_a_docstring():
    import ast
    import inspect

    from halo_lib import recipe
    from halo_lib.policies import prompts
    from halo_lib.rl import bc

    for module in (P, recipe, bc, prompts):
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name in ("NotebookParams", "RecipeConfig", "BCConfig",
                                                                 "PromptOptions"):
                body = node.body
                for i, stmt in enumerate(body):
                    if isinstance(stmt, ast.AnnAssign):
                        nxt = body[i + 1] if i + 1 < len(body) else None
                        assert isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant), \
                            f"{node.name}.{stmt.target.id} has no docstring"


@pytest.mark.parametrize("values, match", [
    ({"n_bot": 3}, r"unknown NotebookParams field\(s\) \['n_bot'\]"),
    ({"n_boot": "many"}, r"NotebookParams.n_boot must be int"),
    ({"n_boot": 0}, r"NotebookParams.n_boot must be >= 1"),
    ({"confidence": 1.5}, r"NotebookParams.confidence must be in \(0, 1\)"),
    ({"recipe": {"group_sise": 2}}, r"NotebookParams.recipe: unknown RecipeConfig field\(s\) \['group_sise'\]"),
    ({"recipe": {"grpo": {"group_size": 1}}}, r"RecipeConfig.grpo: GRPOConfig.group_size must be >= 2"),
    ({"recipe": {"grpo": {"temperature": float("nan")}}},
     r"RecipeConfig.grpo: GRPOConfig.temperature must be a finite number > 0"),
    ({"recipe": {"policy": {"lora_rank": 0}}}, r"RecipeConfig.policy: PolicyConfig.lora_rank must be >= 1"),
    ({"recipe": {"kl_beta": 0.0}}, r"RecipeConfig.kl_beta is now grpo.beta \(in YAML: grpo: \{beta: ...\}\)"),
    ({"recipe": {"model": "smollm2", "lora_rank": 8}},
     r"RecipeConfig.model is now policy.model .*; RecipeConfig.lora_rank is now policy.lora_rank"),
    ({"recipe": {"backplay": 2}}, r"RecipeConfig.backplay must be in \[0, 1\]"),
    ({"recipe": {"use_vllm": "yes"}}, r"RecipeConfig.use_vllm must be bool"),
])
def test_bad_parameters_name_the_field(values, match):
    with pytest.raises(HaloError, match=match):
        P.load_params("cpu", values)


def test_overrides_merge_the_recipe_field_by_field():
    params = P.load_params("cpu", P.parse_sets(["recipe.grpo.iterations=3", "n_boot=50",
                                                "recipe.families=[omnizon/cart]"]))
    cfg = params.recipe_config()
    assert (cfg.grpo.iterations, cfg.families, params.n_boot) == (3, ["omnizon/cart"], 50)
    # the recipe's GRPO section keeps its other fields (its KL weight, its group size...), not GRPOConfig's defaults
    assert cfg.grpo == dataclasses.replace(P.load_params("cpu").recipe_config().grpo, iterations=3)
    assert cfg.heldout_tasks_per_site == P.load_params("cpu").recipe_config().heldout_tasks_per_site  # kept
    # YAML 1.1 reads 4e-4 (no dot) as a string: a float field takes it as the number it spells
    assert P.load_params("cpu", P.parse_sets(["recipe.grpo.learning_rate=4e-4"])).recipe_config().grpo.learning_rate \
        == 4e-4
    with pytest.raises(HaloError, match="RecipeConfig.grpo.learning_rate must be float"):
        P.load_params("cpu", P.parse_sets(["recipe.grpo.learning_rate=fast"]))
    with pytest.raises(HaloError, match=r"RecipeConfig.grpo_iterations is now grpo.iterations \(in YAML: grpo: "
                                        r"\{iterations: ...\}\)"):  # the name it had before the grpo section
        P.load_params("cpu", P.parse_sets(["recipe.grpo_iterations=3"]))
    with pytest.raises(HaloError, match="only recipe.FIELD has a section"):
        P.parse_sets(["grpo.beta=0"])
    with pytest.raises(HaloError, match="use FIELD=VALUE"):
        P.parse_sets(["n_boot"])


def test_a_section_is_set_field_by_field_on_top_of_the_recipes_own_section(tmp_path):
    """``--set recipe.env.max_steps=5`` changes that field only: the section keeps the config's other fields and, where
    the config does not name them, the recipe's own section defaults (its env ends episodes after 2 unparsed replies,
    EnvConfig's own default never does). Every RecipeConfig has a section of its own."""
    from halo_lib.recipe import RecipeConfig

    assert RecipeConfig().prompt == RecipeConfig().prompt and RecipeConfig().prompt is not RecipeConfig().prompt
    cfg = P.load_params("cpu", P.parse_sets(["recipe.env.max_steps=5", "recipe.prompt.goal_lines=2"])).recipe_config()
    assert (cfg.env.max_steps, cfg.env.max_unparsed_replies) == (5, 2)
    assert cfg.prompt == dataclasses.replace(P.load_params("cpu").recipe_config().prompt, goal_lines=2)
    toy = tmp_path / "toy.yaml"
    toy.write_text("recipe: {env: {max_steps: 3}, bc: {epochs: 1}, grpo: {iterations: 3}, policy: {lora_rank: 8}}\n")
    cfg = P.load_params(toy).recipe_config()
    assert (cfg.env.max_steps, cfg.env.max_unparsed_replies, cfg.bc.epochs, cfg.bc.batch_size) == (3, 2, 1, 4)
    assert cfg.grpo == dataclasses.replace(RecipeConfig().grpo, iterations=3)  # beta 0.1, groups of 4: the recipe's
    assert cfg.policy == dataclasses.replace(RecipeConfig().policy, lora_rank=8)  # SmolLM2, top 15 layers, ...
    with pytest.raises(HaloError, match=r"RecipeConfig\.env\.max_steps must be int, got 'x'"):
        P.load_params("cpu", P.parse_sets(["recipe.env.max_steps=x"]))
    with pytest.raises(HaloError, match=r"unknown RecipeConfig\.bc field\(s\) \['epoch'\]"):
        P.load_params("cpu", P.parse_sets(["recipe.bc.epoch=1"]))
    with pytest.raises(HaloError, match=r"RecipeConfig\.prompt: PromptOptions\.goal_lines must be >= 0"):
        P.load_params("cpu", P.parse_sets(["recipe.prompt.goal_lines=-1"]))


def test_config_errors(tmp_path):
    with pytest.raises(HaloError, match=r"no papermill config 'gpu9'.*configs: cpu, h100, quick"):
        P.load_params("gpu9")
    with pytest.raises(HaloError, match="unknown notebook 'train'"):
        P.notebook_key("train")
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipe: {max_steps: 2.5}\n")
    with pytest.raises(HaloError, match=r"bad.yaml: NotebookParams.recipe: RecipeConfig.max_steps is now env.max_steps "
                                        r"\(in YAML: env: \{max_steps: ...\}\)"):
        P.load_params(bad)
    bad.write_text("recipe: {env: {max_steps: 2.5}}\n")
    with pytest.raises(HaloError, match=r"bad.yaml: NotebookParams.recipe: RecipeConfig.env.max_steps must be int"):
        P.load_params(bad)
    bad.write_text("recipe: [1, 2\n")
    with pytest.raises(HaloError, match="not valid UTF-8 YAML"):
        P.load_params(bad)
    bad.write_bytes(b"recipe: {model: \xff\xfe}\n")
    with pytest.raises(HaloError, match="not valid UTF-8 YAML"):
        P.load_params(bad)


def test_notebook_namespace_checks():
    from halo_lib.report import notebook

    before = {"nb", "display"}
    ns = {"nb": 1, "display": 2, "config": "cpu", "overrides": {"n_boot": 20}, "run_dir": "results/recipe/x"}
    params = notebook.resolve("01", "cpu", {"n_boot": 20}, ns, before)
    assert (params.n_boot, params.run_dir) == (20, "results/recipe/x")
    with pytest.raises(HaloError, match=r"unknown parameter\(s\) \['episdoes'\] for notebook baseline_eval"):
        notebook.resolve("01", "cpu", {}, {**ns, "episdoes": 3}, before)


def test_plan_names_one_run_folder_for_the_three_notebooks():
    from halo_lib.report.pipeline import plan

    tag, params = plan("cpu", tag="t1")
    assert tag == "t1" and params.run_dir == "results/recipe/t1"
    _, params = plan("cpu", {"run_dir": "somewhere/else"}, tag="t2")
    assert params.run_dir == "somewhere/else"
    with pytest.raises(HaloError, match="nosuchsite"):
        plan("cpu", {"recipe": {"families": ["nosuchsite/x"]}}, tag="t3")


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
    assert "No recipe run has finished yet" in write_index(tmp_path / "out").read_text()
    assert "<script src=\"http" not in text
    write_meta(html, title="T", run="r1", config="cpu", status="ok", trained_on_benchmark=True, created="2025-01-01")
    index = write_index(tmp_path / "out")
    page = index.read_text()
    assert 'href="r.html"' in page and "trained on the benchmark" in page
    assert not list((tmp_path / "out").glob(".index.html.*"))  # atomic write leaves no temp file
    assert json.loads((tmp_path / "out" / "r.meta.json").read_text())["run"] == "r1"
