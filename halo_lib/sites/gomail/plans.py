"""GoMail's v2 tasks as element-action plans (see ``halo_lib.sites.plans``), on the oracles' UI routes."""

from __future__ import annotations

import re

from halo_lib.policies.scripted import Step, node

TOOLBAR = node("toolbar", "Email actions")
# A date/time <input>: HALO's tree calls it a textbox, Chromium's (BrowserGym's) Date / InputTime.
DATE_INPUT, TIME_INPUT = "(?:textbox|Date)", "(?:textbox|InputTime)"


def _toolbar(name: str) -> Step:
    return Step("click", node("button", name), within=TOOLBAR)


def _select_all(view: str) -> Step:
    """Tick "Select all" of the list ``view`` ("Inbox", "Search results"): waiting for that list also
    waits for a search or a folder to open."""
    return Step("click", node("checkbox", "Select all"), within=node("region", view))


def _search(query: str) -> list[Step]:
    box = node("searchbox", "Search mail")
    return [Step("fill", box, query), Step("press", box, "Enter")]


def _trash_search(query: str) -> list[Step]:
    return _search(query) + [_select_all("Search results"), _toolbar("Delete")]


def _tick(subject: str) -> Step:
    return Step("click", node("checkbox", f"Select conversation: {subject} from ", prefix=True))


def _open(subject: str) -> Step:
    return Step("click", r"\] row ['\"](?:unread, )?[^,]+, " + re.escape(subject) + ",")


def compose(to: str, email: str, subject: str, body: str) -> list[Step]:
    return [Step("click", node("button", "Compose")),
            Step("fill", node("combobox", "To recipients"), to),
            Step("click", r"\] option ['\"].*" + re.escape(email)),  # the suggestion with the address
            Step("fill", node("textbox", "Subject"), subject),
            Step("fill", node("textbox", "Message Body"), body),
            Step("click", node("button", "Send"), within=node("dialog", "New Message"))]


def send(to: str, email: str, subject: str, body: str, answer: str) -> list[Step]:
    return compose(to, email, subject, body) + [Step("send_msg_to_user", value=answer)]


def _done(answer: str) -> Step:
    return Step("send_msg_to_user", value=answer)


ALEXA = ("Alexa Richardson", "alexa.richardson@example.com")
CAROL = ("Carol Adams", "carol.adams@example.com")
DANIELLE = ("Danielle Brown", "danielle.brown@example.com")
OLDER_THAN_TWO_MONTHS = ("Spring conference recap", "Tax documents 2023", "Volunteer sign-up", "Book club: April pick",
                         "You have 3 new notifications")
TODAY = ("Team dinner on Friday", "System update rollout plan", "Your Thursday morning trip with Uber")

