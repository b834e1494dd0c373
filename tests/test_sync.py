"""VLLMSync's adapter folders: every sync a new version after the newest one there, and only older ones pruned
(the server reads the folder it was told to load, later, so that one must stay)."""

from halo_lib.rl import sync as sync_module
from halo_lib.rl.sync import VLLMSync


class SavesWeights:
    def __init__(self):
        self.saves = 0

    def save_pretrained(self, folder):
        self.saves += 1
        (folder / "adapter_config.json").write_text(f'{{"save": {self.saves}}}')


def test_a_resumed_runs_sync_goes_on_after_the_stopped_runs_versions_and_keeps_what_it_loads(tmp_path, monkeypatch):
    loaded = []
    monkeypatch.setattr(sync_module, "load_adapter", lambda url, name, path, replace: loaded.append((path, replace)))
    live = tmp_path / "live_adapter"
    for v in (10, 11):  # what a stopped run left
        (live / f"v{v:06d}").mkdir(parents=True)
    model = SavesWeights()
    resumed = VLLMSync("http://127.0.0.1:1/v1", "text")
    first = resumed.sync(model, tmp_path)
    second = resumed.sync(model, tmp_path)
    assert (first.name, second.name) == ("v000012", "v000013")
    assert [(p.name, r) for p, r in loaded] == [("v000012", False), ("v000013", True)]
    assert sorted(p.name for p in live.iterdir()) == ["v000012", "v000013"]  # the loaded ones stay, older ones go
    assert (second / "adapter_config.json").read_text() == '{"save": 2}'


def test_a_fresh_sync_starts_at_version_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(sync_module, "load_adapter", lambda *a, **k: None)
    assert VLLMSync("http://127.0.0.1:1/v1", "text").sync(SavesWeights(), tmp_path).name == "v000000"
