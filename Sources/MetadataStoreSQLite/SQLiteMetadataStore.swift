#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import Synchronization
import WharfModel
public import WharfStorage

/// A `MetadataStore` on SQLite (WAL) through GRDB: the embedded default.
///
/// Readers run concurrently on the pool. Write transactions run one at a time on the writer connection,
/// from `BEGIN IMMEDIATE` to `COMMIT`, and roll back when their body throws. Every statement runs on GRDB's own
/// queues, never on the caller's thread (an event loop, for a request). Commits are synchronous (fsync),
/// so an acknowledged write survives a crash. One process owns the database (an exclusive lock on `<path>.lock`),
/// so the store knows every commit and has a `generation`.
public final class SQLiteMetadataStore: MetadataStore {
    private let pool: DatabasePool
    private let writer = AsyncLock()
    private let generations = Atomic<UInt64>(0)
    public let commits = Wakeup()
    private let lock: Int32

    public var generation: UInt64? { generations.load(ordering: .acquiring) }

    /// Opens (and migrates) the database at `path`. Throws `unavailable` when another process has it open.
    /// A new database file (and so its `-wal` and `-shm` files, which SQLite gives the database's mode) and the lock
    /// file are created readable only by their owner (0600): the database holds token hashes.
    public init(path: String) throws {
        lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            throw WharfError(.unavailable, "cannot lock \(path).lock: another wharfd is using this data directory")
        }
        let database = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if database >= 0 { close(database) }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteMigrations.migrator.migrate(pool)
        } catch {
            close(lock)
            throw WharfError(.unavailable, "cannot open the metadata database at \(path)", cause: error)
        }
    }

    deinit {
        close(lock)
    }

    public func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await writer.withLock {
            let transaction = SQLiteTransaction(pool: pool, writes: true)
            try await transaction.control("BEGIN IMMEDIATE")
            do {
                let result = try await body(transaction)
                try await transaction.control("COMMIT")
                generations.add(1, ordering: .releasing)
                commits.fire()
                return result
            } catch {
                try? await transaction.control("ROLLBACK")
                throw error
            }
        }
    }

    public func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await body(SQLiteTransaction(pool: pool, writes: false))
    }

    /// Everything stored, read in one transaction (for `wharfd migrate`). Rows that no longer parse are left out.
    public func dump() async throws -> MetadataDump {
        do {
            return try await pool.read { db in
                var dump = MetadataDump()
                dump.resourceVersion = try Int64.fetchOne(db, sql: "SELECT value FROM sequence WHERE id = 1") ?? 0
                dump.objects = try Row.fetchAll(db, sql: "SELECT * FROM objects ORDER BY kind, namespace, name").map {
                    StoredObject(key: ObjectKey(kind: $0["kind"], namespace: $0["namespace"], name: $0["name"]), uid: $0["uid"],
                                 resourceVersion: $0["resource_version"], document: [UInt8]($0["document"] as Data))
                }
                dump.events = try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY resource_version").compactMap { row in
                    WatchEvent.EventType(rawValue: row["type"]).map {
                        WatchEvent(resourceVersion: row["resource_version"], type: $0,
                                   key: ObjectKey(kind: row["kind"], namespace: row["namespace"], name: row["name"]), document: [UInt8](row["document"] as Data))
                    }
                }
                dump.blobLinks = try Row.fetchAll(db, sql: "SELECT * FROM blob_links ORDER BY repository, digest").compactMap { row in
                    guard let repository = try? RepositoryName(parsing: row["repository"]), let digest = Digest(row["digest"] as String) else { return nil }
                    return MetadataDump.BlobLink(repository: repository, digest: digest, size: row["size"])
                }
                dump.manifests = try Row.fetchAll(db, sql: "SELECT * FROM manifests ORDER BY repository, digest").compactMap { row in
                    (try? RepositoryName(parsing: row["repository"])).flatMap { SQLiteTransaction.manifest(from: row, in: $0) }
                }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM tags") {
                    guard let repository = try? RepositoryName(parsing: row["repository"]), let digest = Digest(row["digest"] as String) else { continue }
                    dump.tags[repository, default: [:]][row["tag"]] = digest
                }
                dump.uploads = try Row.fetchAll(db, sql: "SELECT * FROM uploads ORDER BY id").compactMap { row in
                    guard let repository = try? RepositoryName(parsing: row["repository"]) else { return nil }
                    return UploadRecord(id: row["id"], repository: repository, startedAt: Time(secondsSince1970: row["started_at"]),
                                        lastActivity: Time(secondsSince1970: row["last_activity"]))
                }
                return dump
            }
        } catch {
            throw WharfError(.unavailable, "cannot read the metadata database", cause: error)
        }
    }
}

