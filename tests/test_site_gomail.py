"""GoMail local site: seed data the official scripts rely on, the ``differences`` shape, and an
end-to-end check that every oracle passes and every wrong solution fails under agisdk's scripts."""

from __future__ import annotations

import copy


from halo_lib.sites.gomail import SPEC
from halo_lib.sites.gomail import seed
from halo_lib.sites.gomail.differences import differences
from halo_lib.sites.gomail.oracle import ORACLES
from halo_lib.sites.state import deep_diff


def _emails():
    return seed.initial_state("gomail-1")["email"]["emails"]


def _text(e):
    return " ".join([e["from"], e["subject"], e["content"]]).lower()


def test_seed_is_fresh_and_deterministic():
    a, b = seed.initial_state("gomail-1"), seed.initial_state(None)
    assert a == b
    a["email"]["emails"]["1"]["trash"] = True
    assert seed.initial_state(None)["email"]["emails"]["1"]["trash"] is False


def test_seed_groups_match_official_scripts():
    e = _emails()
    inbox = {k for k, x in e.items() if not x["sent"]}
    assert len(inbox) == 56
    assert {k for k, x in e.items() if x["starred"]} == {"2", "6", "10", "14", "16", "21", "26", "28", "31", "37", "47", "49", "53"}
    assert {k for k in inbox if "noreply" in e[k]["from"] or "no-reply" in e[k]["from"]} == {"3", "14", "34", "40", "50"}
    assert {k for k in inbox if "notification" in (e[k]["from"] + e[k]["subject"]).lower()} == {"3", "4", "5", "6", "17", "36", "38", "56"}
    assert {k for k in inbox if "uber" in _text(e[k])} == {"48"}
    assert {k for k in inbox if "amazon" in _text(e[k])} == set(seed.AMAZON_IDS) and len(seed.AMAZON_IDS) == 4
    assert {k for k in inbox if "alerts" in _text(e[k])} == set(seed.ALERT_IDS)
    assert 10 <= len({k for k in inbox if "support" in e[k]["subject"].lower()}) <= 30
    assert e["1"]["fromName"] == "John Doe" and [k for k in e if e[k]["fromName"] == "John Doe"] == ["1"]
    assert e["13"]["from"] == "jane.smith@example.com"
    assert sum(not e[k]["isRead"] for k in inbox) >= 15


def test_seed_dates_today_and_old():
    e = _emails()
    today = SPEC.now[:10]
    local_day = {k: seed.datetime.fromisoformat(x["date"].replace("Z", "+00:00")).astimezone(seed.TZ).date().isoformat()
                 for k, x in e.items()}
    assert {k for k, d in local_day.items() if d == today} == {"46", "47", "48"}
    assert {k for k, d in local_day.items() if d <= "2024-05-18"} == {"52", "53", "54", "55", "56"}
    inbox = sorted((x for x in e.values() if not x["sent"]), key=lambda x: x["date"], reverse=True)
    assert {x["id"] for x in inbox[50:]} >= {"52", "53", "54", "55", "56"}


def test_contacts_cover_every_recipient():
    emails = {c["email"] for c in seed.initial_state(None)["email"]["contacts"]}
    for addr in ("alexa.richardson", "kevin.moore", "barbara.thomas", "charles.davis", "carol.adams",
                 "danielle.brown", "brian.king", "angela.white", "ashley.campbell", "jane.smith"):
        assert f"{addr}@example.com" in emails


def test_differences_updated_added_deleted():
    init = seed.initial_state(None)
    final = copy.deepcopy(init)
    E = final["email"]["emails"]
    E["1"]["trash"] = True
    E["12"].update(snoozed=True, snoozeUntil="2024-07-25T15:00:00Z")
    del E["2"]
    E["59"] = dict(E["58"], id="59", subject="Hello", isReply=True)
    d = differences(init, final)["emails"]
    assert [x["id"] for x in d["added"]] == ["59"] and d["added"][0]["isReply"] is True
    upd = {x["id"]: x for x in d["updated"]}
    assert upd["1"] == {"id": "1", "trash": True}
    assert upd["12"] == {"id": "12", "snoozed": True, "snoozeUntil": "2024-07-25T15:00:00Z"}
    assert "from" not in upd["12"] and "subject" not in upd["1"]
    deleted = {x["id"]: x for x in d["deleted"]}
    assert set(deleted) == {"2", "12"}
    assert deleted["12"]["from"] == "alerts@chase.com" and deleted["12"]["snoozed"] is False
    assert differences(init, copy.deepcopy(init)) == {"emails": {"added": [], "updated": [], "deleted": []}}


def test_initialfinaldiff_keys_are_email_ids():
    init = seed.initial_state(None)
    final = copy.deepcopy(init)
    final["email"]["emails"]["46"]["archived"] = True
    final["ui"]["snackbar"] = {"message": "Conversation archived.", "open": True}
    final["settings"]["customLabels"].append({"id": "l4", "label": "Support Emails", "color": "#fff"})
    diff = deep_diff(init, final)
    assert diff["updated"]["email"]["emails"] == {"46": {"archived": True}}
    assert diff["updated"]["ui"]["snackbar"]["message"] == "Conversation archived."
    assert diff["added"]["settings"]["customLabels"]["3"]["label"] == "Support Emails"


def test_every_v2_task_has_an_oracle():
    from halo_lib.real_tasks import list_tasks

    names = {t.name for t in list_tasks("gomail")}
    assert len(names) == 21
    assert set(ORACLES) == names
    assert all(o.wrong for o in ORACLES.values())
