"""``halo sites check``: every v2 task of the local sites, solved by its oracle through the UI and
spoiled by its wrong solutions, each judged by the task's OFFICIAL agisdk script.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from halo_lib.env.browser import VIEWPORT, launch_browser
from halo_lib.env.evaluation import EvalResult, read_finish_state, run_official_eval, wait_site_idle
from halo_lib.errors import first_line
from halo_lib.sites.oracle import Solution, oracles_for
from halo_lib.tasks import Task
# Playwright is imported lazily, in check_tasks_async: importing this module stays light.

SOLUTION_TIMEOUT_S = 90


@dataclass
class CheckRow:
    """The outcome of one task's check."""

    task: Task
    oracle: EvalResult | None = None
    wrong: list[tuple[str, EvalResult]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def oracle_ok(self) -> bool:
        return self.oracle is not None and self.oracle.success

    @property
    def wrong_ok(self) -> bool:
        return bool(self.wrong) and all(not r.success and r.error is None for _, r in self.wrong)

    @property
    def passed(self) -> bool:
        """Right for this task: the oracle passes, or the official script is empty (cannot pass)."""
        empty = self.oracle is not None and self.oracle.empty_script
        return self.error is None and (self.oracle_ok or empty) and self.wrong_ok

    def line(self) -> str:
        if self.error:
            return f"{self.task.id:<18} ERROR   {self.error}"
        if self.oracle and self.oracle.empty_script:
            verdict = "oracle n/a (agisdk ships an EMPTY official script: no run can pass)"
        else:
            verdict = "oracle " + ("SUCCESS" if self.oracle_ok else f"FAILURE {self.oracle.outputs if self.oracle else ''}")
        wrong = ", ".join(f"{d}: {'FAILURE' if not r.success else 'SUCCESS (!)'}" for d, r in self.wrong)
        return f"{self.task.id:<18} {verdict} | wrong -> {wrong} ({self.seconds:.1f}s)"


async def _run_solution(browser, task: Task, solution: Solution) -> EvalResult:
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        base = task.url("local")
        await page.goto(f"{base}/config?run_id=halo-check&task_id={task.id}&latency=0")
        await page.goto(f"{base}/")
        answer = await asyncio.wait_for(solution(page), timeout=SOLUTION_TIMEOUT_S)
        await wait_site_idle(page)
        state = await read_finish_state(context, base)
        return await asyncio.to_thread(run_official_eval, task, state, answer or "")
    finally:
        await context.close()


async def check_tasks_async(tasks: list[Task], concurrency: int = 4, on_row=None) -> list[CheckRow]:
    from playwright.async_api import async_playwright

    sem = asyncio.Semaphore(concurrency)

    busy: dict[str, float] = {}

    async def guarded(browser, task, solution):
        async with sem:
            start = time.perf_counter()
            try:
                for attempt in (1, 2):
                    try:
                        return await _run_solution(browser, task, solution)
                    except Exception as err:  # a broken solution is a failed check, reported, never a crash
                        # a UI wait that timed out is retried once, in a fresh context: on 2 busy cores a 30 s
                        # locator wait has run out in CI (v2.gomail-21) where the plan is sound; a plan that is
                        # not times out again and is reported
                        if attempt == 1 and type(err).__name__ == "TimeoutError":
                            continue
                        return EvalResult(False, error=f"{type(err).__name__}: {first_line(err)}")
            finally:
                busy[task.id] = busy.get(task.id, 0.0) + time.perf_counter() - start

    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        try:
            async def check_one(task: Task) -> CheckRow:
                row = CheckRow(task)
                oracle = oracles_for(task.site).get(task.name)
                if oracle is None:
                    row.error = "no oracle solution written for this task"
                else:
                    results = await asyncio.gather(
                        guarded(browser, task, oracle.solve),
                        *(guarded(browser, task, s) for _, s in oracle.wrong),
                    )
                    row.oracle = results[0]
                    row.wrong = [(d, r) for (d, _), r in zip(oracle.wrong, results[1:])]
                    errors = [r.error for r in results if r.error]
                    row.error = errors[0] if errors else None
                row.seconds = busy.get(task.id, 0.0)  # browser time of its runs, not time spent queued
                if on_row:
                    on_row(row)
                return row

            return list(await asyncio.gather(*(check_one(t) for t in tasks)))
        finally:
            await browser.close()


def summary_line(rows: list[CheckRow]) -> str:
    m = len(rows)
    n = sum(r.oracle_ok for r in rows)
    k = sum(r.wrong_ok for r in rows)
    return f"sites check: oracle SUCCESS {n}/{m}, wrong FAILURE {k}/{m}"


def check_tasks(tasks: list[Task], concurrency: int = 4, on_row=None) -> list[CheckRow]:
    return asyncio.run(check_tasks_async(tasks, concurrency, on_row))
