"""Tasks: the REAL v2 registry (from agisdk) and generated training tasks (``generator``, never REAL tasks)."""

from halo_lib.tasks.registry import DEFAULT_VERSION, Task, get_task, list_tasks, resolve_tasks

# Served lazily from halo_lib.tasks.generator: it imports the scripted policy, which this package must not
# load on every `import halo_lib.tasks` (the environment and the sites import it).
_GENERATOR_NAMES = ("GeneratedTask", "generate_tasks", "resolve_generated", "resolve_any_task", "oracle_steps",
                    "assert_not_benchmark")

__all__ = ["DEFAULT_VERSION", "Task", "get_task", "list_tasks", "resolve_tasks", *_GENERATOR_NAMES]


def __getattr__(name: str):
    if name in _GENERATOR_NAMES:
        from halo_lib.tasks import generator

        return getattr(generator, name)
    raise AttributeError(f"module 'halo_lib.tasks' has no attribute {name!r}")
