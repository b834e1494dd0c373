"""``python -m halo_lib.report``: what ./launch.sh runs (the `halo notebooks run` / `halo report` commands wrap it).

    python -m halo_lib.report run [--config cpu] [--task ID] [--episodes N] [--allow-benchmark-training]
                                  [--only baseline_eval ...] [--out reports] [--tag NAME] [--set SECTION.FIELD=YAML]
    python -m halo_lib.report one NOTEBOOK [--config cpu] [--out reports]
    python -m halo_lib.report index [--out reports]
"""

from __future__ import annotations

import argparse
import sys

import yaml

from halo_lib.errors import HaloError


def parse_sets(items: list[str]) -> dict[str, dict]:
    """``["online_grpo.grpo={iterations: 2}", "baseline_eval.episodes=3"]`` -> nested overrides (values are YAML)."""
    out: dict[str, dict] = {}
    for item in items:
        key, sep, value = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot or not name:
            raise HaloError(f"--set {item!r}: use SECTION.FIELD=VALUE, e.g. baseline_eval.episodes=3")
        out.setdefault(section, {})[name] = yaml.safe_load(value)
    return out


def parse_field_sets(items: list[str]) -> dict:
    """``["episodes=3", "runs={base: results/a}"]`` -> ``{"episodes": 3, "runs": {...}}`` (values are YAML)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise HaloError(f"--set {item!r}: use FIELD=VALUE, e.g. episodes=3")
        out[key] = yaml.safe_load(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m halo_lib.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="baseline eval -> online GRPO -> compare, rendered to HTML")
    run.add_argument("--config", default="cpu", help="papermill_configs/<name>.yaml or a path (default cpu)")
    run.add_argument("--task", default=None, help="task spec for evaluation and training")
    run.add_argument("--episodes", type=int, default=None, help="episodes per evaluation task")
    run.add_argument("--allow-benchmark-training", action="store_true")
    run.add_argument("--only", nargs="*", default=None, help="only these notebooks (baseline_eval, online_grpo, ...)")
    run.add_argument("--out", default="reports")
    run.add_argument("--tag", default=None, help="run tag (default <config>-<timestamp>)")
    run.add_argument("--set", dest="sets", action="append", default=[], help="SECTION.FIELD=YAML override")
    run.add_argument("--quiet", action="store_true", help="do not stream the notebooks' output")
    one = sub.add_parser("one", help="run and render one notebook with its config values")
    one.add_argument("notebook")
    one.add_argument("--config", default="cpu")
    one.add_argument("--out", default="reports")
    one.add_argument("--set", dest="sets", action="append", default=[], help="FIELD=YAML override")
    index = sub.add_parser("index", help="rewrite reports/index.html")
    index.add_argument("--out", default="reports")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            from halo_lib.report.pipeline import run_notebooks

            run_notebooks(args.config, args.out, parse_sets(args.sets), task=args.task, episodes=args.episodes,
                          allow_benchmark_training=args.allow_benchmark_training, tag=args.tag, only=args.only,
                          stream=not args.quiet, log=lambda m: print(f"[halo] {m}", flush=True))
        elif args.command == "one":
            from halo_lib.report.pipeline import report_one

            print(report_one(args.notebook, args.config, args.out, parse_field_sets(args.sets), stream=True))
        else:
            from halo_lib.report.render import write_index

            print(write_index(args.out))
    except HaloError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
