"""``halo sites check --harness``: each REAL task's plan runs in HALO's environment and, unchanged, in agisdk's
own harness; the verdicts must agree.

Three verdicts per task: HALO's environment (its evaluator on the state HALO's episode left), agisdk's harness
(``cum_reward``), and HALO's evaluator on the state the harness judged. They agree when all three are equal.
A task passes when they agree and HALO's run succeeds, or its official script is empty (no run can pass).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

from halo_lib.config import EnvConfig
from halo_lib.env.evaluation import EvalResult, run_official_eval
from halo_lib.env.pool import EnvPool, EpisodeResult
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.sites.plans import real_plan
from halo_lib.tasks import Task
# halo_lib.env.agisdk_adapter (agisdk, Playwright) is imported lazily, where the harness runs: importing this module
# stays light.

SPARE_STEPS = 10
"""Steps beyond the plan's length: ScriptedPolicy spends a step on each look-again while a page settles."""


def step_budget(task: Task) -> int:
    return len(real_plan(task)) + SPARE_STEPS


def has_empty_script(task: Task) -> bool:
    """agisdk ships an empty official script for the task (v2.gocalendar-11): no run can pass it."""
    return any(p.stat().st_size == 0 for p in task.eval_script_paths())


@dataclass
class AgreementRow:
    """One task: its plan's verdict in HALO's environment and in agisdk's harness."""

    task: Task
    halo: EpisodeResult | None = None
    harness_success: bool | None = None
    halo_on_harness_state: EvalResult | None = None
    harness_error: str | None = None
    harness_seconds: float = 0.0

    @property
    def verdicts(self) -> tuple[bool | None, ...]:
        judged = self.halo_on_harness_state.success if self.halo_on_harness_state else None
        return (self.halo.success if self.halo else None, self.harness_success, judged)

    @property
    def agree(self) -> bool:
        return None not in self.verdicts and len(set(self.verdicts)) == 1

    @property
    def passed(self) -> bool:
        return self.agree and (self.verdicts[0] or has_empty_script(self.task))

    def line(self) -> str:
        def word(v: bool | None) -> str:
            return "n/a" if v is None else ("SUCCESS" if v else "FAILURE")

        halo_env, harness, judged = map(word, self.verdicts)
        note = " (empty official script)" if has_empty_script(self.task) else ""
        problems = [e for e in (self.halo and self.halo.error, self.harness_error) if e]
        tail = f" [{'; '.join(problems)}]" if problems else ""
        return (f"{self.task.id:<18} HALO env {halo_env:<7} | harness {harness:<7} | HALO eval of harness state "
                f"{judged:<7} -> {'agree' if self.agree else 'DISAGREE'}{note} ({self.harness_seconds:.1f}s){tail}")


async def _in_halo_async(tasks: list[Task], concurrency: int) -> list[EpisodeResult]:
    jobs = [(t, ScriptedPolicy(real_plan(t)).act) for t in tasks]
    config = EnvConfig(max_steps=max(step_budget(t) for t in tasks))
    async with EnvPool(min(concurrency, len(tasks)), config) as pool:
        return await pool.run(jobs, run_id="halo-harness-check")


def run_plans_in_halo(tasks: list[Task], concurrency: int = 2) -> list[EpisodeResult]:
    """Each task's plan as an episode in HALO's environment (``concurrency`` browser contexts)."""
    return asyncio.run(_in_halo_async(tasks, concurrency))


def run_plans_in_harness(tasks: list[Task], results_dir: str, on_result=None) -> list[tuple[dict, float]]:
    """Each task's plan through agisdk's harness, one task after another in one spawned child; agisdk's
    experiment folders and console output (``agisdk.log``) go to ``results_dir``.
    Returns ``(harness result, seconds)`` per task; ``on_result(task, result, seconds)`` as each one ends."""
    from halo_lib.env.agisdk_adapter import run_many_in_agisdk_harness

    os.makedirs(results_dir, exist_ok=True)
    jobs = [(t.id, ScriptedPolicy(real_plan(t)).act, step_budget(t)) for t in tasks]
    out = []
    start = time.perf_counter()
    log = os.path.join(results_dir, "agisdk.log")
    for task, result in zip(tasks, run_many_in_agisdk_harness(jobs, results_dir, log_path=log)):
        seconds, start = time.perf_counter() - start, time.perf_counter()
        out.append((result, seconds))
        if on_result:
            on_result(task, result, seconds)
    return out


def judge_harness_result(row: AgreementRow, result: dict, seconds: float) -> None:
    """Fill the harness side of ``row``: agisdk's verdict and HALO's evaluator on the state agisdk judged."""
    from halo_lib.env.agisdk_adapter import finish_state_from_result

    row.harness_seconds = seconds
    row.harness_success = bool(result.get("success"))
    state = finish_state_from_result(result)
    if state is None or "differences" not in state:
        row.harness_error = result.get("err_msg") or "the harness kept no finish state"
        return
    row.halo_on_harness_state = run_official_eval(row.task, state, result.get("agent_response") or "")
    if result.get("err_msg"):
        row.harness_error = str(result["err_msg"]).splitlines()[0][:200]


def check_agreement(tasks: list[Task], results_dir: str, concurrency: int = 2, on_row=None) -> list[AgreementRow]:
    """HALO's environment first (all tasks, in parallel contexts), then the harness, task by task."""
    rows = {t.id: AgreementRow(t) for t in tasks}
    for task, episode in zip(tasks, run_plans_in_halo(tasks, concurrency)):
        rows[task.id].halo = episode

    def on_result(task: Task, result: dict, seconds: float) -> None:
        judge_harness_result(rows[task.id], result, seconds)
        if on_row:
            on_row(rows[task.id])

    run_plans_in_harness(tasks, results_dir, on_result)
    return list(rows.values())


def agreement_summary(rows: list[AgreementRow]) -> str:
    m = len(rows)
    agree = sum(r.agree for r in rows)
    halo = sum(bool(r.verdicts[0]) for r in rows)
    harness = sum(bool(r.harness_success) for r in rows)
    return f"harness check: agree {agree}/{m} (HALO success {halo}/{m}, harness success {harness}/{m})"
