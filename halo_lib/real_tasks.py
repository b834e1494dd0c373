"""REAL tasks, read from the installed ``agisdk`` package (never a copied file).

A task knows its goal, its site, the official evaluation scripts that judge it and two URLs: the local
clone (``http://127.0.0.1:<port>``, offline, the default) and the hosted REAL site.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from halo_lib.errors import UnknownTaskError
from halo_lib.ports import site_url
# agisdk is imported lazily, in _version_dir: importing this module stays light.

DEFAULT_VERSION = "v2"
SitesMode = Literal["local", "remote"]


@dataclass(frozen=True)
class Task:
    """One REAL benchmark task."""

    name: str
    """Task name without version, e.g. ``gomail-1``."""
    version: str
    """Task-set version, ``v2`` by default (``v1`` is the older set, not supported here)."""
    site: str
    """Site id, e.g. ``gomail``, ``omnizon``, ``gocalendar``."""
    goal: str
    """The instruction the agent receives."""
    hosted_url: str
    """URL of the hosted REAL site (needs internet)."""
    eval_scripts: tuple[str, ...]
    """Official evaluation script names, resolved inside agisdk's ``eval_scripts`` folder."""
    difficulty: str = ""
    challenge_type: str = ""
    possible: bool = True

    @property
    def id(self) -> str:
        """Canonical id, as agisdk writes it: ``v2.gomail-1``."""
        return f"{self.version}.{self.name}"

    def eval_script_paths(self) -> list[Path]:
        return [_version_dir(self.version) / "eval_scripts" / s for s in self.eval_scripts]

    def url(self, sites: SitesMode = "local") -> str:
        """Base URL of the task's site, without a trailing slash (agisdk appends ``/config``)."""
        if sites == "remote":
            return self.hosted_url.rstrip("/")
        return site_url(self.site)


def _version_dir(version: str) -> Path:
    from agisdk.REAL.browsergym.webclones import task_config

    return Path(task_config.VERSION_DIRS[version])


@functools.lru_cache(maxsize=None)
def _load_version(version: str) -> dict[str, Task]:
    tasks_dir = _version_dir(version) / "tasks"
    tasks: dict[str, Task] = {}
    for path in sorted(tasks_dir.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        website = raw.get("website", {})
        tasks[raw["id"]] = Task(
            name=raw["id"],
            version=version,
            site=website.get("id", raw["id"].rsplit("-", 1)[0]),
            goal=raw["goal"],
            hosted_url=website.get("url", ""),
            eval_scripts=tuple(e["script"] for e in raw.get("evals", []) if e.get("script")),
            difficulty=raw.get("difficulty", ""),
            challenge_type=raw.get("challengeType", ""),
            possible=bool(raw.get("possible", True)),
        )
    return tasks


def _check_version(version: str) -> None:
    if version != DEFAULT_VERSION:
        raise UnknownTaskError(
            f"task version {version!r} is not supported: HALO runs the REAL v2 tasks "
            f"(ids like 'v2.gomail-1'); use version 'v2'"
        )


def list_tasks(site: str | None = None, version: str = DEFAULT_VERSION) -> list[Task]:
    """All tasks of a version, optionally of one site, in natural order (gomail-2 before gomail-10)."""
    _check_version(version)
    tasks = list(_load_version(version).values())
    if site is not None:
        known = sorted({t.site for t in tasks})
        if site not in known:
            raise UnknownTaskError(f"unknown site {site!r}; REAL {version} sites are: {', '.join(known)}")
        tasks = [t for t in tasks if t.site == site]
    return sorted(tasks, key=lambda t: (t.site, int(t.name.rsplit("-", 1)[1])))


def get_task(task_id: str) -> Task:
    """Look a task up by ``v2.gomail-1`` or ``gomail-1``; a clear error lists what exists."""
    version, _, name = task_id.rpartition(".")
    version = version or DEFAULT_VERSION
    _check_version(version)
    tasks = _load_version(version)
    if name not in tasks:
        site = name.rsplit("-", 1)[0]
        same_site = [t.name for t in list_tasks(version=version) if t.site == site]
        hint = f"tasks of {site}: {', '.join(same_site)}" if same_site else (
            "sites: " + ", ".join(sorted({t.site for t in tasks.values()})))
        raise UnknownTaskError(f"unknown task {task_id!r} in REAL {version}; {hint}")
    return tasks[name]
