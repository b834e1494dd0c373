"""The three notebooks, executed with papermill at toy size on the local sites (tiny Qwen3-VL, 1 task, 1 episode,
3 steps, one GRPO iteration of group 2), rendered to HTML and opened in headless Chromium. About a minute."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nbformat
import pytest

from halo_lib.errors import HaloError
from halo_lib.report.params import NOTEBOOK_DIR, NOTEBOOKS

TOY = """
baseline_eval:
  tasks: v2.omnizon-3
  model: tiny-qwen3vl
  max_steps: 3
  max_new_tokens: 16
  concurrency: 1
  filmstrip_steps: 3
online_grpo:
  train_tasks: gen:omnizon:train:1
  grpo: {model: tiny-qwen3vl, iterations: 1, group_size: 2, max_steps: 3, max_completion_length: 16,
         checkpoint_interval: 0}
  eval_tasks: v2.omnizon-3
  eval_max_steps: 2
  eval_concurrency: 1
  max_new_tokens: 16
compare: {n_boot: 200}
"""
TAG = "toy"
SECRET = "sk-test-notebooks-0123456789"


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """One headless run of the whole pipeline in a scratch working directory."""
    from halo_lib.report.pipeline import run_notebooks

    work = tmp_path_factory.mktemp("nb")
    config = work / "toy.yaml"
    config.write_text(TOY)
    mp = pytest.MonkeyPatch()
    mp.setenv("OPENAI_API_KEY", SECRET)  # must never reach a notebook or report
    try:
        reports = run_notebooks(str(config), work / "reports", tag=TAG, cwd=work, log=lambda m: None)
    finally:
        mp.undo()
    return work, config, reports


def test_committed_notebooks_have_no_outputs_and_match_the_generator():
    import subprocess
    import sys

    for filename, _ in NOTEBOOKS.values():
        nb = nbformat.read(str(NOTEBOOK_DIR / filename), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code), filename
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "config = " in tagged[0].source, filename
    check = subprocess.run([sys.executable, str(NOTEBOOK_DIR / "generate.py"), "--check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


def test_pipeline_writes_results_and_figures(toy):
    work, _, reports = toy
    assert [p.name for p in reports] == ["01_baseline_eval.html", "02_online_grpo.html", "03_compare.html"]
    for run in ("toy-base", "toy-grpo"):
        folder = work / "results" / run
        assert {"config.json", "episodes.csv", "summary.json"} <= {p.name for p in folder.iterdir()}
        assert list((folder / "trajectories").glob("*/step_000.png"))
    training = work / "results" / "grpo_training" / TAG
    assert len((training / "metrics.jsonl").read_text().splitlines()) == 1
    assert (training / "checkpoints" / "latest").exists()
    config = json.loads((work / "results" / "toy-base" / "config.json").read_text())
    assert config["params"]["max_steps"] == 3 and config["seeds"] == {"seed": 0}
    for html in reports:
        nb = nbformat.read(str(html.with_suffix(".ipynb")), as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], html.name
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{html.name} has no figure"
        text = html.with_suffix(".ipynb").read_text()
        assert "git <code>" in text and "seeds" in text  # provenance header recorded in the outputs
    for path in work.rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".html", ".json", ".csv", ".jsonl"):
            assert SECRET not in path.read_text(errors="ignore"), path
    index = (work / "reports" / "index.html").read_text()
    assert all(f'href="{TAG}/{p.name}"' in index for p in reports)


def _inspect(paths: list[Path]) -> list[dict]:
    from playwright.async_api import async_playwright

    from halo_lib.env.browser import CHROMIUM_ARGS, chromium_path

    async def main():
        found = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            for path in paths:
                await page.goto(path.as_uri())
                found.append(await page.evaluate("""() => ({
                    images: [...document.images].filter(i => i.src.startsWith('data:image/png') && i.complete
                                                         && i.naturalWidth > 0).length,
                    tables: document.querySelectorAll('table').length,
                    code: [...document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-CodeCell pre.jp-Editor')]
                          .filter(e => e.offsetParent !== null).length,
                    text: document.body.innerText,
                    banner: document.querySelectorAll('.halo-banner').length,
                })"""))
            await browser.close()
        return found

    return asyncio.run(main())


def test_html_reports_in_chromium(toy):
    work, _, reports = toy
    pages = _inspect(reports + [work / "reports" / "index.html"])
    for html, page in zip(reports, pages):
        assert page["images"] >= 2, html.name  # success bars / learning curves / filmstrip, embedded
        assert page["tables"] >= 2, html.name  # parameters + results tables
        assert page["code"] == 0, html.name  # code cells hidden
        assert "nb.resolve" not in page["text"] and "import " not in page["text"], html.name
        assert page["banner"] == 0
    assert "success (95% CI)" in pages[0]["text"] and pages[0]["images"] >= 3  # site, task bars + filmstrip
    assert "paired_tasks" in pages[2]["text"]
    assert pages[-1]["text"].count("ok") >= 3  # the index lists the three reports


def test_benchmark_training_marks_every_report(toy, tmp_path):
    from halo_lib.report.pipeline import run_notebooks

    work, config, _ = toy
    with pytest.raises(HaloError, match="--allow-benchmark-training"):
        run_notebooks(str(config), tmp_path, task="v2.omnizon-3", tag=TAG, cwd=work, log=lambda m: None)
    assert not (tmp_path / TAG).exists()  # refused before any notebook ran
    [html] = run_notebooks(str(config), tmp_path, task="v2.omnizon-3", allow_benchmark_training=True, tag=TAG,
                           cwd=work, only=["compare"], log=lambda m: None)
    assert "TRAINED ON THE BENCHMARK" in html.read_text()
    assert "trained on the benchmark" in (tmp_path / "index.html").read_text()


def test_unknown_notebook_parameter_fails_before_any_work(toy, tmp_path):
    import papermill as pm

    work, config, _ = toy
    out = tmp_path / "bad.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(NOTEBOOK_DIR / "01_baseline_eval.ipynb"), str(out), kernel_name="python3",
                            parameters={"config": str(config), "episdoes": 3, "run_name": "never"},
                            cwd=str(tmp_path), progress_bar=False)
    assert "unknown parameter(s) ['episdoes']" in str(err.value)
    assert not (tmp_path / "results").exists()
