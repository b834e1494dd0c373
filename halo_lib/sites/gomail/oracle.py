"""GoMail oracles: each v2 task solved through the UI as a user would, plus plausible wrong solutions."""

from __future__ import annotations

import re

from halo_lib.sites.oracle import Oracle, do_nothing

# ---------- UI helpers ----------


async def _snack(page, pattern: str) -> None:
    await page.locator("#snackbar").filter(has_text=re.compile(pattern)).wait_for()


async def _toolbar(page, name: str) -> None:
    await page.get_by_role("toolbar", name="Email actions").get_by_role("button", name=name, exact=True).click()


async def _folder(page, name: str) -> None:
    await page.get_by_role("navigation", name="Mail folders").get_by_role("link", name=re.compile(f"^{name}")).click()
    await page.get_by_role("grid", name=f"Conversations in {name}").wait_for()


async def _search(page, query: str) -> None:
    box = page.get_by_role("searchbox", name="Search mail")
    await box.fill(query)
    await box.press("Enter")
    await page.get_by_role("grid", name="Conversations in Search results").wait_for()


async def _row(page, text: str):
    return page.locator(".mail-row", has_text=text)


async def _check(page, *texts: str) -> None:
    for text in texts:
        await (await _row(page, text)).get_by_role("checkbox").check()


async def _select_all(page) -> None:
    await page.get_by_role("checkbox", name="Select all").check()


async def _open(page, text: str) -> None:
    await (await _row(page, text)).locator(".cell-subject").click()
    await page.locator("article.message").first.wait_for()


async def _add_recipient(page, field: str, name: str, email: str) -> None:
    box = page.get_by_role("dialog", name="New Message").get_by_role("combobox", name=f"{field} recipients")
    await box.click()
    await box.press_sequentially(name)
    await page.get_by_role("option").filter(has_text=email).click()


async def _compose(page, to, subject: str, body: str, *, cc=(), send: bool = True) -> None:
    await page.get_by_role("button", name="Compose").click()
    win = page.get_by_role("dialog", name="New Message")
    await win.wait_for()
    for name, email in to:
        await _add_recipient(page, "To", name, email)
    if cc:
        await win.get_by_role("button", name="Add Cc recipients").click()
        for name, email in cc:
            await _add_recipient(page, "Cc", name, email)
    await win.get_by_role("textbox", name="Subject").fill(subject)
    await win.get_by_role("textbox", name="Message Body").fill(body)
    if send:
        await win.get_by_role("button", name="Send", exact=True).click()
        await _snack(page, "Message sent")
    else:
        await win.get_by_role("button", name="Save & close").click()
        await _snack(page, "Draft saved")


def _send(to_name: str, to_email: str, subject: str, body: str, **kw):
    async def solution(page):
        await _compose(page, [(to_name, to_email)], subject, body, **kw)

    return solution


async def _trash_search(page, query: str) -> None:
    await _search(page, query)
    await _select_all(page)
    await _toolbar(page, "Delete")
    await _snack(page, "moved to Trash")


# ---------- tasks ----------


async def solve_1(page):
    await _select_all(page)
    await _toolbar(page, "Mark as read")
    await _snack(page, "50 conversations marked as read")
    await _trash_search(page, "amazon")


async def wrong_1_no_read(page):
    await _trash_search(page, "amazon")


async def wrong_1_page(page):
    await _select_all(page)
    await _toolbar(page, "Mark as read")
    await _snack(page, "marked as read")
    await _select_all(page)
    await _toolbar(page, "Delete")
    await _snack(page, "50 conversations moved to Trash")


async def solve_2(page):
    await _trash_search(page, "notification")
    await _trash_search(page, "uber")


async def wrong_2_no_uber(page):
    await _trash_search(page, "notification")


async def wrong_2_only_uber(page):
    await _trash_search(page, "uber")


async def _trash_starred(page):
    await _folder(page, "Starred")
    await _select_all(page)
    await _toolbar(page, "Delete")
    await _snack(page, "13 conversations moved to Trash")


ALEXA = ("Alexa Richardson", "alexa.richardson@example.com")


async def solve_5(page):
    await _trash_starred(page)
    await _compose(page, [ALEXA], "Work permit signature",
                   "Hi Alexa,\n\nCould you please sign my work permit renewal form? HR needs it this week.\n\nThanks,\nCasey")


