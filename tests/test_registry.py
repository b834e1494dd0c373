import pytest

from halo_lib.errors import HaloError, UnknownTaskError
from halo_lib.tasks import get_task, list_tasks, resolve_tasks


def test_v2_tasks_of_the_three_local_sites_come_from_agisdk():
    counts = {s: len(list_tasks(site=s)) for s in ("gomail", "omnizon", "gocalendar")}
    assert counts == {"gomail": 21, "omnizon": 10, "gocalendar": 10}
    task = get_task("v2.gomail-1")
    assert task.site == "gomail" and "amazon" in task.goal.lower()
    assert all(p.exists() for p in task.eval_script_paths())
    assert "site-packages/agisdk" in str(task.eval_script_paths()[0])


def test_ids_with_and_without_version_name_the_same_task():
    assert get_task("gomail-12") == get_task("v2.gomail-12")
    assert get_task("v2.gomail-12").id == "v2.gomail-12"


def test_natural_order_puts_2_before_10():
    names = [t.name for t in list_tasks(site="gocalendar")]
    assert names.index("gocalendar-4") < names.index("gocalendar-10")


def test_unknown_task_lists_what_exists():
    with pytest.raises(UnknownTaskError) as err:
        get_task("v2.gomail-99")
    assert "gomail-1" in str(err.value) and "gomail-26" in str(err.value)


def test_v1_is_a_clear_error():
    with pytest.raises(HaloError, match="v2"):
        get_task("v1.gomail-1")
    with pytest.raises(HaloError, match="v2"):
        list_tasks(version="v1")


def test_unknown_site_lists_sites():
    with pytest.raises(UnknownTaskError, match="omnizon"):
        list_tasks(site="gmail")


def test_resolve_specs():
    tasks = resolve_tasks("site:omnizon,v2.gomail-1")
    assert len(tasks) == 11 and tasks[-1].name == "gomail-1"
    with pytest.raises(UnknownTaskError):
        resolve_tasks(" , ")


def test_local_and_remote_urls(monkeypatch):
    monkeypatch.setenv("HALO_SITES_PORT_BASE", "18000")
    task = get_task("v2.omnizon-3")
    assert task.url("local") == "http://127.0.0.1:18002"
    assert task.url("remote").startswith("https://") and not task.url("remote").endswith("/")
