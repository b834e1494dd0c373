"""``halo bench lora-layers`` at toy size: both sides run the trainer's update and the line reports a real ratio."""

import re

from typer.testing import CliRunner

from halo_lib.cli import app


def test_lora_layers_bench_times_both_sides_and_prints_the_summary_line():
    result = CliRunner().invoke(app, ["bench", "lora-layers", "--top-layers", "3", "--page-lines", "2",
                                      "--repetitions", "1"])
    assert result.exit_code == 0, result.output
    all_s = re.search(r"rep 1 all +([\d.]+) s", result.output)
    top_s = re.search(r"rep 1 top +([\d.]+) s", result.output)
    assert all_s and top_s, result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"lora layers bench: top 3 of (\d+) layers ([\d.]+)x faster per GRPO update than all \1 "
                         r"\((\d+) samples, (\d+) trainable params vs (\d+)\)", last)
    assert match, last
    layers, ratio, trainable_top, trainable_all = int(match[1]), float(match[2]), int(match[4]), int(match[5])
    # the ratio is the two measured times' (one repetition), up to the printed rounding (0.1 s and 0.01)
    slow, fast = float(all_s[1]), float(top_s[1])
    assert (slow - 0.05) / (fast + 0.05) - 0.005 <= ratio <= (slow + 0.05) / max(fast - 0.05, 1e-9) + 0.005
    assert trainable_top * layers == trainable_all * 3  # the same LoRA per layer, on 3 of them


def test_lora_layers_bench_refuses_more_layers_than_the_model_has():
    result = CliRunner().invoke(app, ["bench", "lora-layers", "--top-layers", "99", "--repetitions", "1"])
    assert result.exit_code != 0 and "lora_top_layers=99" in result.output and "has 30 layers" in result.output
