"""``halo bench update`` at toy size: both sides give the same gradients, and the summary line has the issue's form."""

import re

from typer.testing import CliRunner

from halo_lib.cli import app


def test_update_bench_compares_shared_and_per_sample_updates():
    result = CliRunner().invoke(app, ["bench", "update", "--prompts", "2", "--group-size", "3", "--page-lines", "4",
                                      "--repetitions", "1"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"update bench: shared prompts ([\d.]+)x faster than per-sample passes, grad max rel diff "
                         r"([\d.e+-]+) \(6 samples, 2 prompts\)", last)
    assert match, last
    assert float(match[1]) > 0 and float(match[2]) < 1e-3  # same gradients up to fp32 summation order
    # the shared side ran each prompt once: two prompts, each with several distinct completions
    assert "2 prompts shared" in result.output and "0 prompts shared" in result.output
