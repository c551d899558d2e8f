import Foundation
import Logging
import NIOCore
import PostgresNIO
import WharfModel
import WharfStorage

/// One transaction's view: the statements of a write transaction run on its leased connection, inside `BEGIN` and
/// `COMMIT`; each statement of a read view runs on its own on any pooled connection and sees committed data.
final class PostgresTransaction: MetadataTransaction, ObjectStore, BlobLinkStore, ManifestIndex, TagIndex, UploadStore {
    /// Where statements run: a write transaction's leased connection, or any of the pool's for a read view.
    enum Executor {
        case connection(PostgresConnection)
        case pool(PostgresClient)
    }

    private let executor: Executor
    private let logger: Logger

    init(_ executor: Executor, logger: Logger) {
        self.executor = executor
        self.logger = logger
    }

    var objects: any ObjectStore { self }
    var blobLinks: any BlobLinkStore { self }
    var manifests: any ManifestIndex { self }
    var tags: any TagIndex { self }
    var uploads: any UploadStore { self }

    @discardableResult
    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        switch executor {
        case .connection(let connection): try await connection.query(query, logger: logger)
        case .pool(let client): try await client.query(query, logger: logger)
        }
    }

    /// Whether a statement that returns a row per change (`… RETURNING 1`) changed anything.
    func changed(_ query: PostgresQuery) async throws -> Bool {
        var any = false
        for try await _ in try await run(query) { any = true }
        return any
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    // MARK: ObjectStore

    func get(_ key: ObjectKey) async throws -> StoredObject? {
        let rows = try await run("""
            SELECT uid, resource_version, document FROM wharf_objects WHERE kind = \(key.kind) AND namespace = \(key.namespace) AND name = \(key.name)
            """)
        for try await (uid, version, document) in rows.decode((String, Int64, ByteBuffer).self) {
            return StoredObject(key: key, uid: uid, resourceVersion: version, document: Self.bytes(document))
        }
        return nil
    }

    func list(kind: String, namespace: String?) async throws -> [StoredObject] {
        let rows = try await run("""
            SELECT namespace, name, uid, resource_version, document FROM wharf_objects
            WHERE kind = \(kind) AND (\(namespace)::text IS NULL OR namespace = \(namespace)) ORDER BY namespace, name
            """)
        var found: [StoredObject] = []
        for try await (namespace, name, uid, version, document) in rows.decode((String, String, String, Int64, ByteBuffer).self) {
            found.append(StoredObject(key: ObjectKey(kind: kind, namespace: namespace, name: name), uid: uid, resourceVersion: version,
                                      document: Self.bytes(document)))
        }
        return found
    }

    func keys(kind: String, namespace: String?) async throws -> [ObjectKey] {
        let rows = try await run("""
            SELECT namespace, name FROM wharf_objects
            WHERE kind = \(kind) AND (\(namespace)::text IS NULL OR namespace = \(namespace)) ORDER BY namespace, name
            """)
        var found: [ObjectKey] = []
        for try await (namespace, name) in rows.decode((String, String).self) { found.append(ObjectKey(kind: kind, namespace: namespace, name: name)) }
        return found
    }

    func put(_ object: StoredObject) async throws {
        try await run("""
            INSERT INTO wharf_objects (kind, namespace, name, uid, resource_version, document)
            VALUES (\(object.key.kind), \(object.key.namespace), \(object.key.name), \(object.uid), \(object.resourceVersion), \(ByteBuffer(bytes: object.document)))
            ON CONFLICT (kind, namespace, name) DO UPDATE SET uid = excluded.uid, resource_version = excluded.resource_version,
              document = excluded.document
            """)
    }

    func delete(_ key: ObjectKey) async throws -> Bool {
        try await changed("DELETE FROM wharf_objects WHERE kind = \(key.kind) AND namespace = \(key.namespace) AND name = \(key.name) RETURNING 1")
    }

    func nextResourceVersion() async throws -> Int64 {
        for try await value in try await run("UPDATE wharf_sequence SET value = value + 1 WHERE id = 1 RETURNING value").decode(Int64.self) {
            return value
        }
        throw WharfError(.unavailable, "metadata database failure: the resourceVersion sequence is missing")
    }

    func currentResourceVersion() async throws -> Int64 {
        for try await value in try await run("SELECT value FROM wharf_sequence WHERE id = 1").decode(Int64.self) { return value }
        return 0
    }

    func appendEvent(_ event: WatchEvent) async throws {
        try await run("""
            INSERT INTO wharf_events (resource_version, type, kind, namespace, name, document)
            VALUES (\(event.resourceVersion), \(event.type.rawValue), \(event.key.kind), \(event.key.namespace), \(event.key.name),
                    \(ByteBuffer(bytes: event.document)))
            """)
    }

    func events(after: Int64, limit: Int) async throws -> [WatchEvent] {
        let rows = try await run("""
            SELECT resource_version, type, kind, namespace, name, document FROM wharf_events
            WHERE resource_version > \(after) ORDER BY resource_version LIMIT \(Int64(limit))
            """)
        var found: [WatchEvent] = []
        for try await (version, type, kind, namespace, name, document) in rows.decode((Int64, String, String, String, String, ByteBuffer).self) {
            guard let type = WatchEvent.EventType(rawValue: type) else { continue }
            found.append(WatchEvent(resourceVersion: version, type: type, key: ObjectKey(kind: kind, namespace: namespace, name: name),
                                    document: Self.bytes(document)))
        }
        return found
    }

    func trimEvents(before: Int64) async throws {
        try await run("DELETE FROM wharf_events WHERE resource_version < \(before)")
    }

    // MARK: BlobLinkStore

    func link(_ digest: Digest, size: Int64, in repository: RepositoryName) async throws {
        try await run("""
            INSERT INTO wharf_blob_links (repository, digest, size) VALUES (\(repository.description), \(digest.description), \(size))
            ON CONFLICT (repository, digest) DO UPDATE SET size = excluded.size
            """)
    }

    func size(of digest: Digest, in repository: RepositoryName) async throws -> Int64? {
        let rows = try await run("SELECT size FROM wharf_blob_links WHERE repository = \(repository.description) AND digest = \(digest.description)")
        for try await size in rows.decode(Int64.self) { return size }
        return nil
    }

    func unlink(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await changed("DELETE FROM wharf_blob_links WHERE repository = \(repository.description) AND digest = \(digest.description) RETURNING 1")
    }

    func repositories(linking digest: Digest, limit: Int) async throws -> [RepositoryName] {
        let rows = try await run("SELECT repository FROM wharf_blob_links WHERE digest = \(digest.description) ORDER BY repository LIMIT \(Int64(limit))")
        var found: [RepositoryName] = []
        for try await name in rows.decode(String.self) { if let name = try? RepositoryName(parsing: name) { found.append(name) } }
        return found
    }

    // MARK: ManifestIndex

    func put(_ record: ManifestRecord) async throws {
        let annotations = try record.annotations.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await run("""
            INSERT INTO wharf_manifests (repository, digest, media_type, size, subject, artifact_type, annotations, blobs)
            VALUES (\(record.repository.description), \(record.digest.description), \(record.mediaType), \(record.size),
                    \(record.subject?.description), \(record.artifactType), \(annotations), \(record.blobs.map(\.description)))
            ON CONFLICT (repository, digest) DO UPDATE SET media_type = excluded.media_type, size = excluded.size,
              subject = excluded.subject, artifact_type = excluded.artifact_type, annotations = excluded.annotations, blobs = excluded.blobs
            """)
    }

    func get(_ digest: Digest, in repository: RepositoryName) async throws -> ManifestRecord? {
        try await manifestRecords("""
            SELECT digest, media_type, size, subject, artifact_type, annotations, blobs FROM wharf_manifests
            WHERE repository = \(repository.description) AND digest = \(digest.description)
            """, in: repository).first
    }

    func delete(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        try await changed("DELETE FROM wharf_manifests WHERE repository = \(repository.description) AND digest = \(digest.description) RETURNING 1")
    }

    func referrers(of subject: Digest, in repository: RepositoryName) async throws -> [ManifestRecord] {
        try await manifestRecords("""
            SELECT digest, media_type, size, subject, artifact_type, annotations, blobs FROM wharf_manifests
            WHERE repository = \(repository.description) AND subject = \(subject.description) ORDER BY digest
            """, in: repository)
    }

    func manifests(referencing blob: Digest, in repository: RepositoryName) async throws -> [Digest] {
        let rows = try await run("""
            SELECT digest FROM wharf_manifests WHERE repository = \(repository.description) AND \(blob.description) = ANY(blobs) ORDER BY digest
            """)
        var found: [Digest] = []
        for try await digest in rows.decode(String.self) { if let digest = Digest(digest) { found.append(digest) } }
        return found
    }

    private func manifestRecords(_ query: PostgresQuery, in repository: RepositoryName) async throws -> [ManifestRecord] {
        var found: [ManifestRecord] = []
        let rows = try await run(query).decode((String, String, Int64, String?, String?, String?, [String]).self)
        for try await (digest, mediaType, size, subject, artifactType, annotations, blobs) in rows {
            guard let digest = Digest(digest) else { continue }
            found.append(ManifestRecord(
                repository: repository, digest: digest, mediaType: mediaType, size: size, subject: subject.flatMap(Digest.init),
                artifactType: artifactType, annotations: annotations.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) },
                blobs: blobs.compactMap(Digest.init)))
        }
        return found
    }

    // MARK: TagIndex

    func digest(for tag: String, in repository: RepositoryName) async throws -> Digest? {
        for try await digest in try await run("SELECT digest FROM wharf_tags WHERE repository = \(repository.description) AND tag = \(tag)").decode(String.self) {
            return Digest(digest)
        }
        return nil
    }

    func tags(in repository: RepositoryName) async throws -> [String] {
        var found: [String] = []
        for try await tag in try await run("SELECT tag FROM wharf_tags WHERE repository = \(repository.description) ORDER BY tag").decode(String.self) {
            found.append(tag)
        }
        return found
    }

    func replace(_ tags: [String: Digest], in repository: RepositoryName) async throws {
        try await run("DELETE FROM wharf_tags WHERE repository = \(repository.description)")
        guard !tags.isEmpty else { return }
        let names = Array(tags.keys), digests = names.map { tags[$0]!.description }
        try await run("""
            INSERT INTO wharf_tags (repository, tag, digest) SELECT \(repository.description), * FROM unnest(\(names)::text[], \(digests)::text[])
            """)
    }

    // MARK: UploadStore

    func create(_ record: UploadRecord) async throws {
        try await run("""
            INSERT INTO wharf_uploads (id, repository, started_at, last_activity)
            VALUES (\(record.id), \(record.repository.description), \(record.startedAt.secondsSince1970), \(record.lastActivity.secondsSince1970))
            ON CONFLICT (id) DO UPDATE SET repository = excluded.repository, started_at = excluded.started_at, last_activity = excluded.last_activity
            """)
    }

    func get(_ id: String) async throws -> UploadRecord? {
        let rows = try await run("SELECT repository, started_at, last_activity FROM wharf_uploads WHERE id = \(id)")
        for try await (repository, started, active) in rows.decode((String, Int64, Int64).self) {
            guard let repository = try? RepositoryName(parsing: repository) else { return nil }
            return UploadRecord(id: id, repository: repository, startedAt: Time(secondsSince1970: started), lastActivity: Time(secondsSince1970: active))
        }
        return nil
    }

    func delete(_ id: String) async throws {
        try await run("DELETE FROM wharf_uploads WHERE id = \(id)")
    }

    func touch(_ id: String, at time: Time) async throws {
        try await run("UPDATE wharf_uploads SET last_activity = \(time.secondsSince1970) WHERE id = \(id)")
    }

    func idle(before time: Time, limit: Int) async throws -> [UploadRecord] {
        let rows = try await run("""
            SELECT id, repository, started_at, last_activity FROM wharf_uploads WHERE last_activity < \(time.secondsSince1970)
            ORDER BY last_activity, id LIMIT \(Int64(limit))
            """)
        var found: [UploadRecord] = []
        for try await (id, repository, started, active) in rows.decode((String, String, Int64, Int64).self) {
            guard let repository = try? RepositoryName(parsing: repository) else { continue }
            found.append(UploadRecord(id: id, repository: repository, startedAt: Time(secondsSince1970: started), lastActivity: Time(secondsSince1970: active)))
        }
        return found
    }
}
