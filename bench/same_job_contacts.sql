-- The sqlite3 shell doing crm's whole `import contacts` job on bench/data/contacts.csv, as a
-- floor for crm: read the file, check every row (a name, an email's shape, a positive cadence,
-- a date), match it against the emails already here, give each new contact a sorted random
-- uid, write contacts as crm stores them (JSON lists), their birthdays, and their full-text
-- index entries, in one transaction. bench/run.py fills in {csv} and the triggers set aside
-- meanwhile (full-text and undo logging), as crm sets them aside.
.bail on
PRAGMA foreign_keys = OFF;  -- checked once at the end, as crm does
.output /dev/null
PRAGMA busy_timeout = 60000;
.output stdout
.import --csv --schema temp {csv} staging
BEGIN IMMEDIATE;
CREATE TEMP TABLE known AS
    SELECT lower(j.value) AS email FROM contacts c, json_each(c.emails) j;
CREATE INDEX temp.known_by_email ON known(email);
CREATE TEMP TABLE base AS SELECT coalesce(max(id), 0) AS last FROM contacts;
CREATE TEMP TABLE fresh AS
    SELECT row_number() OVER () AS rn, s.* FROM staging s
    WHERE trim(s.name) <> ''
      AND (s.emails = '' OR s.emails GLOB '?*@?*.?*')
      AND (s.cadence_days = '' OR CAST(s.cadence_days AS INTEGER) > 0)
      AND (s.birthday = '' OR s.birthday GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
           OR s.birthday GLOB '--[0-9][0-9]-[0-9][0-9]')
      AND NOT EXISTS (SELECT 1 FROM known k WHERE k.email = lower(s.emails));
CREATE TEMP TABLE uids AS
    SELECT row_number() OVER (ORDER BY u) AS rn, u FROM (
        SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
               || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-'
               || hex(randomblob(6))) AS u
        FROM fresh);
{drop_triggers}
INSERT INTO contacts (id, uid, name, emails, phones, company, tags, cadence_days, created, updated)
    SELECT (SELECT last FROM base) + f.rn, u.u, trim(f.name),
           CASE WHEN f.emails = '' THEN '[]' ELSE json_array(lower(f.emails)) END,
           CASE WHEN f.phones = '' THEN '[]' ELSE json_array(f.phones) END,
           nullif(f.company, ''),
           CASE WHEN f.tags = '' THEN '[]' ELSE '["' || replace(f.tags, ';', '", "') || '"]' END,
           nullif(f.cadence_days, '') + 0, f.created, f.created
    FROM fresh f JOIN uids u USING (rn) ORDER BY f.rn;
INSERT INTO special_dates (uid, contact_id, label, month, day, year, created)
    SELECT lower(hex(randomblob(16))), (SELECT last FROM base) + f.rn, 'birthday',
           CAST(substr(f.birthday, -5, 2) AS INTEGER), CAST(substr(f.birthday, -2) AS INTEGER),
           CASE WHEN f.birthday LIKE '--%' THEN NULL ELSE CAST(substr(f.birthday, 1, 4) AS INTEGER) END,
           f.created
    FROM fresh f WHERE f.birthday <> '';
INSERT INTO contacts_fts (rowid, name, company, title, notes, tags, nickname, department, addresses, urls)
    SELECT id, name, company, title, notes, tags, nickname, department, addresses, urls
    FROM contacts WHERE id > (SELECT last FROM base);
{create_triggers}
SELECT count(*) AS broken_links FROM special_dates s WHERE s.contact_id > (SELECT last FROM base)
    AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = s.contact_id);
COMMIT;
