"""The browser world: launching Chromium, and judging episodes with the official evaluators."""

from halo_lib.env.browser import CHROMIUM_ARGS, VIEWPORT, chromium_path, launch_browser
from halo_lib.env.evaluation import EvalResult, parse_finish_html, read_finish_state, run_official_eval

__all__ = ["CHROMIUM_ARGS", "VIEWPORT", "EvalResult", "chromium_path", "launch_browser", "parse_finish_html",
           "read_finish_state", "run_official_eval"]