/// One transaction's view. Writes go through the writer connection, reads of a read-only view through the pool.
final class SQLiteTransaction: MetadataTransaction, ObjectStore, BlobLinkStore, ManifestIndex, TagIndex, UploadStore, Sendable {
    private let pool: DatabasePool
    private let writes: Bool

    init(pool: DatabasePool, writes: Bool) {
        self.pool = pool
        self.writes = writes
    }

    var objects: any ObjectStore { self }
    var blobLinks: any BlobLinkStore { self }
    var manifests: any ManifestIndex { self }
    var tags: any TagIndex { self }
    var uploads: any UploadStore { self }

    /// Runs `body` on the writer connection (a write view) or a pooled reader (a read view), off the calling thread.
    /// Each statement of a read view is its own implicit SQLite transaction: it sees committed data, without the cost of
    /// an explicit BEGIN and COMMIT around it.
    func access<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            if writes { return try await pool.writeWithoutTransaction(body) }
            return try await pool.unsafeRead(body)
        } catch let error as WharfError {
            throw error
        } catch {
            throw WharfError(.unavailable, "metadata database failure", cause: error)
        }
    }

    /// Runs `BEGIN IMMEDIATE`, `COMMIT` or `ROLLBACK` (only inside a transaction) on the writer connection, in a task
    /// of its own: GRDB's async calls end early when their task is cancelled, and a cancelled request must never leave
    /// the writer connection inside a transaction.
    func control(_ sql: String) async throws {
        try await Task {
            try await access { db in
                if sql == "ROLLBACK", !db.isInsideTransaction { return }
                try db.execute(sql: sql)
            }
        }.value
    }

    // MARK: ObjectStore

    func get(_ key: ObjectKey) async throws -> StoredObject? {
        try await access { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT uid, resource_version, document FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
                             arguments: [key.kind, key.namespace, key.name])
                .map { StoredObject(key: key, uid: $0["uid"], resourceVersion: $0["resource_version"], document: [UInt8]($0["document"] as Data)) }
        }
    }

    func list(kind: String, namespace: String?) async throws -> [StoredObject] {
        try await access { db in
            try Self.objectRows("namespace, name, uid, resource_version, document", kind: kind, namespace: namespace, in: db).map {
                StoredObject(key: ObjectKey(kind: kind, namespace: $0["namespace"], name: $0["name"]), uid: $0["uid"],
                             resourceVersion: $0["resource_version"], document: [UInt8]($0["document"] as Data))
            }
        }
    }

    func keys(kind: String, namespace: String?) async throws -> [ObjectKey] {
        try await access { db in
            try Self.objectRows("namespace, name", kind: kind, namespace: namespace, in: db).map {
                ObjectKey(kind: kind, namespace: $0["namespace"], name: $0["name"])
            }
        }
    }

    /// `columns` of the objects of `kind`, in `namespace` or all, ordered by namespace then name.
    private static func objectRows(_ columns: String, kind: String, namespace: String?, in db: Database) throws -> [Row] {
        if let namespace {
            return try Row.fetchAll(try db.cachedStatement(sql: "SELECT \(columns) FROM objects WHERE kind = ? AND namespace = ? ORDER BY name"),
                                    arguments: [kind, namespace])
        }
        return try Row.fetchAll(try db.cachedStatement(sql: "SELECT \(columns) FROM objects WHERE kind = ? ORDER BY namespace, name"),
                                arguments: [kind])
    }

    func put(_ object: StoredObject) async throws {
        try await access { db in
            try db.execute(sql: """
                INSERT INTO objects (kind, namespace, name, uid, resource_version, document) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, namespace, name) DO UPDATE SET uid = excluded.uid,
                  resource_version = excluded.resource_version, document = excluded.document
                """, arguments: [object.key.kind, object.key.namespace, object.key.name, object.uid, object.resourceVersion, Data(object.document)])
        }
    }

    func delete(_ key: ObjectKey) async throws -> Bool {
        try await access { db in
            try db.cachedStatement(sql: "DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?").execute(arguments: [key.kind, key.namespace, key.name])
            return db.changesCount > 0
        }
    }

    func nextResourceVersion() async throws -> Int64 {
        try await access { db in
            try db.execute(sql: "UPDATE sequence SET value = value + 1 WHERE id = 1")
            return try Int64.fetchOne(try db.cachedStatement(sql: "SELECT value FROM sequence WHERE id = 1")) ?? 0
        }
    }

    func currentResourceVersion() async throws -> Int64 {
        try await access { db in try Int64.fetchOne(try db.cachedStatement(sql: "SELECT value FROM sequence WHERE id = 1")) ?? 0 }
    }

    func appendEvent(_ event: WatchEvent) async throws {
        try await access { db in
            try db.execute(sql: "INSERT INTO events (resource_version, type, kind, namespace, name, document) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [event.resourceVersion, event.type.rawValue, event.key.kind, event.key.namespace, event.key.name, Data(event.document)])
        }
    }

    func events(after: Int64, limit: Int) async throws -> [WatchEvent] {
        try await access { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM events WHERE resource_version > ? ORDER BY resource_version LIMIT ?"), arguments: [after, limit])
                .compactMap { row in
                    guard let type = WatchEvent.EventType(rawValue: row["type"]) else { return nil }
                    return WatchEvent(resourceVersion: row["resource_version"], type: type,
                                      key: ObjectKey(kind: row["kind"], namespace: row["namespace"], name: row["name"]),
                                      document: [UInt8](row["document"] as Data))
                }
        }
    }

    func trimEvents(before: Int64) async throws {
        try await access { db in try db.cachedStatement(sql: "DELETE FROM events WHERE resource_version < ?").execute(arguments: [before]) }
    }

    // MARK: BlobLinkStore

    func link(_ digest: Digest, size: Int64, in repository: RepositoryName) async throws {
        try await access { db in
            try db.execute(sql: "INSERT OR REPLACE INTO blob_links (repository, digest, size) VALUES (?, ?, ?)",
                           arguments: [repository.description, digest.description, size])
        }
    }

    func size(of digest: Digest, in repository: RepositoryName) async throws -> Int64? {
        try await access { db in
            try Int64.fetchOne(try db.cachedStatement(sql: "SELECT size FROM blob_links WHERE repository = ? AND digest = ?"),
                               arguments: [repository.description, digest.description])
        }
    }

    func unlink(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await access { db in
            try db.cachedStatement(sql: "DELETE FROM blob_links WHERE repository = ? AND digest = ?").execute(arguments: [repository.description, digest.description])
            return db.changesCount > 0
        }
    }

    func repositories(linking digest: Digest, limit: Int) async throws -> [RepositoryName] {
        try await access { db in
            try String.fetchAll(try db.cachedStatement(sql: "SELECT repository FROM blob_links WHERE digest = ? ORDER BY repository LIMIT ?"),
                                arguments: [digest.description, limit])
                .compactMap { try? RepositoryName(parsing: $0) }
        }
    }

    // MARK: ManifestIndex

    func put(_ record: ManifestRecord) async throws {
        let annotations = try record.annotations.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await access { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO manifests (repository, digest, media_type, size, subject, artifact_type, annotations, blobs)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.repository.description, record.digest.description, record.mediaType, record.size,
                                 record.subject?.description, record.artifactType, annotations,
                                 record.blobs.map(\.description).joined(separator: " ")])
        }
    }

    func get(_ digest: Digest, in repository: RepositoryName) async throws -> ManifestRecord? {
        try await access { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM manifests WHERE repository = ? AND digest = ?"),
                             arguments: [repository.description, digest.description])
                .flatMap { Self.manifest(from: $0, in: repository) }
        }
    }

    func delete(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await access { db in
            try db.cachedStatement(sql: "DELETE FROM manifests WHERE repository = ? AND digest = ?").execute(arguments: [repository.description, digest.description])
            return db.changesCount > 0
        }
    }

    func referrers(of subject: Digest, in repository: RepositoryName) async throws -> [ManifestRecord] {
        try await access { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM manifests WHERE repository = ? AND subject = ? ORDER BY digest"),
                             arguments: [repository.description, subject.description])
                .compactMap { Self.manifest(from: $0, in: repository) }
        }
    }

    func manifests(referencing blob: Digest, in repository: RepositoryName) async throws -> [Digest] {
        try await access { db in
            try String.fetchAll(try db.cachedStatement(sql: """
                SELECT digest FROM manifests WHERE repository = ? AND instr(' ' || blobs || ' ', ?) > 0 ORDER BY digest
                """), arguments: [repository.description, " \(blob) "])
                .compactMap(Digest.init)
        }
    }

    static func manifest(from row: Row, in repository: RepositoryName) -> ManifestRecord? {
        guard let digest = Digest(row["digest"] as String) else { return nil }
        let annotations = (row["annotations"] as String?).flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
        return ManifestRecord(repository: repository, digest: digest, mediaType: row["media_type"], size: row["size"],
                              subject: (row["subject"] as String?).flatMap(Digest.init), artifactType: row["artifact_type"],
                              annotations: annotations,
                              blobs: (row["blobs"] as String? ?? "").split(separator: " ").compactMap { Digest(String($0)) })
    }

    // MARK: TagIndex

    func digest(for tag: String, in repository: RepositoryName) async throws -> Digest? {
        try await access { db in
            try String.fetchOne(try db.cachedStatement(sql: "SELECT digest FROM tags WHERE repository = ? AND tag = ?"), arguments: [repository.description, tag])
                .flatMap(Digest.init)
        }
    }

    func tags(in repository: RepositoryName) async throws -> [String] {
        try await access { db in
            try String.fetchAll(try db.cachedStatement(sql: "SELECT tag FROM tags WHERE repository = ? ORDER BY tag"), arguments: [repository.description])
        }
    }

    func replace(_ tags: [String: Digest], in repository: RepositoryName) async throws {
        try await access { db in
            try db.cachedStatement(sql: "DELETE FROM tags WHERE repository = ?").execute(arguments: [repository.description])
            for (tag, digest) in tags {
                try db.execute(sql: "INSERT INTO tags (repository, tag, digest) VALUES (?, ?, ?)",
                               arguments: [repository.description, tag, digest.description])
            }
        }
    }

    // MARK: UploadStore

    func create(_ record: UploadRecord) async throws {
        try await access { db in
            try db.execute(sql: "INSERT OR REPLACE INTO uploads (id, repository, started_at, last_activity) VALUES (?, ?, ?, ?)",
                           arguments: [record.id, record.repository.description, record.startedAt.secondsSince1970, record.lastActivity.secondsSince1970])
        }
    }

    func get(_ id: String) async throws -> UploadRecord? {
        try await access { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT repository, started_at, last_activity FROM uploads WHERE id = ?"), arguments: [id]).flatMap { row in
                guard let repository = try? RepositoryName(parsing: row["repository"]) else { return nil }
                return UploadRecord(id: id, repository: repository, startedAt: Time(secondsSince1970: row["started_at"]),
                                    lastActivity: Time(secondsSince1970: row["last_activity"]))
            }
        }
    }

    func delete(_ id: String) async throws {
        try await access { db in try db.cachedStatement(sql: "DELETE FROM uploads WHERE id = ?").execute(arguments: [id]) }
    }

    func touch(_ id: String, at time: Time) async throws {
        try await access { db in
            try db.cachedStatement(sql: "UPDATE uploads SET last_activity = ? WHERE id = ?").execute(arguments: [time.secondsSince1970, id])
        }
    }

    func idle(before time: Time, limit: Int) async throws -> [UploadRecord] {
        try await access { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT id, repository, started_at, last_activity FROM uploads WHERE last_activity < ? ORDER BY last_activity, id LIMIT ?
                """), arguments: [time.secondsSince1970, limit]).compactMap { row in
                guard let repository = try? RepositoryName(parsing: row["repository"]) else { return nil }
                return UploadRecord(id: row["id"], repository: repository, startedAt: Time(secondsSince1970: row["started_at"]),
                                    lastActivity: Time(secondsSince1970: row["last_activity"]))
            }
        }
    }
}