async def wrong_5_unstar(page):
    await _folder(page, "Starred")
    await _select_all(page)
    await page.get_by_role("toolbar", name="Email actions").get_by_role("button", name="More email options").click()
    await page.get_by_role("menuitem", name="Remove star").click()
    await _snack(page, "unstarred")
    await _compose(page, [ALEXA], "Work permit signature", "Hi Alexa, could you please sign my work permit?")


async def wrong_5_subject(page):
    await _trash_starred(page)
    await _compose(page, [ALEXA], "Quick signature", "Hi Alexa, could you please sign my work permit?")


async def solve_11(page):
    await page.get_by_role("button", name="Older").click()
    await page.get_by_text("51–56 of 56").wait_for()
    await _check(page, "Spring conference recap", "Tax documents 2023", "Volunteer sign-up", "Book club: April pick",
                 "You have 3 new notifications")
    await _toolbar(page, "Delete")
    await _snack(page, "5 conversations moved to Trash")


async def wrong_11_recent(page):
    await page.get_by_role("button", name="Older").click()
    await page.get_by_text("51–56 of 56").wait_for()
    await _check(page, "Your tickets for Tech Summit 2024")  # May 22: less than two months old
    await _toolbar(page, "Delete")
    await _snack(page, "Conversation moved to Trash")


async def solve_14(page):
    await _select_all(page)
    await _toolbar(page, "Delete")
    await _snack(page, "50 conversations moved to Trash")


async def wrong_14_everything(page):
    await _select_all(page)
    await page.get_by_role("button", name="Select all 56 conversations in Inbox").click()
    await _toolbar(page, "Delete")
    await _snack(page, "56 conversations moved to Trash")


async def solve_16(page):
    await page.get_by_role("button", name="Create new label").click()
    await page.get_by_label("Please enter a new label name:").fill("Support Emails")
    await page.get_by_role("dialog", name="New label").get_by_role("button", name="Create").click()
    await _snack(page, "Support Emails")


async def wrong_16_name(page):
    await page.get_by_role("button", name="Create new label").click()
    await page.get_by_label("Please enter a new label name:").fill("Support")
    await page.get_by_role("dialog", name="New label").get_by_role("button", name="Create").click()
    await _snack(page, "created")


TODAY = ("Team dinner on Friday", "System update rollout plan", "Your Thursday morning trip with Uber")


async def solve_17(page):
    await _check(page, *TODAY)
    await _toolbar(page, "Archive")
    await _snack(page, "3 conversations archived")


async def wrong_17_partial(page):
    await _check(page, *TODAY[:2])
    await _toolbar(page, "Archive")
    await _snack(page, "2 conversations archived")


async def solve_20(page):
    await _select_all(page)
    await page.get_by_role("button", name="Select all 56 conversations in Inbox").click()
    await _toolbar(page, "Delete")
    await _snack(page, "56 conversations moved to Trash")


async def wrong_20_archive(page):
    await _select_all(page)
    await page.get_by_role("button", name="Select all 56 conversations in Inbox").click()
    await _toolbar(page, "Archive")
    await _snack(page, "56 conversations archived")


async def wrong_20_forever(page):
    await solve_20(page)
    await _folder(page, "Trash")
    await page.get_by_role("button", name="Empty Trash now").click()
    await page.get_by_role("dialog").get_by_role("button", name="OK").click()
    await _snack(page, "deleted forever")


async def wrong_20_one(page):
    await (await _row(page, "Team dinner on Friday")).hover()
    await (await _row(page, "Team dinner on Friday")).get_by_role("button", name="Delete").click()
    await _snack(page, "Conversation moved to Trash")


async def _snooze_alerts_week(page):
    await _search(page, "alerts")
    await _select_all(page)
    await _toolbar(page, "Snooze")
    await page.get_by_role("menuitem", name="Pick date & time").click()
    dlg = page.get_by_role("dialog", name="Pick date and time")
    await dlg.get_by_label("Date").fill("2024-07-25")
    await dlg.get_by_label("Time").fill("08:00")
    await dlg.get_by_role("button", name="Save").click()
    await _snack(page, "3 conversations snoozed until")


async def wrong_21_trash(page):
    await _trash_search(page, "alerts")


