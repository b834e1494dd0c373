"""The `halo` command as a user meets it: clear errors before heavy work, eval/smoke end to end, clean stops."""

import contextlib
import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from halo_lib.cli import app
from halo_lib.sites import site_port

runner = CliRunner()


@pytest.mark.parametrize("args, words", [
    (["eval", "--mode", "qwen3vl_mcts", "--model", "smollm2", "--sites", "remote"], "does not run on the hosted ones"),
    (["eval", "--mode", "gpt5"], "unknown mode 'gpt5'"),
    (["eval", "--mode", "qwen3vl_grpo", "--model", "tiny-qwen3vl"], "needs --adapter"),
    (["eval", "--mode", "text", "--tasks", "v2.gomail-99"], "unknown task"),
    (["eval", "--mode", "text", "--tasks", "site:topwork"], "no local clone of topwork"),
    (["train", "--tasks", "v2.gomail-1", "--dry-run"], "held out for evaluation"),
    (["tasks", "list", "--sites", "cloud"], "--sites must be 'local' or 'remote'"),
])
def test_bad_input_is_one_clear_line_and_exit_2(args, words, monkeypatch):
    monkeypatch.delenv("HALO_MODEL", raising=False)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output


def test_missing_qwen_model_names_what_to_set(monkeypatch):
    monkeypatch.delenv("HALO_MODEL", raising=False)
    result = runner.invoke(app, ["eval", "--mode", "qwen3vl_base"])
    assert result.exit_code == 2 and "HALO_MODEL" in result.output


def test_gpt4o_baseline_without_a_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = runner.invoke(app, ["eval", "--mode", "gpt4o_baseline"])
    assert result.exit_code == 2 and "OPENAI_API_KEY" in result.output


