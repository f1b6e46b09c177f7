import type { Migration } from '../catalog/migrations';

/**
 * Catalog schema step 6 (issue 16, governance): the local state of classification and compliance.
 * - `classification_suggestions`: what the rules (or the AI) suggest per column and key, with the
 *   confidence, the reason a reviewer reads and the review status. A rejected suggestion keeps its
 *   row so the next refresh does not suggest it again.
 * - `column_classes`: classifications accepted or set by hand on this machine. The same change goes
 *   to the outbox as a `classification` field op, so it syncs; once the column has a synced row, reads
 *   take the synced value (which holds pending local ops) instead.
 * - `compliance_resolutions`: violations resolved or dismissed here, with the reason, so they stop
 *   showing; the cloud event id once the resolution reached `compliance_events`.
 * Kept in its own file so the catalog's migration list only gains one line.
 */
export const governanceStep: Omit<Migration, 'version'> = {
  description: 'classification suggestions, accepted classes, compliance resolutions',
  up(db) {
    db.exec(`
      CREATE TABLE classification_suggestions (
        column_id TEXT NOT NULL,
        key TEXT NOT NULL,
        confidence REAL NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('rules', 'ai')),
        reason TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (column_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX classification_suggestions_open ON classification_suggestions(status, column_id);

      CREATE TABLE column_classes (
        column_id TEXT PRIMARY KEY,
        key TEXT,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE compliance_resolutions (
        rule_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('resolved', 'dismissed')),
        reason TEXT NOT NULL,
        resolved_at TEXT NOT NULL,
        cloud_event_id TEXT,
        PRIMARY KEY (rule_id, target_id)
      ) WITHOUT ROWID;
    `);
  },
};