async def wrong_21_all(page):
    await _select_all(page)
    await _toolbar(page, "Snooze")
    await page.get_by_role("menuitem", name=re.compile("^Next week")).click()
    await _snack(page, "50 conversations snoozed until")


async def _reply_jane(page):
    await _open(page, "Client onboarding checklist")
    await page.get_by_role("button", name="Reply", exact=True).last.click()
    await page.get_by_role("textbox", name="Reply message body").fill(
        "Hi Jane,\n\nThe checklist looks good to me. No changes from my side.\n\nThanks,\nCasey")
    await page.get_by_role("region", name="Reply").get_by_role("button", name="Send").click()
    await _snack(page, "Message sent")
    await page.get_by_role("button", name="Back to Inbox").click()


async def solve_23(page):
    await _reply_jane(page)
    await _trash_search(page, "subject:support")
    await _snack(page, "12 conversations moved to Trash")


async def wrong_23_no_delete(page):
    await _reply_jane(page)


async def wrong_23_new_email(page):
    await _compose(page, [("Jane Smith", "jane.smith@example.com")], "Onboarding checklist",
                   "Hi Jane, the checklist looks good.")
    await _trash_search(page, "subject:support")


async def solve_24(page):
    await _open(page, "Catching up next week?")
    await _toolbar(page, "Delete")
    await _snack(page, "Conversation moved to Trash")


async def wrong_24_john_smith(page):
    await _check(page, "Invoice for June")
    await _toolbar(page, "Delete")
    await _snack(page, "Conversation moved to Trash")


async def solve_26(page):
    await _trash_search(page, "noreply")
    await _trash_search(page, "no-reply")


async def wrong_26_archive(page):
    for q in ("noreply", "no-reply"):
        await _search(page, q)
        await _select_all(page)
        await _toolbar(page, "Archive")
        await _snack(page, "archived")


async def wrong_26_partial(page):
    await _trash_search(page, "noreply")


CAROL = ("Carol Adams", "carol.adams@example.com")
DANIELLE = ("Danielle Brown", "danielle.brown@example.com")