def test_eval_writes_the_results_table_and_trajectories(tmp_path):
    result = runner.invoke(app, ["eval", "--mode", "qwen3vl_base", "--model", "tiny-qwen3vl", "--tasks",
                                 "v2.omnizon-13", "--episodes", "2", "--max-steps", "2", "--max-new-tokens", "8",
                                 "--run", "toy", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    run = tmp_path / "toy"
    frame = pd.read_csv(run / "episodes.csv")
    assert len(frame) == 2 and set(frame["task_id"]) == {"v2.omnizon-13"} and not frame["success"].any()
    assert (frame["steps"] == 2).all() and set(frame["status"]) == {"max_steps"}
    assert list((run / "trajectories").glob("*.jsonl")) and (run / "summary.json").exists()
    assert "eval qwen3vl_base: success 0.0% over 2 episodes" in result.output
    assert (frame["env_steps"] == frame["steps"]).all()  # a single-pass episode costs the steps it plays


def test_eval_qwen3vl_mcts_searches_before_every_step_on_the_vision_path(tmp_path):
    """Search at inference as an evaluation mode: the random-weight Qwen3-VL proposes (sampled) and rolls out, and the
    table says what the searches cost beside what the episode played."""
    result = runner.invoke(app, ["eval", "--mode", "qwen3vl_mcts", "--model", "tiny-qwen3vl", "--tasks",
                                 "v2.omnizon-13", "--max-steps", "2", "--max-new-tokens", "8", "--search-budget", "3",
                                 "--concurrency", "1", "--run", "searched", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    run = tmp_path / "searched"
    row = pd.read_csv(run / "episodes.csv").iloc[0]
    assert row["mode"] == "qwen3vl_mcts" and row["status"] == "max_steps" and row["steps"] == 2
    # each of the 2 steps was chosen by a search of at least its budget's 3 steps (a simulation runs to its end)
    assert row["env_steps"] >= 2 * 3
    assert re.search(rf"eval qwen3vl_mcts: success 0\.0% over 1 episodes \(searched: {row['env_steps']} env steps per "
                     r"episode, budget 3 a step\)", result.output), result.output
    played = json.loads((run / "actions.jsonl").read_text())
    assert played["task_id"] == "v2.omnizon-13" and len(played["actions"]) == 2
    assert json.loads((run / "config.json").read_text())["search"]["budget_steps"] == 3


def test_smoke_checks_the_whole_chain():
    result = runner.invoke(app, ["smoke"])
    assert result.exit_code == 0, result.output
    assert "smoke: 5/5 checks passed" in result.output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sites_serve_stops_cleanly_on_ctrl_c_and_term(sig):
    port = site_port("omnizon")
    proc = subprocess.Popen([sys.executable, "-m", "halo_lib.cli", "sites", "serve", "--site", "omnizon"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    try:
        deadline = time.time() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert proc.poll() is None and time.time() < deadline, "the server did not start"
            time.sleep(0.2)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "sites stopped" in out and "Traceback" not in out
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # the port is free again


CHILD_SERVER = """
import atexit, subprocess, sys, time
from halo_lib.cli import exit_on_sigterm
if sys.argv[1] == "handled":
    exit_on_sigterm()
# a server the command started, stopped at exit (as VLLMServer does): its own session, so no signal reaches it
server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True,
                          stdout=subprocess.DEVNULL)
atexit.register(server.kill)
try:
    print(server.pid, flush=True)
    time.sleep(120)
finally:
    print("cleaned up", flush=True)
"""


@pytest.mark.parametrize("handled", [True, False])
def test_sigterm_stops_what_the_command_started(handled):
    """``halo`` turns SIGTERM into an orderly exit: finally blocks and atexit run, so a vLLM server it started is
    stopped (``kill`` of a learn bench once left its server running). Unhandled, the server outlives it."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD_SERVER, "handled" if handled else "default"],
                            stdout=subprocess.PIPE, text=True)
    server = int(proc.stdout.readline())
    try:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        time.sleep(0.5)
        alive = subprocess.run(["ps", "-o", "stat=", "-p", str(server)], capture_output=True, text=True).stdout
        alive = bool(alive.strip()) and not alive.strip().startswith("Z")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(server, signal.SIGKILL)
    assert proc.returncode == (143 if handled else -signal.SIGTERM)
    assert ("cleaned up" in out) is handled and alive is not handled


def test_train_dry_run_checks_everything_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "grpo.yaml").write_text("grpo: {max_completion_length: 8}\npolicy: {lora_rank: 4}\n")
    result = runner.invoke(app, ["train", "--tasks", "gen:omnizon:train:1", "--episodes", "2", "--set",
                                 "policy.model=tiny-qwen3vl", "--set", "grpo.group_size=2", "--set", "env.max_steps=1",
                                 "--set", "prompt.max_image_width=320", "--dry-run", "--run", "d", "--config",
                                 "grpo.yaml"])
    assert result.exit_code == 0, result.output
    assert "dry run ok" in result.output and "iter    1" in result.output
    assert not (tmp_path / "results").exists()


def test_train_config_with_a_typo_fails_naming_the_field(tmp_path):
    (tmp_path / "grpo.yaml").write_text("learning_rat: 0.1\n")
    result = runner.invoke(app, ["train", "--config", str(tmp_path / "grpo.yaml"), "--dry-run"])
    assert result.exit_code == 2 and "learning_rat" in result.output
    for item, says in (("grpo.group_size", "use FIELD=VALUE"),
                       ("grpo.group_size=many", "TrainConfig.grpo.group_size must be int"),
                       ("prompt.axtree_char=9", "unknown TrainConfig.prompt field(s) ['axtree_char']"),
                       ("group_size=4", "TrainConfig.group_size is now grpo.group_size (in YAML: grpo: {group_size: "
                                        "...})")):
        bad = runner.invoke(app, ["train", "--set", item, "--dry-run"])
        assert bad.exit_code == 2 and says in bad.output, bad.output
    (tmp_path / "old.yaml").write_text("compact_axtree: true\naxtree_chars: 500\n")  # before GRPOConfig.prompt
    old = runner.invoke(app, ["train", "--config", str(tmp_path / "old.yaml"), "--dry-run"])
    assert old.exit_code == 2 and "TrainConfig.compact_axtree is now prompt.compact_axtree" in old.output
    assert "axtree_chars is now prompt.axtree_chars (in YAML: prompt: {axtree_chars: ...})" in old.output
    # a flat GRPOConfig of before TrainConfig: each field named at its place now
    (tmp_path / "flat.yaml").write_text("model: smollm2\nlora_rank: 8\nseed: 1\nmax_steps: 10\nbeta: 0.1\n"
                                      "prompt: {goal_lines: 2}\n")
    flat = runner.invoke(app, ["train", "--config", str(tmp_path / "flat.yaml"), "--dry-run"])
    assert flat.exit_code == 2
    for old_name, new in (("model", "policy.model"), ("lora_rank", "policy.lora_rank"), ("max_steps", "env.max_steps"),
                          ("beta", "grpo.beta")):
        assert f"TrainConfig.{old_name} is now {new}" in flat.output, flat.output
    assert "seed" not in flat.output and "prompt" not in flat.output  # fields still where they were


def test_bench_learn_reads_a_configs_recipe_and_sets_fields_on_top(monkeypatch, tmp_path):
    from halo_lib import recipe

    seen = []

    def fake_run(cfg, say):  # the recipe itself is tested in test_learn_bench; here only what the CLI hands it
        seen.append(cfg)
        return recipe.RecipeResult(base=[False], bc=[False], grpo=[True], ci=(0.0, 1.0))

    monkeypatch.setattr(recipe, "run_recipe", fake_run)
    result = runner.invoke(app, ["bench", "learn", "--set", "grpo.temperature=0.7", "--set", "backplay=0.25",
                                 "--set", "families=[omnizon/cart]", "--reuse", "results/learn_bench/x"])
    assert result.exit_code == 0, result.output
    (cfg,) = seen
    assert (cfg.grpo.temperature, cfg.backplay, cfg.families, cfg.reuse, cfg.out_dir) == (
        0.7, 0.25, ["omnizon/cart"], "results/learn_bench/x", "results/learn_bench")
    assert cfg.bc == recipe.RecipeConfig().bc  # a section not set keeps the config's values
    assert cfg.grpo == dataclasses.replace(recipe.RecipeConfig().grpo, temperature=0.7)  # one set keeps its others
    assert result.output.strip().endswith("(95% CI of grpo-bc: [0, 100])")
    quick = runner.invoke(app, ["bench", "learn", "--config", "quick"])
    assert quick.exit_code == 0 and seen[-1].grpo.iterations == 2
    bad = runner.invoke(app, ["bench", "learn", "--set", "group_sise=4"])
    assert bad.exit_code == 2 and "unknown RecipeConfig field(s) ['group_sise']" in bad.output and len(seen) == 2
    old = runner.invoke(app, ["bench", "learn", "--set", "kl_beta=0"])  # a name of before the grpo section
    assert old.exit_code == 2 and "RecipeConfig.kl_beta is now grpo.beta (in YAML: grpo: {beta: ...})" in old.output
    assert len(seen) == 2


def test_bench_learn_resume_takes_the_runs_own_settings_and_refuses_others(monkeypatch, tmp_path):
    from halo_lib import recipe

    seen = []
    monkeypatch.setattr(recipe, "resume_recipe", lambda run, say: seen.append(run) or
                        recipe.RecipeResult(base=[False], bc=[False], grpo=[True], ci=(0.0, 1.0)))
    refused = runner.invoke(app, ["bench", "learn", "--resume", str(tmp_path), "--set", "seed=3"])
    assert refused.exit_code == 2 and "drop --set/--reuse" in refused.output and not seen
    result = runner.invoke(app, ["bench", "learn", "--resume", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen == [str(tmp_path)] and result.output.strip().endswith("(95% CI of grpo-bc: [0, 100])")


def test_ray_first_imported_by_a_command_keeps_logging_to_an_open_stream():
    """A bench command that imports Ray inside a CliRunner must not leave Ray's log handler on the runner's stream,
    which closes when the runner ends (run alone, without conftest's import, this fails)."""
    import logging

    import typer

    bench = typer.Typer()

    @bench.command()
    def uses_ray() -> None:
        import ray  # noqa: F401

    @bench.command()
    def other() -> None:  # a second command: typer then dispatches by name, as the halo app does
        pass

    assert runner.invoke(bench, ["uses-ray"]).exit_code == 0
    # Ray's own handlers (pytest's log capture adds its own to this logger too)
    handlers = [h for h in logging.getLogger("ray").handlers if type(h).__module__.startswith("ray.")]
    assert handlers and not any(h.stream.closed for h in handlers)
