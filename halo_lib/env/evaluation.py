"""Judging an episode: read the site's ``/finish`` state, run the task's OFFICIAL agisdk v2 script.

The script is run exactly as agisdk's ``WebCloneEvaluator.execute_eval_script_subprocess`` runs it
(the same interpreter, the state in a temp JSON file, success iff ``SUCCESS`` is in its stdout), so
HALO's verdicts agree with the benchmark's; tests check that agreement.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from halo_lib.errors import HaloError
from halo_lib.tasks import Task

_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)


@dataclass
class EvalResult:
    """The verdict of a task's official evaluation."""

    success: bool
    outputs: list[str] = field(default_factory=list)
    """stdout of each script (``SUCCESS``/``FAILURE``, or empty)."""
    empty_script: bool = False
    """True when agisdk ships an empty script for the task (v2.gocalendar-11): it can never pass."""
    error: str | None = None


def parse_finish_html(text: str) -> dict:
    """The state JSON from the ``<pre>`` of a ``/finish`` page."""
    m = _PRE.search(text)
    if not m:
        raise HaloError("the /finish page has no <pre> block: is this a REAL site, and was /config opened first?")
    try:
        return json.loads(html.unescape(m.group(1)))
    except json.JSONDecodeError as err:
        raise HaloError(f"the /finish <pre> is not JSON: {err}") from None


async def wait_site_idle(page, timeout_ms: int = 5_000) -> None:
    """Wait until the site's app has no state save in flight (so ``/finish`` sees the last change)."""
    await page.wait_for_function("() => !window.HaloSite || window.HaloSite.idle()", timeout=timeout_ms)


async def read_finish_state(context, base_url: str, timeout_ms: int = 10_000) -> dict:
    """Fetch ``/finish`` with the browser context's cookies (no page navigation needed). A connection reset is retried
    (Playwright's ``max_retries``): on a loaded machine one reset once stopped a learn-bench run in its last iteration."""
    resp = await context.request.get(f"{base_url}/finish", timeout=timeout_ms, max_retries=3)
    text = await resp.text()
    if not resp.ok:
        raise HaloError(f"{base_url}/finish answered HTTP {resp.status}: {re.sub('<[^>]+>', ' ', text).strip()[:300]}")
    return parse_finish_html(text)


def run_official_eval(task: Task, state: dict, model_response: str = "", timeout_s: float = 30) -> EvalResult:
    """Run every official script of the task on ``state``; success iff all say SUCCESS."""
    outputs: list[str] = []
    empty = False
    ok = True
    # Each run gets its own folder: some official scripts read every sibling .json in the state's folder.
    folder = tempfile.mkdtemp(prefix=f"halo_eval_{task.name}_")
    path = os.path.join(folder, "state.json")
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(state, f, indent=2)
        for script in task.eval_script_paths():
            if script.stat().st_size == 0:
                empty = True
            try:
                proc = subprocess.run([sys.executable, str(script), path], capture_output=True, text=True,
                                      timeout=timeout_s, cwd=folder)
            except subprocess.TimeoutExpired:
                return EvalResult(False, outputs, empty, f"{script.name} timed out after {timeout_s:.0f} s")
            out = proc.stdout.strip()
            outputs.append(out)
            ok = ok and "SUCCESS" in out.upper()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return EvalResult(success=ok and bool(outputs), outputs=outputs, empty_script=empty)


def evaluate_task(task, state: dict, model_response: str = "") -> EvalResult:
    """The verdict for any task: REAL tasks by their official scripts; generated training tasks (which carry
    their own ``check(state, answer) -> bool`` on the same ``/finish`` state) by that check."""
    check = getattr(task, "check", None)
    if check is not None:
        try:
            ok = bool(check(state, model_response))
        except Exception as err:  # a checker bug must not crash a rollout: report it
            return EvalResult(False, error=f"{task.id} check failed: {type(err).__name__}: {err}")
        return EvalResult(ok, outputs=["SUCCESS" if ok else "FAILURE"])
    return run_official_eval(task, state, model_response)
