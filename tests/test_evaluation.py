"""HALO's evaluator runs the OFFICIAL agisdk scripts and must agree with agisdk's own evaluator."""

import pytest

from halo_lib.env.evaluation import parse_finish_html, run_official_eval
from halo_lib.errors import HaloError
from halo_lib.tasks import get_task


def agisdk_verdict(task, state) -> bool:
    from agisdk.REAL.browsergym.webclones.evaluate import WebCloneEvaluator
    from agisdk.REAL.browsergym.webclones.task_config import TaskConfig

    evaluator = WebCloneEvaluator(task_config=TaskConfig(task.name, task.version))
    return all(evaluator.execute_eval_script_subprocess(s, state, "")[0] for s in task.eval_scripts)


def order_state(product_id: str) -> dict:
    order = {"o1": {"items": [{"id": product_id, "quantity": 1}]}}
    return {"initialfinaldiff": {"added": {"order": {"orders": order}}, "updated": {}, "deleted": {}},
            "differences": {}}


@pytest.mark.parametrize("product_id, expected", [("212", True), ("999", False)])
def test_verdicts_agree_with_agisdk(product_id, expected):
    task = get_task("v2.omnizon-13")  # "order me a nice cooking pot": the script names ids 212 and 215
    state = order_state(product_id)
    ours = run_official_eval(task, state)
    assert ours.success is expected
    assert agisdk_verdict(task, state) is expected
    assert ours.outputs == ["SUCCESS" if expected else "FAILURE"]


def test_empty_official_script_is_reported():
    result = run_official_eval(get_task("v2.gocalendar-11"), {"differences": {}})
    assert result.empty_script and not result.success


def test_parse_finish_html():
    assert parse_finish_html('<html><body><pre class="x">{"a": 1}</pre></body></html>') == {"a": 1}
    assert parse_finish_html("<pre>{&quot;a&quot;: 1}</pre>") == {"a": 1}
    with pytest.raises(HaloError, match="no <pre>"):
        parse_finish_html("<html>nothing</html>")
    with pytest.raises(HaloError, match="not JSON"):
        parse_finish_html("<pre>{oops</pre>")


def test_each_evaluation_has_its_own_folder(tmp_path, monkeypatch):
    # eval_omnizon_28 reads every sibling file of the state: a neighbour saying "success" must not leak in
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "neighbour.json").write_text('{"status": "success", "item": "Silverware set, 20 pieces"}')
    result = run_official_eval(get_task("v2.omnizon-28"), {"initialfinaldiff": {}, "differences": {}})
    assert not result.success
    assert [p.name for p in tmp_path.iterdir()] == ["neighbour.json"]  # and our folder is gone
