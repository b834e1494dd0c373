"""The browser world: Chromium, the environment and its pool, observations, and the official evaluation.

``BrowserEnv``/``Observation`` live in ``environment``, ``EnvPool``/``run_episode`` in ``pool`` (imported from
there: they load Playwright and the action module); this package itself stays light.
"""

from halo_lib.env.browser import CHROMIUM_ARGS, VIEWPORT, chromium_path, launch_browser
from halo_lib.env.evaluation import (EvalResult, evaluate_task, parse_finish_html, read_finish_state,
                                     run_official_eval, wait_site_idle)

__all__ = ["CHROMIUM_ARGS", "VIEWPORT", "EvalResult", "chromium_path", "evaluate_task", "launch_browser",
           "parse_finish_html", "read_finish_state", "run_official_eval", "wait_site_idle"]