PLANS: dict[str, list[Step]] = {
    "gomail-1": [_select_all("Inbox"), _toolbar("Mark as read"), *_trash_search("amazon"),
                 _done("Marked your emails as read and deleted the Amazon emails.")],
    "gomail-2": [*_trash_search("notification"), *_trash_search("uber"),
                 _done("Deleted the Uber and notification emails.")],
    "gomail-4": send(*ALEXA, "Files", "Hi Alexa,\n\nPlease let me know when the files come in.\n\nThanks,\nCasey",
                     "Asked Alexa Richardson to let you know when the files come in."),
    "gomail-5": [Step("click", node("link", "Starred")), _select_all("Starred"), _toolbar("Delete"),
                 *compose(*ALEXA, "Work permit signature", "Hi Alexa,\n\nCould you please sign my work permit "
                          "renewal form? HR needs it this week.\n\nThanks,\nCasey"),
                 _done("Deleted the starred emails and asked Alexa to sign your work permit.")],
    "gomail-7": send("Ashley Campbell", "ashley.campbell@example.com", "Team dinner",
                     "Hi Ashley,\n\nAre you coming to the team dinner on Friday?\n\nCasey",
                     "Asked Ashley Campbell whether she is coming to the team dinner."),
    "gomail-8": send("Kevin Moore", "kevin.moore@example.com", "Project details",
                     "Hi Kevin,\n\nCould you send me the project details when you get a chance?\n\nThanks,\nCasey",
                     "Asked Kevin Moore for the project details."),
    "gomail-9": send("Barbara Thomas", "barbara.thomas@example.com", "Project plan",
                     "Hi Barbara,\n\nI'd like to go over the project plan with you this week.\n\nCasey",
                     "Wrote to Barbara Thomas about the project plan."),
    "gomail-11": [Step("click", node("button", "Older"), within=TOOLBAR), *map(_tick, OLDER_THAN_TWO_MONTHS),
                  _toolbar("Delete"), _done("Deleted the 5 emails older than two months.")],
    "gomail-12": send("Charles Davis", "charles.davis@example.com", "New clients",
                      "Hi Charles,\n\nHave you found any new clients lately?\n\nCasey",
                      "Asked Charles whether he has found any new clients."),
    "gomail-13": send(*CAROL, "Meeting time change",
                      "Hi Carol,\n\nThere has been a time change for the meeting: it is now at 8:30 AM.\n\nCasey",
                      "Told Carol the meeting is now at 8:30 AM."),
    "gomail-14": [_select_all("Inbox"), _toolbar("Delete"), _done("Deleted the 50 visible emails.")],
    "gomail-15": send(*DANIELLE, "System update launched",
                      "Hi Danielle,\n\nThe new system update has been launched. You can tell the regional teams."
                      "\n\nCasey", "Told Danielle that the new system update has been launched."),
    "gomail-16": [Step("click", node("button", "Create new label")),
                  Step("fill", node("textbox", "Please enter a new label name:"), "Support Emails"),
                  Step("click", node("button", "Create"), within=node("dialog", "New label")),
                  _done("Created the label Support Emails.")],
    "gomail-17": [*map(_tick, TODAY), _toolbar("Archive"), _done("Archived the 3 emails received today.")],
    "gomail-18": send("Brian King", "brian.king@example.com", "Meeting notes",
                      "Hi Brian,\n\nCould you send me the meeting notes?\n\nThanks,\nCasey",
                      "Asked Brian King to send you the meeting notes."),
    "gomail-19": send("Angela White", "angela.white@example.com", "FTA",
                      "Hi Angela,\n\nWhen do you go on FTA?\n\nCasey", "Asked Angela White when she goes on FTA."),
    "gomail-20": [_select_all("Inbox"), Step("click", node("button", "Select all 56 conversations in Inbox")),
                  _toolbar("Delete"), _done("Moved all 56 inbox emails to the trash.")],
    "gomail-21": [*_search("alerts"), _select_all("Search results"), _toolbar("Snooze"),
                  Step("click", node("menuitem", "Pick date & time")),
                  Step("fill", node(DATE_INPUT, "Date"), "2024-07-25"),
                  Step("fill", node(TIME_INPUT, "Time"), "08:00"),
                  Step("click", node("button", "Save"), within=node("dialog", "Pick date and time")),
                  _done("Snoozed the 3 alerts emails until July 25, 8:00 AM.")],
    "gomail-23": [_open("Client onboarding checklist"), Step("click", node("button", "Reply")),
                  Step("fill", node("textbox", "Reply message body"),
                       "Hi Jane,\n\nThe checklist looks good to me. No changes from my side.\n\nThanks,\nCasey"),
                  Step("click", node("button", "Send"), within=node("region", "Reply")),
                  _toolbar("Back to Inbox"), *_trash_search("subject:support"),
                  _done("Replied to Jane Smith and deleted the 12 emails with support in the subject.")],
    "gomail-24": [_open("Catching up next week?"), _toolbar("Delete"), _done("Deleted John Doe's email.")],
    "gomail-26": [*_trash_search("noreply"), *_trash_search("no-reply"), _done("Deleted the no-reply emails.")],
}
