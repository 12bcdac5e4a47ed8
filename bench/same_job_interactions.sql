-- The sqlite3 shell doing crm's whole `import interactions` job on bench/data/interactions.csv,
-- as a floor for crm: read the file, check every row (a date, a channel and a direction of
-- crm's vocabulary, a summary), name each contact by email, give each interaction a sorted
-- random uid, write the interactions, their links in key order and their full-text index
-- entries, in one transaction. bench/run.py fills in {csv} and the triggers set aside
-- meanwhile (full-text and undo logging), as crm sets them aside.
.bail on
PRAGMA foreign_keys = OFF;  -- checked once at the end, as crm does
.output /dev/null
PRAGMA busy_timeout = 60000;
.output stdout
.import --csv --schema temp {csv} staging
BEGIN IMMEDIATE;
CREATE TEMP TABLE emails AS
    SELECT lower(j.value) AS email, c.id AS contact_id FROM contacts c, json_each(c.emails) j;
CREATE INDEX temp.emails_by_email ON emails(email);
CREATE TEMP TABLE base AS SELECT coalesce(max(id), 0) AS last FROM interactions;
CREATE TEMP TABLE fresh AS
    SELECT row_number() OVER () AS rn, s.*, e.contact_id FROM staging s
    JOIN emails e ON e.email = lower(s.contact)
    WHERE s.happened_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
      AND s.channel IN ('call', 'email', 'meeting', 'message', 'video', 'social', 'letter', 'other')
      AND s.direction IN ('in', 'out') AND trim(s.summary) <> '';
CREATE TEMP TABLE uids AS
    SELECT row_number() OVER (ORDER BY u) AS rn, u FROM (
        SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
               || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-'
               || hex(randomblob(6))) AS u
        FROM fresh);
{drop_triggers}
INSERT INTO interactions (id, uid, happened_at, channel, direction, summary, amount, created, kind)
    SELECT (SELECT last FROM base) + f.rn, u.u, f.happened_at, f.channel, f.direction,
           trim(f.summary), nullif(f.amount, '') + 0.0, strftime('%Y-%m-%dT%H:%M:%S', 'now'), 'touch'
    FROM fresh f JOIN uids u USING (rn) ORDER BY f.rn;
INSERT INTO interaction_contacts (contact_id, happened_at, interaction_id)
    SELECT contact_id, happened_at, (SELECT last FROM base) + rn FROM fresh
    ORDER BY contact_id, happened_at, rn;
INSERT INTO interactions_fts (rowid, summary, outcome)
    SELECT id, summary, outcome FROM interactions WHERE id > (SELECT last FROM base);
{create_triggers}
SELECT count(*) AS broken_links FROM interaction_contacts l WHERE l.interaction_id > (SELECT last FROM base)
    AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = l.contact_id);
COMMIT;
