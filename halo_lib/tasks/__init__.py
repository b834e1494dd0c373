"""Tasks: the REAL v2 tasks (``halo_lib.real_tasks``, read from agisdk) and generated training tasks (``generator``,
never REAL tasks), and ``resolve_tasks``, which reads a task spec naming either."""

from __future__ import annotations

from halo_lib.errors import UnknownTaskError
from halo_lib.real_tasks import DEFAULT_VERSION, Task, get_task, list_tasks
from halo_lib.tasks.generator import (GeneratedTask, assert_not_benchmark, generate_tasks, oracle_steps,
                                      parse_families, resolve_any_task, resolve_generated, sites)

__all__ = ["DEFAULT_VERSION", "GeneratedTask", "Task", "assert_not_benchmark", "generate_tasks", "get_task",
           "list_tasks", "oracle_steps", "resolve_any_task", "resolve_generated", "resolve_tasks"]


def resolve_tasks(spec: str, seed: int = 0) -> list[Task]:
    """Expand a comma-separated task spec into tasks:

    - ``v2.gomail-1`` / ``gomail-1``: a REAL v2 task; ``site:gomail``: all of a site's; ``all``: every v2 task;
    - ``gen:<site>[:<split>[:<n>]]``: ``n`` (default 8) generated tasks of ``split`` (train | heldout, default
      train), deterministic given ``seed``; ``gen:<site>/<family>[+<family>...]:...`` only of those families
      (``gen:gomail/archive+delete:train:20``); ``gen.<site>-<family>-<index>``: one generated task by id.
    """
    out: list[Task] = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        if part == "all":
            out.extend(list_tasks())
        elif part.startswith("site:"):
            out.extend(list_tasks(site=part.split(":", 1)[1]))
        elif part.startswith("gen:"):
            out.extend(_generated(part, seed))
        elif part.startswith("gen."):
            try:
                out.append(resolve_generated(part))
            except (KeyError, ValueError) as err:
                raise UnknownTaskError(f"unknown generated task {part!r}: {err}") from None
        else:
            out.append(get_task(part))
    if not out:
        raise UnknownTaskError(f"no tasks in {spec!r}: give ids (v2.gomail-1), site:<site>, gen:<site>:<split>:<n> "
                               "or all")
    return out


def _generated(part: str, seed: int) -> list[Task]:
    fields = part.split(":")[1:]
    site, wanted = parse_families(fields[0] if fields else "")
    split = fields[1] if len(fields) > 1 else "train"
    if site not in sites():
        raise UnknownTaskError(f"{part!r}: generated tasks exist for {', '.join(sites())}")
    try:
        n = int(fields[2]) if len(fields) > 2 else 8
        return list(generate_tasks(site, n, seed, split, only_families=wanted))
    except ValueError as err:
        raise UnknownTaskError(f"{part!r}: {err} (form gen:<site>[/<family>+...]:<train|heldout>:<n>)") from None
