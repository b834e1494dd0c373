"""The recipe's three notebooks, executed with papermill at toy size on the local sites (SmolLM2 in-process, one
Omnizon family, 2 held-out tasks, one GRPO iteration of group 2, one held-out task searched), rendered to HTML and
opened in headless Chromium."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import nbformat
import pytest

from halo_lib.report.params import NOTEBOOK_DIR, NOTEBOOKS

TOY = """
recipe:
  families: [omnizon/cart]
  train_tasks_per_site: 1
  grpo_tasks_per_site: 1
  heldout_tasks_per_site: 2
  real_tasks_per_site: 0
  bc: {epochs: 1}
  grpo: {iterations: 1, tasks_per_iteration: 1, group_size: 2, max_completion_length: 20}
  env: {max_steps: 3}
  search_tasks_per_site: 1
  search: {budget_steps: 3, branching: 2, samples: 2}
  use_vllm: false
n_boot: 200
filmstrip_steps: 3
"""
TAG = "toy"
SECRET = "sk-test-notebooks-0123456789"
MAIN_JOB = re.compile(r"^main job: success base \d+%, bc \d+%, grpo \d+% on 2 held-out episodes \(95% CI of grpo-bc: "
                      r"\[-?\d+, -?\d+\]\); (/.*index\.html)$")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """One headless run of the whole pipeline in a scratch working directory."""
    from halo_lib.report.pipeline import run_notebooks

    work = tmp_path_factory.mktemp("nb")
    config = work / "toy.yaml"
    config.write_text(TOY)
    mp = pytest.MonkeyPatch()
    mp.setenv("OPENAI_API_KEY", SECRET)  # must never reach a notebook or report
    said: list[str] = []
    try:
        reports = run_notebooks(str(config), work / "reports", tag=TAG, cwd=work, log=said.append)
    finally:
        mp.undo()
    return work, config, reports, said


def test_committed_notebooks_are_their_jupytext_sources_without_outputs():
    """Each notebook is a jupytext percent script (``notebooks/<name>.py``, what the pipeline runs) paired with an
    ``.ipynb`` for JupyterLab: the two hold the same cells (``jupytext --sync notebooks/*.py`` after an edit), no
    outputs, and one ``parameters`` cell."""
    import jupytext

    def cells(nb):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]

    for filename in NOTEBOOKS.values():
        source = jupytext.read(NOTEBOOK_DIR / filename.replace(".ipynb", ".py"))
        nb = nbformat.read(str(NOTEBOOK_DIR / filename), as_version=4)
        assert cells(nb) == cells(source), f"{filename} is out of sync: jupytext --sync notebooks/*.py"
        assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code), filename
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "config = " in tagged[0].source, filename


def test_pipeline_runs_the_recipe_in_one_folder_and_ends_with_the_main_job_line(toy):
    work, _, reports, said = toy
    assert [p.name for p in reports] == ["01_baseline_eval.html", "02_online_grpo.html", "03_compare.html"]
    run = work / "results" / "recipe" / TAG
    for phase in ("base", "bc", "grpo"):
        assert {"config.json", "episodes.csv", "summary.json"} <= {p.name for p in (run / phase).iterdir()}
        assert list((run / phase / "trajectories").glob("*/step_000.jpg"))  # the filmstrips' screenshots
    assert len((run / "grpo_training" / "metrics.jsonl").read_text().splitlines()) == 1
    assert json.loads((run / "bc_metrics.json").read_text())["epochs"][0]["epoch"] == 1
    result = json.loads((run / "result.json").read_text())
    assert len(result["base"]) == len(result["bc"]) == len(result["grpo"]) == 2
    # the search phase: the first held-out task again, a search of >= 3 environment steps before each step it played
    searched = json.loads((run / "grpo_search" / "actions.jsonl").read_text())
    assert result["search_tasks"] == [result["tasks"][0]] == [searched["task_id"]] and len(result["search"]) == 1
    assert result["search_env_steps"][0] >= 3 * len(searched["actions"]) >= 3
    assert json.loads((run / "elapsed.json").read_text()) == {**json.loads((run / "elapsed.json").read_text()),
                                                              "resumed": 0, "open": False}
    m = MAIN_JOB.match(said[-1])
    assert m and Path(m.group(1)) == (work / "reports" / "index.html").resolve()
    for html in reports:
        nb = nbformat.read(str(html.with_suffix(".ipynb")), as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], html.name
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{html.name} has no figure"
        text = html.with_suffix(".ipynb").read_text()
        assert "git <code>" in text and "seeds" in text  # provenance header recorded in the outputs
    notebook_02 = reports[1].with_suffix(".ipynb").read_text()
    assert "(reused from" in notebook_02 and "[1/4] base" in notebook_02  # the base phase was read back, not redone
    for path in work.rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".html", ".json", ".csv", ".jsonl"):
            assert SECRET not in path.read_text(errors="ignore"), path
    index = (work / "reports" / "index.html").read_text()
    assert all(f'href="{TAG}/{p.name}"' in index for p in reports)
    assert "Newest run: toy" in index and said[-1].split(";")[0] in index  # the headline opens the index


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
                })"""))
            await browser.close()
        return found

    return asyncio.run(main())


def test_html_reports_in_chromium(toy):
    work, _, reports, _ = toy
    pages = _inspect(reports + [work / "reports" / "index.html"])
    for html, page in zip(reports, pages):
        assert page["images"] >= 2, html.name  # success bars / learning curves / filmstrip, embedded
        assert page["tables"] >= 2, html.name  # parameters + results tables
        assert page["code"] == 0, html.name  # code cells hidden
        assert "nb.resolve" not in page["text"] and "import " not in page["text"], html.name
    assert "success (95% CI)" in pages[0]["text"] and pages[0]["images"] >= 2  # site bars + filmstrip
    assert "zero_spread_groups" in pages[1]["text"] and "demonstrations from" in pages[1]["text"]
    assert "wins" in pages[2]["text"] and "main job: success base" in pages[2]["text"]
    assert re.search(r"search at inference: grpo\+search [01]/1 vs grpo [01]/1 on the same held-out tasks",
                     pages[2]["text"])
    assert "grpo_search" in pages[-1]["text"]  # the index's headline table has the search phase's row
    assert pages[-1]["text"].count("ok") >= 3 and "Held-out success per phase and site" in pages[-1]["text"]


def test_unknown_notebook_parameter_fails_before_any_work(toy, tmp_path):
    import papermill as pm

    work, config, _, _ = toy
    out = tmp_path / "bad.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(NOTEBOOK_DIR / "01_baseline_eval.ipynb"), str(out), kernel_name="python3",
                            parameters={"config": str(config), "episdoes": 3, "run_dir": "never"},
                            cwd=str(tmp_path), progress_bar=False)
    assert "unknown parameter(s) ['episdoes']" in str(err.value)
    assert not (tmp_path / "never").exists()
