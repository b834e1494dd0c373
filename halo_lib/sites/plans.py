"""Element-action plans for the REAL v2 tasks of the local sites: policies, unlike the oracles.

An oracle (``halo_lib.sites.<site>.oracle``) drives a Playwright page directly, so it proves a site but
cannot run where only actions go in, such as agisdk's own harness. A plan is the same solution (same UI
route, same final answer) written as ``ScriptedPolicy`` steps, which run unchanged in HALO's environment and
in agisdk's harness. Each site package defines ``PLANS: dict[str, list[Step]]`` in its ``plans`` module,
keyed by task name (``gomail-1``); every plan ends with ``send_msg_to_user``, which ends an episode in both.
"""

from __future__ import annotations

import importlib

from halo_lib.errors import UnknownTaskError
from halo_lib.policies.scripted import Step
from halo_lib.ports import SITE_NAMES
from halo_lib.real_tasks import Task


def plans_for(site: str) -> dict[str, list[Step]]:
    return importlib.import_module(f"halo_lib.sites.{site}.plans").PLANS


def real_plan(task: Task) -> list[Step]:
    """The plan that solves a REAL task of a local site (a clear error when it has none)."""
    if task.site not in SITE_NAMES:
        raise UnknownTaskError(f"{task.id}: no local clone of {task.site}, so no plan")
    plan = plans_for(task.site).get(task.name)
    if plan is None:
        raise UnknownTaskError(f"{task.id}: no plan written for this task")
    return plan
