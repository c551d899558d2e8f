import GRDB

/// The schema, one numbered migration at a time. Never edit a migration that has shipped; add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_initial") { db in
            try db.execute(sql: """
                CREATE TABLE objects (
                  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                  uid TEXT NOT NULL, resource_version INTEGER NOT NULL, document BLOB NOT NULL,
                  PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID;
                CREATE TABLE sequence (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
                INSERT INTO sequence (id, value) VALUES (1, 0);
                CREATE TABLE events (
                  resource_version INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL,
                  namespace TEXT NOT NULL, name TEXT NOT NULL, document BLOB NOT NULL);
                CREATE TABLE blob_links (
                  repository TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL,
                  PRIMARY KEY (repository, digest)) WITHOUT ROWID;
                CREATE TABLE manifests (
                  repository TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL,
                  subject TEXT, artifact_type TEXT, annotations TEXT,
                  PRIMARY KEY (repository, digest)) WITHOUT ROWID;
                CREATE INDEX manifests_by_subject ON manifests (repository, subject) WHERE subject IS NOT NULL;
                CREATE TABLE tags (
                  repository TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
                  PRIMARY KEY (repository, tag)) WITHOUT ROWID;
                CREATE TABLE uploads (id TEXT PRIMARY KEY, repository TEXT NOT NULL, started_at INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("0002_blob_references") { db in
            // The blobs each manifest references (space-separated digests), so a blob in use cannot be deleted; and
            // the repositories linking a digest, for a mount that names no source.
            try db.execute(sql: """
                ALTER TABLE manifests ADD COLUMN blobs TEXT NOT NULL DEFAULT '';
                CREATE INDEX blob_links_by_digest ON blob_links (digest, repository);
                """)
        }
        migrator.registerMigration("0003_upload_activity") { db in
            // Stale uploads are purged by their last activity, not their start.
            try db.execute(sql: """
                ALTER TABLE uploads ADD COLUMN last_activity INTEGER NOT NULL DEFAULT 0;
                UPDATE uploads SET last_activity = started_at;
                CREATE INDEX uploads_by_activity ON uploads (last_activity, id);
                """)
        }
        return migrator
    }
}
