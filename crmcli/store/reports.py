"""The reports' queries: overdue, meetings of a day, feedback, value, contact load, activity.
SQL gathers and aggregates; crmcli.reports and crmcli.insights decide what the rows mean."""

from __future__ import annotations

import datetime as dt

from ..model import Row
from ..rules import AMOUNT_SHARE
from ..when import stamp
from .contacts import LAST_INTERACTION
from .database import Room


def _last_answer(contact: str) -> str:
    """When I last answered a contact: anything outbound, or a call or a meeting."""
    # (an answer logged with a day alone, `--when 2026-03-01`, answers that whole day's mail)
    return f"""(SELECT max(CASE WHEN length(a.happened_at) = 10 THEN a.happened_at || 'T23:59:59'
                    ELSE a.happened_at END) FROM interaction_contacts a
        JOIN interactions o ON o.id = a.interaction_id
        WHERE a.contact_id = {contact} AND (o.direction = 'out' OR o.channel IN ('call', 'meeting')))"""


# The last touch that counts for a cadence: the newest interaction, leaving out messages still
# waiting for my reply (an unanswered "can you review the contract?" is no contact kept).
LAST_TOUCH = f"""(SELECT max(l.happened_at) FROM interaction_contacts l
    JOIN interactions i ON i.id = l.interaction_id
    WHERE l.contact_id = c.id
      AND (i.awaits_reply = 0 OR l.happened_at <= coalesce({_last_answer("c.id")}, '')))"""
# Per contact, the first message still waiting for my reply (since my last answer), and how many.
# (CROSS JOIN keeps SQLite reading the few waiting messages first, by their partial index,
# instead of every link of a million interactions)
WAITING = f"""SELECT l.contact_id, min(l.happened_at) AS since, count(*) AS messages
    FROM interactions i CROSS JOIN interaction_contacts l ON l.interaction_id = i.id
    WHERE i.awaits_reply = 1 AND l.happened_at > coalesce({_last_answer("l.contact_id")}, '')
    GROUP BY l.contact_id"""


def tag_days(contacts: str, by_tag: str) -> str:
    """The tightest of a contact's tags' own days (`crm config set cadence.client 30d`),
    given as a JSON object tag → days; NULL when none of its tags has one."""
    return (f"(SELECT min(j.value) FROM json_each({contacts}.tags) g "
            f"JOIN json_each({by_tag}) j ON j.key = lower(g.value))")  # fmt: skip


# How long a contact's messages may wait: its own, else its tags', else the setting.
REPLY_DAYS = f"coalesce(c.reply_within, {tag_days('c', ':tag_replies')}, :reply_days)"

# Cadence: due on the day `cadence_days` after the last interaction (or, never contacted, the
# day the contact was added); listed once that day has passed, i.e. when the last touch is
# more than `cadence_days` before today. Follow-ups are listed from their due day (0 days).
# Who has a message waiting for a reply (few): only their last touch is looked for past their
# messages; everyone else's is their last interaction, found by its index.
WAITING_PEOPLE = """waiting_people AS (
    SELECT DISTINCT l.contact_id FROM interactions i
    CROSS JOIN interaction_contacts l ON l.interaction_id = i.id WHERE i.awaits_reply = 1
)"""
QUICK_LAST_TOUCH = f"""CASE WHEN c.id IN (SELECT contact_id FROM waiting_people)
                THEN substr({LAST_TOUCH}, 1, 10)
                ELSE substr({LAST_INTERACTION}, 1, 10) END"""

