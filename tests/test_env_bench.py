"""``halo bench env`` at toy size (all four drivers on the real site and browser), and the sites child process
it serves from."""

import re

import httpx
import pytest

from halo_lib.bench.env_bench import BENCH_TASK, browser_line, run_browser_bench, run_env_bench, summary_line
from halo_lib.errors import HaloError
from halo_lib.sites import site_port
from halo_lib.sites.server import SitesInProcess, _answers
from halo_lib.tasks import get_task

SUMMARY = re.compile(r"^env bench: halo/agisdk speedup \d+\.\dx, halo/playwright overhead \d+\.\d\dx, "
                     r"2-context scaling \d+\.\d\dx$")


def test_sites_in_a_child_process_serve_and_stop():
    site = get_task(BENCH_TASK).site
    port = site_port(site)
    assert not _answers(port)
    with SitesInProcess([site]) as sites:
        assert sites._process is not None and sites._process.is_alive()
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        with SitesInProcess([site]) as again:  # already serving: reused, nothing started
            assert again._process is None
        process = sites._process
    assert not process.is_alive() and not _answers(port)


def test_toy_env_bench_measures_all_four_drivers():
    with SitesInProcess([get_task(BENCH_TASK).site]):
        measures = run_env_bench(steps=3, agisdk_steps=1, contexts=2)
    assert [m.name for m in measures] == ["playwright loop", "halo env", "agisdk BrowserEnv", "halo pool x2"]
    assert [m.steps for m in measures] == [3, 3, 1, 6]
    line = summary_line(measures)
    match = SUMMARY.match(line)
    assert match, line
    pw, halo, agisdk, pool = (m.steps / m.seconds for m in measures)  # steps per second, each measured
    speedup, overhead, scaling = (float(x) for x in re.findall(r"(\d+\.\d+)x", line))
    assert speedup == round(halo / agisdk, 1) and overhead == round(pw / halo, 2) and scaling == round(pool / halo, 2)


def test_toy_browser_bench_plays_the_same_episodes_on_the_headless_shell_and_on_full_chromium(monkeypatch):
    with SitesInProcess([get_task(BENCH_TASK).site]):
        measures = run_browser_bench(episodes=2, steps=1)
    assert [(m.name, m.steps, m.unit) for m in measures] == [("headless shell", 2, "episodes"),
                                                             ("full chromium", 2, "episodes")]
    line = browser_line(measures, steps=1)
    ratio = (measures[0].steps / measures[0].seconds) / (measures[1].steps / measures[1].seconds)
    assert line == (f"env bench: headless shell/full chromium {ratio:.2f}x episodes per s (2 episodes of a reset and 1 "
                    f"steps each)")
    monkeypatch.setenv("HALO_CHROMIUM", "/usr/bin/chromium")  # one binary for both sides: nothing to compare
    with pytest.raises(HaloError, match="both sides would run /usr/bin/chromium"):
        run_browser_bench(episodes=1, steps=1)
