import Logging
import PostgresNIO
import WharfModel

/// The schema, one numbered migration at a time, applied at start under an advisory lock so that replicas starting
/// together do not race. Never edit a migration that has shipped; add a new one. Text columns compare and sort by
/// bytes (`COLLATE "C"`), as SQLite does, whatever the database's locale.
enum PostgresMigrations {
    /// The key of the advisory lock that migrations hold.
    static let lockKey: Int64 = 0x5768_6172_6600_0001

    static let steps: [(version: Int, sql: [PostgresQuery])] = [
        (1, [
            """
            CREATE TABLE wharf_objects (
              kind TEXT COLLATE "C" NOT NULL, namespace TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
              uid TEXT NOT NULL, resource_version BIGINT NOT NULL, document BYTEA NOT NULL,
              PRIMARY KEY (kind, namespace, name))
            """,
            "CREATE TABLE wharf_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)",
            "INSERT INTO wharf_sequence (id, value) VALUES (1, 0)",
            """
            CREATE TABLE wharf_events (
              resource_version BIGINT PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL,
              namespace TEXT NOT NULL, name TEXT NOT NULL, document BYTEA NOT NULL)
            """,
            """
            CREATE TABLE wharf_blob_links (
              repository TEXT COLLATE "C" NOT NULL, digest TEXT COLLATE "C" NOT NULL, size BIGINT NOT NULL,
              PRIMARY KEY (repository, digest))
            """,
            "CREATE INDEX wharf_blob_links_by_digest ON wharf_blob_links (digest, repository)",
            """
            CREATE TABLE wharf_manifests (
              repository TEXT COLLATE "C" NOT NULL, digest TEXT COLLATE "C" NOT NULL, media_type TEXT NOT NULL,
              size BIGINT NOT NULL, subject TEXT COLLATE "C", artifact_type TEXT, annotations TEXT,
              blobs TEXT[] NOT NULL DEFAULT '{}',
              PRIMARY KEY (repository, digest))
            """,
            "CREATE INDEX wharf_manifests_by_subject ON wharf_manifests (repository, subject) WHERE subject IS NOT NULL",
            """
            CREATE TABLE wharf_tags (
              repository TEXT COLLATE "C" NOT NULL, tag TEXT COLLATE "C" NOT NULL, digest TEXT NOT NULL,
              PRIMARY KEY (repository, tag))
            """,
            """
            CREATE TABLE wharf_uploads (
              id TEXT COLLATE "C" PRIMARY KEY, repository TEXT NOT NULL, started_at BIGINT NOT NULL, last_activity BIGINT NOT NULL)
            """,
            "CREATE INDEX wharf_uploads_by_activity ON wharf_uploads (last_activity, id)",
        ]),
    ]

    /// The newest schema this build knows.
    static var latest: Int { steps.last?.version ?? 0 }

    /// Brings the schema up to `latest` in one transaction under the advisory lock. Throws `unavailable` when the
    /// database has a newer schema than this build knows: an older `wharfd` must not write to it.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query("CREATE TABLE IF NOT EXISTS wharf_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
                                           logger: logger)
                var current = 0
                for try await version in try await connection.query("SELECT version FROM wharf_schema WHERE id = 1", logger: logger).decode(Int.self) {
                    current = version
                }
                guard current <= latest else {
                    throw WharfError(.unavailable, "the database has Wharf's schema \(current), newer than the \(latest) this wharfd knows: upgrade wharfd")
                }
                for step in steps where step.version > current {
                    for statement in step.sql { try await connection.query(statement, logger: logger) }
                }
                try await connection.query("""
                    INSERT INTO wharf_schema (id, version) VALUES (1, \(latest)) ON CONFLICT (id) DO UPDATE SET version = excluded.version
                    """, logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