OVERDUE_SQL = f"""
WITH {WAITING_PEOPLE}, touched AS (
    SELECT c.*, substr({LAST_INTERACTION}, 1, 10) AS last_interaction,
           {QUICK_LAST_TOUCH} AS last_touch,
           coalesce(c.cadence_days,
                    CASE WHEN :tag_cadences <> '{{}}'
                         THEN {tag_days("c", ":tag_cadences")} END) AS every,
           c.at_most
    FROM contacts c
    WHERE c.id IN (SELECT id FROM contacts WHERE cadence_days IS NOT NULL AND archived = 0
                   UNION SELECT id FROM contacts WHERE :tag_cadences <> '{{}}' AND archived = 0
                         AND {tag_days("contacts", ":tag_cadences")} IS NOT NULL
                   UNION SELECT contact_id FROM followups
                         WHERE done_at IS NULL AND due < date(:today, '+1 day'))
      AND c.archived = 0
), rows AS (
    SELECT 'followup' AS kind, f.id AS followup_id, t.id AS contact_id, t.name AS contact,
           f.due, coalesce(f.note, 'follow-up') AS reason, t.last_interaction,
           t.channel, t.emails, t.phones
    FROM followups f JOIN touched t ON t.id = f.contact_id
    WHERE f.done_at IS NULL AND f.due < date(:today, '+1 day')
    UNION ALL
    SELECT 'cadence', NULL, t.id, t.name,
           date(coalesce(t.last_touch, substr(t.created, 1, 10)),
                '+' || max(t.every, coalesce(t.at_most, 0)) || ' days') AS due,
           CASE t.every WHEN 1 THEN 'every day' ELSE 'every ' || t.every || ' days' END ||
               CASE WHEN t.at_most > t.every THEN ', at most ' || t.at_most ELSE '' END || '; ' ||
               CASE WHEN t.last_touch IS NULL AND t.last_interaction IS NULL
                    THEN 'never contacted since added ' || substr(t.created, 1, 10)
                    WHEN t.last_touch IS NULL
                    THEN 'no contact kept since added ' || substr(t.created, 1, 10) || ' (their message waits for your reply)'
                    ELSE 'last contact ' || (
                        SELECT n || CASE n WHEN 1 THEN ' day ago' ELSE ' days ago' END
                        FROM (SELECT CAST(julianday(:today) - julianday(t.last_touch)
                                          AS INTEGER) AS n)) END ||
               CASE WHEN t.last_touch < t.last_interaction
                    THEN ' (a message since waits for your reply)' ELSE '' END,
           t.last_interaction, t.channel, t.emails, t.phones
    FROM touched t
    WHERE t.every > 0 AND t.do_not_contact = 0  -- a tag's 0 days: `off`
    UNION ALL
    SELECT 'reply', NULL, c.id, c.name,
           date(w.since, '+' || {REPLY_DAYS} || ' days') AS due,
           -- the subject first, so a narrow table still shows what waits
           (SELECT i.summary FROM interaction_contacts l JOIN interactions i
            ON i.id = l.interaction_id WHERE l.contact_id = c.id AND i.awaits_reply = 1
            AND l.happened_at = w.since ORDER BY i.id LIMIT 1) || ' (waiting ' || (
               SELECT n || CASE n WHEN 1 THEN ' day' ELSE ' days' END
               FROM (SELECT CAST(julianday(:today) - julianday(substr(w.since, 1, 10))
                             AS INTEGER) AS n)) ||
               CASE WHEN w.messages > 1 THEN ', and ' || (w.messages - 1) || ' more'
                    ELSE '' END || ')',
           substr({LAST_INTERACTION}, 1, 10), c.channel, c.emails, c.phones
    FROM ({WAITING}) w JOIN contacts c ON c.id = w.contact_id
    WHERE c.archived = 0 AND c.do_not_contact = 0 AND {REPLY_DAYS} > 0  -- 0: `off`
)
SELECT kind, followup_id, contact_id, contact, due,
       CAST(julianday(:today) - julianday(substr(due, 1, 10)) AS INTEGER) AS days_overdue,
       reason, last_interaction, channel,
       json_extract(emails, '$[0]') AS email, json_extract(phones, '$[0]') AS phone
FROM rows
WHERE kind = 'followup' OR due < :today OR (kind = 'reply' AND due <= :today)
ORDER BY days_overdue DESC, contact, kind
"""

# Everyone crm may prompt you to reach who keeps a cadence (their own or their tags'), with
# how long since the last touch that counts, and the sentiment of their last interaction.
KEEPING_IN_TOUCH_SQL = f"""
WITH {WAITING_PEOPLE}
SELECT c.id AS contact_id, c.name AS contact, c.channel,
       coalesce(c.cadence_days, {tag_days("c", ":tag_cadences")}) AS every, c.at_most,
       coalesce({QUICK_LAST_TOUCH}, substr(c.created, 1, 10)) AS since,
       (SELECT i.sentiment FROM interaction_contacts l JOIN interactions i
        ON i.id = l.interaction_id WHERE l.contact_id = c.id
        ORDER BY l.happened_at DESC LIMIT 1) AS last_sentiment,
       json_extract(c.emails, '$[0]') AS email, json_extract(c.phones, '$[0]') AS phone
FROM contacts c
WHERE c.archived = 0 AND c.do_not_contact = 0
  AND coalesce(c.cadence_days, {tag_days("c", ":tag_cadences")}) > 0
"""

MEETINGS_SQL = """
SELECT m.starts_at, m.ends_at, m.summary AS meeting, m.location, c.id AS contact_id,
       c.name AS contact, c.tz, i.happened_at AS last_interaction, i.channel AS last_channel,
       i.summary AS last_summary
FROM meetings m
JOIN json_each(m.contact_ids) j
JOIN contacts c ON c.id = j.value AND c.archived = 0
LEFT JOIN interactions i ON i.id = (
    SELECT l.interaction_id FROM interaction_contacts l WHERE l.contact_id = c.id
    ORDER BY l.happened_at DESC, l.interaction_id DESC LIMIT 1)
WHERE m.starts_at < :end AND coalesce(m.ends_at, m.starts_at) > :start
ORDER BY m.starts_at, m.id, j.key"""

FEEDBACK_SQL = """
SELECT i.id, l.contact_id, c.name AS contact, i.happened_at, i.score, i.scale,
       i.summary AS comment,
       EXISTS (SELECT 1 FROM interaction_contacts later
               JOIN interactions t ON t.id = later.interaction_id
               WHERE later.contact_id = l.contact_id AND t.kind = 'touch'
                 AND later.happened_at > l.happened_at) AS contacted_since
FROM interactions i JOIN interaction_contacts l ON l.interaction_id = i.id
JOIN contacts c ON c.id = l.contact_id
WHERE i.kind = 'feedback' AND c.archived = 0
ORDER BY i.happened_at, i.id"""

