"""``python -m halo_lib.report``: what ./launch.sh runs (the `halo notebooks run` / `halo report` commands wrap it).

    python -m halo_lib.report run [--config cpu] [--only baseline_eval ...] [--out reports] [--tag NAME]
                                  [--set recipe.FIELD=YAML | FIELD=YAML ...]
    python -m halo_lib.report one NOTEBOOK [--config cpu] [--out reports] [--set run_dir=results/recipe/<run>]
    python -m halo_lib.report index [--out reports]
"""

from __future__ import annotations

import argparse
import sys

from halo_lib.errors import HaloError
from halo_lib.report.params import parse_sets
from halo_lib.report.pipeline import report_one, run_notebooks
from halo_lib.report.render import write_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m halo_lib.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="baseline eval -> BC + online GRPO -> compare, rendered to HTML")
    run.add_argument("--config", default="cpu", help="papermill_configs/<name>.yaml or a path (default cpu)")
    run.add_argument("--only", nargs="*", default=None, help="only these notebooks (baseline_eval, online_grpo, ...)")
    run.add_argument("--out", default="reports")
    run.add_argument("--tag", default=None, help="run tag (default <config>-<timestamp>); an existing run's tag goes "
                                                 "on with it")
    run.add_argument("--set", dest="sets", action="append", default=[], help="recipe.FIELD=YAML or FIELD=YAML")
    run.add_argument("--quiet", action="store_true", help="do not stream the notebooks' output")
    one = sub.add_parser("one", help="run and render one notebook with its config values")
    one.add_argument("notebook")
    one.add_argument("--config", default="cpu")
    one.add_argument("--out", default="reports")
    one.add_argument("--set", dest="sets", action="append", default=[], help="recipe.FIELD=YAML or FIELD=YAML")
    index = sub.add_parser("index", help="rewrite reports/index.html")
    index.add_argument("--out", default="reports")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            run_notebooks(args.config, args.out, parse_sets(args.sets), tag=args.tag, only=args.only,
                          stream=not args.quiet, log=lambda m: print(f"[halo] {m}" if not m.startswith("main job:")
                                                                     else m, flush=True))
        elif args.command == "one":
            print(report_one(args.notebook, args.config, args.out, parse_sets(args.sets), stream=True))
        else:
            print(write_index(args.out))
    except HaloError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