ORACLES: dict[str, Oracle] = {
    "gomail-1": Oracle(solve_1, (("only deletes Amazon, nothing marked read", wrong_1_no_read),
                                 ("marks read, then trashes the whole page", wrong_1_page), ("nothing done", do_nothing))),
    "gomail-2": Oracle(solve_2, (("notifications only, Uber kept", wrong_2_no_uber),
                                 ("Uber only, notifications kept", wrong_2_only_uber))),
    "gomail-4": Oracle(
        _send(*ALEXA, "Files", "Hi Alexa,\n\nPlease let me know when the files come in.\n\nThanks,\nCasey"),
        (("wrong recipient (Alexander Reed)", _send("Alexander Reed", "alexander.reed@example.com", "Files",
                                                    "Please let me know when the files come in.")),
         ("asks something else", _send(*ALEXA, "Files", "Have the auditors replied yet?")))),
    "gomail-5": Oracle(solve_5, (("unstars instead of deleting", wrong_5_unstar),
                                 ("email subject does not mention the work permit", wrong_5_subject))),
    "gomail-7": Oracle(
        _send("Ashley Campbell", "ashley.campbell@example.com", "Team dinner",
              "Hi Ashley,\n\nAre you coming to the team dinner on Friday?\n\nCasey"),
        (("wrong Ashley (Ashley Carter)", _send("Ashley Carter", "ashley.carter@example.com", "Team dinner",
                                                 "Hi Ashley, are you coming to the team dinner on Friday?")),
         ("left as a draft", _send("Ashley Campbell", "ashley.campbell@example.com", "Team dinner",
                                   "Hi Ashley, are you coming to the team dinner on Friday?", send=False)))),
    "gomail-8": Oracle(
        _send("Kevin Moore", "kevin.moore@example.com", "Project details",
              "Hi Kevin,\n\nCould you send me the project details when you get a chance?\n\nThanks,\nCasey"),
        (("wrong Kevin (Kevin Martin)", _send("Kevin Martin", "kevin.martin@example.com", "Project details",
                                              "Hi Kevin, could you send me the project details?")),
         ("copies Brian King", _send("Kevin Moore", "kevin.moore@example.com", "Project details",
                                     "Hi Kevin, could you send me the project details?",
                                     cc=[("Brian King", "brian.king@example.com")])))),
    "gomail-9": Oracle(
        _send("Barbara Thomas", "barbara.thomas@example.com", "Project plan",
              "Hi Barbara,\n\nI'd like to go over the project plan with you this week.\n\nCasey"),
        (("wrong person (Patricia Garcia)", _send("Patricia Garcia", "patricia.garcia@example.com", "Project plan",
                                                   "Hi, I'd like to go over the project plan.")),
         ("about the timeline, not the plan", _send("Barbara Thomas", "barbara.thomas@example.com", "Timeline",
                                                    "Hi Barbara, do you have a few minutes for the Q4 timeline?")))),
    "gomail-11": Oracle(solve_11, (("deletes a recent email", wrong_11_recent), ("nothing done", do_nothing))),
    "gomail-12": Oracle(
        _send("Charles Davis", "charles.davis@example.com", "New clients",
              "Hi Charles,\n\nHave you found any new clients lately?\n\nCasey"),
        (("asks about the pipeline, not new clients", _send("Charles Davis", "charles.davis@example.com",
                                                             "Pipeline", "Hi Charles, any updates on the pipeline?")),
         ("no subject", _send("Charles Davis", "charles.davis@example.com", "",
                              "Hi Charles, have you found any new clients?")))),
    "gomail-13": Oracle(
        _send(*CAROL, "Meeting time change",
              "Hi Carol,\n\nThere has been a time change for the meeting: it is now at 8:30 AM.\n\nCasey"),
        (("wrong time", _send(*CAROL, "Meeting time change", "Hi Carol, the meeting is now at 9:30 AM.")),
         ("wrong person (Charles Davis)", _send("Charles Davis", "charles.davis@example.com", "Meeting time change",
                                                "The meeting is now moved to 8:30 AM.")))),
    "gomail-14": Oracle(solve_14, (("trashes all 56, not just the visible page", wrong_14_everything),
                                   ("nothing done", do_nothing))),
    "gomail-15": Oracle(
        _send(*DANIELLE, "System update launched",
              "Hi Danielle,\n\nThe new system update has been launched. You can tell the regional teams.\n\nCasey"),
        (("says it is only scheduled", _send(*DANIELLE, "System update", "Hi Danielle, the system update is planned "
                                             "for next week.")),
         ("wrong person (Angela White)", _send("Angela White", "angela.white@example.com", "System update launched",
                                               "The new system update has been launched.")))),
    "gomail-16": Oracle(solve_16, (("label named Support", wrong_16_name), ("nothing done", do_nothing))),
    "gomail-17": Oracle(solve_17, (("archives only two of today's emails", wrong_17_partial),)),
    "gomail-18": Oracle(
        _send("Brian King", "brian.king@example.com", "Meeting notes",
              "Hi Brian,\n\nCould you send me the meeting notes?\n\nThanks,\nCasey"),
        (("wrong Brian (Brian Kim)", _send("Brian Kim", "brian.kim@example.com", "Meeting notes",
                                           "Hi Brian, could you send me the meeting notes?")),
         ("left as a draft", _send("Brian King", "brian.king@example.com", "Meeting notes",
                                   "Hi Brian, could you send me the meeting notes?", send=False)))),
    "gomail-19": Oracle(
        _send("Angela White", "angela.white@example.com", "FTA", "Hi Angela,\n\nWhen do you go on FTA?\n\nCasey"),
        (("wrong Angela (Angela Wu)", _send("Angela Wu", "angela.wu@example.com", "FTA",
                                            "Hi Angela, when do you go on FTA?")),)),
    "gomail-20": Oracle(solve_20, (("archives instead of trashing", wrong_20_archive),
                                   ("deletes forever after trashing", wrong_20_forever),
                                   ("trashes a single email", wrong_20_one))),
    "gomail-21": Oracle(_snooze_alerts_week, (("trashes the alerts instead", wrong_21_trash),
                                              ("snoozes the whole page", wrong_21_all))),
    "gomail-23": Oracle(solve_23, (("replies but deletes nothing", wrong_23_no_delete),
                                   ("new email instead of a reply", wrong_23_new_email))),
    "gomail-24": Oracle(solve_24, (("deletes John Smith's email", wrong_24_john_smith), ("nothing done", do_nothing))),
    "gomail-26": Oracle(solve_26, (("archives instead of deleting", wrong_26_archive),
                                   ("misses the no-reply senders", wrong_26_partial))),
}
