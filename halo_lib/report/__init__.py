"""Reports: tables with confidence intervals (``halo_lib.stats``), plots, notebook parameters and HTML rendering.

- ``tables``    success per site / per task with CIs, steps and errors, comparisons and paired differences
- ``plots``     success bars, learning curves (metrics.jsonl), an episode filmstrip with its actions drawn
- ``params``    ``NotebookParams`` (the recipe's settings + the reports'); ``load_params(config, overrides)``
- ``notebook``  what the notebooks call: parameters from their namespace, the provenance header, the recipe beside the kernel's loop
- ``render``    executed notebook -> self-contained HTML (code hidden), ``reports/index.html``
- ``pipeline``  ``run_notebooks(config, out_dir)``: baseline eval -> BC + online GRPO -> compare, headless

Importing this package stays light (no torch, no matplotlib): submodules load on use.
"""

from halo_lib.report.params import NOTEBOOKS, NotebookParams, load_params

__all__ = ["NotebookParams", "NOTEBOOKS", "load_params",
           "run_notebooks", "report_one",
           "write_index"]


def __getattr__(name: str):
    if name in ("run_notebooks", "report_one"):
        from halo_lib.report import pipeline

        return getattr(pipeline, name)
    if name == "write_index":
        from halo_lib.report.render import write_index

        return write_index
    raise AttributeError(f"module 'halo_lib.report' has no attribute {name!r}")
