"""Tasks: the REAL v2 registry (from agisdk). Generated training tasks come with the RL work."""

from halo_lib.tasks.registry import DEFAULT_VERSION, Task, get_task, list_tasks, resolve_tasks

__all__ = ["DEFAULT_VERSION", "Task", "get_task", "list_tasks", "resolve_tasks"]