# Revenue is each contact's share of the amounts (rules.amount_share: one amount, counted once).
VALUE_SQL = f"""
SELECT c.id AS contact_id, c.name AS contact,
       coalesce(sum({AMOUNT_SHARE}), 0.0) AS revenue,
       coalesce(c.acquisition_cost, 0.0) AS cost,
       min(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS first_sale,
       max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale,
       count(i.amount) AS sales
FROM contacts c
LEFT JOIN interaction_contacts l ON l.contact_id = c.id
LEFT JOIN interactions i ON i.id = l.interaction_id AND i.amount IS NOT NULL
WHERE c.archived = 0
GROUP BY c.id
HAVING revenue > 0 OR cost > 0"""

CONTACT_SUMMARY_SQL = f"""
SELECT coalesce(sum({AMOUNT_SHARE}), 0.0) AS revenue,
       max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale,
       avg(CASE WHEN i.kind = 'feedback' AND i.scale = 5 THEN i.score END) AS average_score,
       (SELECT i2.score || '/' || i2.scale FROM interactions i2
        JOIN interaction_contacts l2 ON l2.interaction_id = i2.id
        WHERE l2.contact_id = :id AND i2.kind = 'feedback'
        ORDER BY i2.happened_at DESC LIMIT 1) AS last_feedback
FROM interaction_contacts l JOIN interactions i ON i.id = l.interaction_id
WHERE l.contact_id = :id"""

LOAD_SQL = """
SELECT c.id AS contact_id, c.name AS contact, count(*) AS outbound,
       min(substr(l.happened_at, 1, 10)) AS first, max(substr(l.happened_at, 1, 10)) AS last,
       c.channel
FROM interaction_contacts l JOIN interactions i ON i.id = l.interaction_id
JOIN contacts c ON c.id = l.contact_id
WHERE i.direction = 'out' AND i.kind = 'touch' AND c.archived = 0
  AND l.happened_at >= :start AND l.happened_at < date(:end, '+1 day')
GROUP BY c.id HAVING count(*) > :limit ORDER BY outbound DESC, contact"""


class Reports(Room):
    def overdue(
        self,
        today: dt.date,
        reply_days: int | None = None,
        tag_cadences: dict[str, int] | None = None,
        tag_replies: dict[str, int] | None = None,
    ) -> list[Row]:
        """Open follow-ups due today or before, contacts past their cadence (their own, else
        their tags'), and messages waiting for my reply longer than their contact's
        `reply_within` (else their tags', else `reply_days`)."""
        import json

        return self.db.all(OVERDUE_SQL, {
            "today": stamp(today), "reply_days": reply_days,
            "tag_cadences": json.dumps(tag_cadences or {}),
            "tag_replies": json.dumps(tag_replies or {}),
        })  # fmt: skip

    def keeping_in_touch(self, tag_cadences: dict[str, int] | None = None) -> list[Row]:
        """Reachable contacts with a cadence, the day of their last touch that counts, and
        their last interaction's sentiment (for `crm suggest`)."""
        import json

        return self.db.all(KEEPING_IN_TOUCH_SQL, {"tag_cadences": json.dumps(tag_cadences or {})})

    def meetings_between(self, start: dt.date, end: dt.date) -> list[Row]:
        """Meetings under way in a window (a day: those starting in it, and those of several
        days running through it), one row per person, each with their last interaction (the
        context wanted before the call). Days compare as text with times: end excluded."""
        return self.db.all(MEETINGS_SQL, {"start": stamp(start), "end": stamp(end)})

    def feedback(self) -> list[Row]:
        """Every score, with whether the contact has been touched since (any later interaction)."""
        return self.db.all(FEEDBACK_SQL)

    def value(self) -> list[Row]:
        """Revenue (interaction amounts), acquisition cost and sale dates per contact."""
        return self.db.all(VALUE_SQL)

    def contact_summary(self, contact_id: int) -> Row:
        """Value and satisfaction of one contact, for `crm contact show`."""
        return self.db.one(CONTACT_SUMMARY_SQL, {"id": contact_id}) or {}

    def outbound_load(self, start: dt.date, end: dt.date, limit: int) -> list[Row]:
        """Contacts with more than `limit` outbound interactions from `start` to `end`."""
        return self.db.all(LOAD_SQL, {"start": stamp(start), "end": stamp(end), "limit": limit})

    def activity_by_month(self, start: dt.date) -> list[Row]:
        return self.db.all(
            "SELECT substr(happened_at, 1, 7) AS month, count(*) AS interactions, "
            "sum(direction = 'out') AS outbound, sum(direction = 'in') AS inbound, "
            "coalesce(sum(amount), 0) AS revenue "
            "FROM interactions WHERE happened_at >= ? GROUP BY month ORDER BY month",
            (stamp(start),),
        )
