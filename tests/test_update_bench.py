"""``halo bench update`` at toy size: every side gives the same gradients (the frozen trunk's bit for bit), and the
summary lines have their fixed form."""

import re

from typer.testing import CliRunner

from halo_lib.cli import app


def test_update_bench_compares_shared_prompts_and_the_frozen_trunk_with_updates_without_them():
    result = CliRunner().invoke(app, ["bench", "update", "--prompts", "2", "--group-size", "3", "--page-lines", "4",
                                      "--repetitions", "1"])
    assert result.exit_code == 0, result.output
    prompts_line, trunk_line = result.output.strip().splitlines()[-2:]
    match = re.fullmatch(r"update bench: shared prompts ([\d.]+)x faster than per-sample passes, grad max rel diff "
                         r"([\d.e+-]+) \(6 samples, 2 prompts\)", prompts_line)
    assert match, prompts_line
    assert float(match[1]) > 0 and float(match[2]) < 1e-3  # same gradients up to fp32 summation order
    match = re.fullmatch(r"update bench: frozen trunk ([\d.]+)x faster than recomputing it, grad max rel diff "
                         r"([\d.e+-]+) \(15 of 30 layers frozen\)", trunk_line)
    assert match, trunk_line
    assert float(match[1]) > 0 and float(match[2]) == 0.0  # the replayed layers' numbers are the recomputed ones
    # the shared side ran each prompt once (two prompts, each with several distinct completions) and replayed the
    # trunk; the per-sample side shared no prompt; the trunk-off side recomputed every layer
    assert "2 prompts shared, 15 frozen layers replayed" in result.output
    assert "0 prompts shared, 15 frozen layers replayed" in result.output
    assert "2 prompts shared, 0 frozen layers replayed" in result.output
