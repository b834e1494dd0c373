"""GoMail seed data: the mailbox every task starts from (a fresh dict per call, no clock, no randomness).

The ids and groups below are what agisdk's official v2 scripts hard-code:
  starred        2 6 10 14 16 21 26 28 31 37 47 49 53      (gomail-5)
  no-reply       3 14 34 40 50                              (gomail-26)
  notifications  3 4 5 6 17 36 38 56, Uber 48               (gomail-2)
  received today 46 47 48                                   (gomail-17)
  older than two months 52..56                              (gomail-11)
  John Doe's only email 1                                   (gomail-1..24)
plus 4 Amazon emails (gomail-1), 12 with "Support" in the subject (gomail-23), 3 "alerts" emails (gomail-21),
and 56 inbox conversations, so a page of 50 is "the visible emails" (gomail-14, gomail-20).
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

ME = {"name": "Casey Walker", "email": "casey.walker@example.com"}
TZ = ZoneInfo("America/Los_Angeles")
NOW_LOCAL = "2024-07-18T10:30:00"  # Thursday; the site's "today"

STARRED_IDS = frozenset({"2", "6", "10", "14", "16", "21", "26", "28", "31", "37", "47", "49", "53"})
NO_REPLY_IDS = frozenset({"3", "14", "34", "40", "50"})
NOTIFICATION_IDS = frozenset({"3", "4", "5", "6", "17", "36", "38", "56"})
UBER_IDS = frozenset({"48"})
TODAY_IDS = frozenset({"46", "47", "48"})
OLD_IDS = frozenset({"52", "53", "54", "55", "56"})
AMAZON_IDS = frozenset({"9", "22", "33", "44"})
ALERT_IDS = frozenset({"12", "29", "42"})
SUPPORT_IDS = frozenset({"7", "11", "15", "18", "20", "24", "27", "30", "35", "39", "43", "45"})
UNREAD_IDS = frozenset(
    {"1", "3", "4", "7", "9", "12", "13", "15", "17", "18", "22", "23", "25", "29", "32", "36", "38", "41",
     "42", "46", "47", "48", "49", "51", "55"}
)

CONTACTS = [
    ("Alexa Richardson", "alexa.richardson@example.com"),
    ("Alexander Reed", "alexander.reed@example.com"),
    ("Angela White", "angela.white@example.com"),
    ("Angela Wu", "angela.wu@example.com"),
    ("Ashley Campbell", "ashley.campbell@example.com"),
    ("Ashley Carter", "ashley.carter@example.com"),
    ("Barbara Thomas", "barbara.thomas@example.com"),
    ("Brian King", "brian.king@example.com"),
    ("Brian Kim", "brian.kim@example.com"),
    ("Carol Adams", "carol.adams@example.com"),
    ("Charles Davis", "charles.davis@example.com"),
    ("Danielle Brown", "danielle.brown@example.com"),
    ("David Lee", "david.lee@example.com"),
    ("Emily Chen", "emily.chen@example.com"),
    ("Jane Smith", "jane.smith@example.com"),
    ("Jennifer Martinez", "jennifer.martinez@example.com"),
    ("John Doe", "john.doe@example.com"),
    ("John Smith", "john.smith@example.com"),
    ("Kevin Moore", "kevin.moore@example.com"),
    ("Kevin Martin", "kevin.martin@example.com"),
    ("Lisa Anderson", "lisa.anderson@example.com"),
    ("Mark Harris", "mark.harris@example.com"),
    ("Michael Brown", "michael.brown@example.com"),
    ("Nancy Lopez", "nancy.lopez@example.com"),
    ("Patricia Garcia", "patricia.garcia@example.com"),
    ("Robert Taylor", "robert.taylor@example.com"),
    ("Sarah Wilson", "sarah.wilson@example.com"),
    ("Thomas Wright", "thomas.wright@example.com"),
]

# id, sender name, sender address, subject, body, local date-time (America/Los_Angeles)
_INBOX = [
    ("1", "John Doe", "john.doe@example.com", "Catching up next week?",
     "Hi Casey,\n\nIt has been a while! Are you free for coffee sometime next week? Tuesday or Wednesday "
     "afternoon works best for me.\n\nCheers,\nJohn", "2024-07-16 16:05"),
    ("2", "Emily Chen", "emily.chen@example.com", "Design review slides",
     "Hi Casey,\n\nAttached are the slides for Friday's design review. Please add your section on the "
     "onboarding flow by Thursday evening.\n\nThanks,\nEmily", "2024-07-17 15:42"),
    ("3", "Google", "no-reply@accounts.google.com", "Security notification: new sign-in on Mac",
     "We noticed a new sign-in to your account on a Mac device. If this was you, you don't need to do "
     "anything. If not, we'll help you secure your account.", "2024-07-17 13:10"),
    ("4", "GitHub", "notifications@github.com", "[halo/agent] New issue opened: #482 flaky login test",
     "A new issue was opened in halo/agent: 'Flaky login test on CI'. View it on GitHub to comment or "
     "subscribe.", "2024-07-16 11:24"),
    ("5", "LinkedIn", "notifications@linkedin.com", "You appeared in 12 searches this week",
     "See who's looking at your profile and what they searched for. Keep your profile up to date to "
     "stand out.", "2024-07-15 08:00"),
    ("6", "Slack", "notification@slack.com", "New notifications in #product-launch",
     "You have 4 unread mentions in #product-launch. Priya: 'Can we lock the launch date today?'",
     "2024-07-17 09:18"),
    ("7", "Acme Help Desk", "helpdesk@acme-tools.com", "Support ticket #4821 updated",
     "Your support ticket #4821 (Export to CSV fails) has a new reply from our team. Reply to this email "
     "to add a comment.", "2024-07-17 17:30"),
    ("8", "Alexa Richardson", "alexa.richardson@example.com", "Audit files coming this week",
     "Hi Casey,\n\nThe auditors said the remaining files should arrive by the end of the week. I will "
     "forward them as soon as I have them.\n\nBest,\nAlexa", "2024-07-12 10:02"),
    ("9", "Amazon.com", "shipment-tracking@amazon.com", "Your Amazon order has shipped",
     "Your package with 'Anker USB-C Charger (2-pack)' has shipped and will arrive Saturday, July 20.",
     "2024-07-17 07:55"),
    ("10", "Michael Brown", "michael.brown@example.com", "Quarterly budget review",
     "Casey, the Q3 budget review is set for next Tuesday. Could you bring the updated headcount "
     "numbers?\n\nMichael", "2024-07-11 14:20"),
    ("11", "IT Service Desk", "it-desk@example.com", "IT Support: Password expiry reminder",
     "Your network password expires in 5 days. Change it from the self-service portal to avoid being "
     "locked out.", "2024-07-10 09:00"),
    ("12", "Chase", "alerts@chase.com", "Your account balance is below $500",
     "Your checking account ending in 4821 has a balance of $482.19 as of July 16. Log in to view "
     "details.", "2024-07-16 06:40"),
    ("13", "Jane Smith", "jane.smith@example.com", "Client onboarding checklist",
     "Hi Casey,\n\nI drafted the onboarding checklist for the Northwind account. Could you reply with any "
     "changes before Monday?\n\nThanks!\nJane", "2024-07-16 13:47"),
    ("14", "Zoom", "noreply@zoom.us", "Cloud recording is now available",
     "The cloud recording of 'Weekly product sync' is now available. Share it with participants or "
     "download it.", "2024-07-15 17:12"),
    ("15", "Customer Care", "care@brightbank.com", "Customer Support: your request has been received",
     "Thanks for contacting us. Your request #77102 was received and an agent will reply within 2 "
     "business days.", "2024-07-09 12:30"),
    ("16", "Sarah Wilson", "sarah.wilson@example.com", "Offsite agenda draft",
     "Hi all,\n\nHere is the first draft of the August offsite agenda. Comments welcome.\n\nSarah",
     "2024-07-08 15:05"),
    ("17", "Google Calendar", "calendar-notification@google.com", "Notification: Team sync @ Fri Jul 19 10am",
     "This is a reminder for 'Team sync' on Friday, July 19, 2024 10:00 - 10:30 (PDT).",
     "2024-07-17 10:00"),
    ("18", "Acme Help Desk", "helpdesk@acme-tools.com", "Support case 00123 escalated",
     "Your support case 00123 was escalated to our tier 2 engineers. We'll update you within 24 hours.",
     "2024-07-05 11:11"),
    ("19", "John Smith", "john.smith@example.com", "Invoice for June",
     "Hello,\n\nPlease find the June invoice attached. Payment is due on July 30.\n\nRegards,\nJohn Smith",
     "2024-07-03 09:45"),
    ("20", "Network Team", "network@example.com", "Re: Support request for VPN access",
     "Your VPN access request was approved. Install the client from the portal and sign in with your "
     "usual credentials.", "2024-07-02 16:20"),
    ("21", "David Lee", "david.lee@example.com", "Contract renewal terms",
     "Casey, attached are the renewal terms from the vendor. Legal has signed off; we need your approval "
     "by Friday.\n\nDavid", "2024-07-01 10:10"),
    ("22", "Amazon.com", "order-update@amazon.com", "Delivered: your Amazon.com order #112-4471",
     "Your package was delivered. It was handed directly to a resident.", "2024-06-29 18:02"),
    ("23", "Kevin Moore", "kevin.moore@example.com", "Kickoff scheduling",
     "Hi Casey,\n\nWhen would be a good time for the project kickoff? I'm flexible next week.\n\nKevin",
     "2024-06-28 13:33"),
    ("24", "Support Team", "support-digest@example.com", "Support weekly digest",
     "This week: 42 tickets opened, 39 closed, median first reply 2h 10m.", "2024-06-27 08:00"),
    ("25", "Barbara Thomas", "barbara.thomas@example.com", "Timeline questions",
     "Hi Casey,\n\nA few questions about the Q4 timeline came up in our team meeting. Do you have a few "
     "minutes tomorrow?\n\nBarbara", "2024-06-26 15:50"),
    ("26", "Lisa Anderson", "lisa.anderson@example.com", "Photos from the team retreat",
     "Here's the shared album from the retreat! Feel free to add yours.\n\nLisa", "2024-06-25 19:21"),
    ("27", "Product Team", "product@example.com", "Product Support: feature request logged",
     "Your feature request 'Bulk export of reports' was logged as FR-2291.", "2024-06-24 10:45"),
    ("28", "Robert Taylor", "robert.taylor@example.com", "Lease agreement",
     "Casey, the signed lease agreement for the new office is attached. Keys will be ready August 1.",
     "2024-06-21 12:00"),
    ("29", "Google Alerts", "alerts@google.com", "Google Alert - AI browser agents",
     "New results for 'AI browser agents': 3 news articles and 2 blog posts from this week.",
     "2024-06-20 05:30"),
    ("30", "Facilities", "facilities@example.com", "Support: scheduled maintenance this weekend",
     "The building's network and power systems will be serviced Saturday 8am-2pm.", "2024-06-19 14:14"),
    ("31", "Jennifer Martinez", "jennifer.martinez@example.com", "Reference letter",
     "Hi Casey, thanks again for agreeing to write a reference letter. The deadline is July 31.\n\nJen",
     "2024-06-18 09:37"),
    ("32", "Charles Davis", "charles.davis@example.com", "Sales pipeline update",
     "Hi Casey,\n\nThe pipeline for Q3 looks steady. I'll have more once the regional numbers are in.\n\n"
     "Charles", "2024-06-17 16:44"),
    ("33", "Amazon Prime", "prime@amazon.com", "Your Amazon Prime membership renews soon",
     "Your Prime membership will renew on July 28 for $139.00.", "2024-06-14 07:00"),
    ("34", "Medium Daily Digest", "noreply@medium.com", "5 stories picked for you",
     "Today's highlights: 'Designing for agents', 'The quiet power of checklists' and more.",
     "2024-06-13 06:15"),
    ("35", "Support Operations", "support-ops@example.com", "Support team shift schedule for July",
     "The July shift schedule for the support team is posted. Swap requests are due by June 20.",
     "2024-06-12 11:30"),
    ("36", "Dropbox", "notifications@dropbox.com", "Emily shared a folder with you",
     "Emily Chen shared the folder 'Design assets' with you.", "2024-06-11 13:05"),
    ("37", "Angela White", "angela.white@example.com", "Handover document",
     "Hi Casey,\n\nI've started the handover document for my projects. I'll keep it updated.\n\nAngela",
     "2024-06-10 17:25"),
    ("38", "Trello", "notifications@trello.com", "Card due soon: Finalize vendor list",
     "The card 'Finalize vendor list' on board 'Offsite 2024' is due tomorrow.", "2024-06-07 08:30"),
    ("39", "Support Analytics", "analytics@example.com", "Support SLA report - May",
     "SLA compliance for May was 96.4%. Full breakdown inside.", "2024-06-05 10:00"),
    ("40", "Spotify", "no-reply@spotify.com", "Your Release Radar is ready",
     "New music from artists you follow is waiting for you.", "2024-06-04 06:00"),
    ("41", "Carol Adams", "carol.adams@example.com", "Planning meeting tomorrow",
     "Hi Casey,\n\nJust confirming the planning meeting tomorrow. Is the time still the same?\n\nCarol",
     "2024-06-03 15:15"),
    ("42", "Citi", "alerts@citi.com", "Transaction over $1,000 on your card",
     "A purchase of $1,250.00 at ELECTRONICS HUB was made on your card ending 9910.", "2024-05-31 20:40"),
    ("43", "Account Management", "accounts@example.com", "Re: Support handoff for the Acme account",
     "Confirming the support handoff for Acme is complete. Tickets now route to your queue.",
     "2024-05-30 12:25"),
    ("44", "Amazon Pay", "payments-messages@amazon.com", "Your payment receipt from Amazon Pay",
     "You paid $24.99 to Bloom Florist with Amazon Pay.", "2024-05-28 16:00"),
    ("45", "Partner Program", "partners@example.com", "Partner Support portal access",
     "Your access to the Partner Support portal is ready. Sign in with your work account.",
     "2024-05-24 09:10"),
    ("46", "Danielle Brown", "danielle.brown@example.com", "System update rollout plan",
     "Hi Casey,\n\nCan you let me know once the new system update goes out? I'd like to tell the "
     "regional teams.\n\nThanks,\nDanielle", "2024-07-18 07:12"),
    ("47", "Ashley Campbell", "ashley.campbell@example.com", "Team dinner on Friday",
     "Hey Casey!\n\nThe team dinner is on Friday at 7pm at Luigi's. Let me know if you can make it.\n\n"
     "Ashley", "2024-07-18 08:45"),
    ("48", "Uber Receipts", "receipts@uber.com", "Your Thursday morning trip with Uber",
     "Thanks for riding, Casey. Total: $18.42. Trip from Market St to 4th St.", "2024-07-18 06:30"),
    ("49", "Brian King", "brian.king@example.com", "Yesterday's meeting",
     "Hi Casey,\n\nThanks for joining yesterday. I'm still cleaning up my notes from the meeting.\n\nBrian",
     "2024-07-17 18:10"),
    ("50", "Eventbrite", "noreply@eventbrite.com", "Your tickets for Tech Summit 2024",
     "Your order #88219 is confirmed. Show the QR code at the entrance.", "2024-05-22 14:00"),
    ("51", "HR Team", "hr@example.com", "Work permit renewal paperwork",
     "Hi Casey,\n\nYour work permit renewal needs a signature from your manager, Alexa Richardson. Please "
     "send her the form.\n\nHR", "2024-07-15 11:40"),
    ("52", "Patricia Garcia", "patricia.garcia@example.com", "Spring conference recap",
     "Hi Casey,\n\nHere's my recap of the spring conference and the contacts we made.\n\nPatricia",
     "2024-04-02 10:30"),
    ("53", "Thomas Wright", "thomas.wright@example.com", "Tax documents 2023",
     "Casey, I've uploaded the 2023 tax documents to the shared folder.\n\nThomas", "2024-03-14 09:00"),
    ("54", "Nancy Lopez", "nancy.lopez@example.com", "Volunteer sign-up",
     "Thanks for signing up to volunteer at the food bank on May 11!", "2024-05-03 18:20"),
    ("55", "Mark Harris", "mark.harris@example.com", "Book club: April pick",
     "This month we're reading 'The Overstory'. Meeting on the 28th at my place.", "2024-04-19 20:00"),
    ("56", "Facebook", "notification@facebookmail.com", "You have 3 new notifications",
     "See what your friends have been up to.", "2024-03-02 12:00"),
]

_SENT = [
    ("57", "emily.chen@example.com", "Re: Design review slides", "Thanks Emily, I'll add my section tonight.",
     "2024-07-17 16:02"),
    ("58", "michael.brown@example.com", "Headcount numbers",
     "Hi Michael, the updated headcount numbers are in the shared sheet.", "2024-07-12 09:15"),
]


def to_utc(local: str) -> str:
    dt = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _email(eid, name, addr, to, subject, content, when, *, sent=False) -> dict:
    return {
        "id": eid,
        "from": addr,
        "fromName": name,
        "to": list(to),
        "cc": [],
        "bcc": [],
        "subject": subject,
        "content": content,
        "date": to_utc(when),
        "isRead": sent or eid not in UNREAD_IDS,
        "starred": eid in STARRED_IDS,
        "important": False,
        "labels": [],
        "trash": False,
        "archived": False,
        "spam": False,
        "snoozed": False,
        "sent": sent,
        "draft": False,
        "isReply": False,
    }


def initial_state(task_name: str | None = None) -> dict:
    """The mailbox at SPEC.now; every task starts from the same data."""
    emails = {}
    for eid, name, addr, subject, body, when in _INBOX:
        emails[eid] = _email(eid, name, addr, [ME["email"]], subject, body, when)
    for eid, to, subject, body, when in _SENT:
        emails[eid] = _email(eid, ME["name"], ME["email"], [to], subject, body, when, sent=True)
    return {
        "email": {
            "emails": emails,
            "contacts": [{"name": n, "email": e} for n, e in CONTACTS],
            "user": dict(ME),
        },
        "settings": {
            "customLabels": [
                {"id": "l1", "label": "Work", "color": "#8ab4f8"},
                {"id": "l2", "label": "Personal", "color": "#81c995"},
                {"id": "l3", "label": "Receipts", "color": "#fdd663"},
            ]
        },
        "ui": {"snackbar": {"message": "", "open": False}, "searchInputValue": ""},
        "filter": {"searchData": {"hasWords": ""}, "searchResults": []},
    }
