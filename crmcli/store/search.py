"""Full-text search over people, interactions, follow-ups, complaints and dated notes (FTS5)."""

from __future__ import annotations

from ..errors import CrmError
from ..model import Row
from .database import Room

SEARCH_LIMIT = 50  # search results shown by default

SEARCH_SQL = """
SELECT * FROM (
  SELECT 'contact' AS kind, c.id AS contact_id, c.name AS contact,
         NULL AS interaction_id, NULL AS happened_at,
         snippet(contacts_fts, -1, '[', ']', '…', 12) AS snippet, c.id AS record_id,
         contacts_fts.rank AS rank
  FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid
  WHERE contacts_fts MATCH :query AND c.archived = 0
  UNION ALL
  SELECT 'interaction', c.id, c.name, i.id, i.happened_at,
         snippet(interactions_fts, -1, '[', ']', '…', 12), i.id, interactions_fts.rank
  FROM interactions_fts JOIN interactions i ON i.id = interactions_fts.rowid
  JOIN interaction_contacts l ON l.interaction_id = i.id
  JOIN contacts c ON c.id = l.contact_id
  WHERE interactions_fts MATCH :query AND c.archived = 0
  UNION ALL
  SELECT 'followup', c.id, c.name, NULL, f.due,
         snippet(followups_fts, -1, '[', ']', '…', 12), f.id, followups_fts.rank
  FROM followups_fts JOIN followups f ON f.id = followups_fts.rowid
  JOIN contacts c ON c.id = f.contact_id
  WHERE followups_fts MATCH :query AND c.archived = 0
  UNION ALL
  SELECT 'complaint', c.id, c.name, NULL, k.opened,
         snippet(complaints_fts, -1, '[', ']', '…', 12), k.id, complaints_fts.rank
  FROM complaints_fts JOIN complaints k ON k.id = complaints_fts.rowid
  JOIN contacts c ON c.id = k.contact_id
  WHERE complaints_fts MATCH :query AND c.archived = 0
  UNION ALL
  SELECT 'note', c.id, c.name, NULL, n.written_at,
         snippet(notes_fts, -1, '[', ']', '…', 12), n.id, notes_fts.rank
  FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid
  JOIN contacts c ON c.id = n.contact_id
  WHERE notes_fts MATCH :query AND c.archived = 0
) ORDER BY rank, happened_at DESC LIMIT :limit"""


def fts_query(text: str) -> str:
    """Any text as an FTS5 query that means "all these words": each word quoted, so no
    character the user types is ever FTS5 syntax."""
    words = [word for word in text.split() if word.strip()]
    if not words:
        raise CrmError("nothing to search for: give a word")
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


class Search(Room):
    def find(self, text: str, limit: int = SEARCH_LIMIT) -> list[Row]:
        """Best matches first, with snippets."""
        return self.db.all(SEARCH_SQL, {"query": fts_query(text), "limit": limit})
