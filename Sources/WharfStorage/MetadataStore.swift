public import WharfModel

/// The registry's and the image API's metadata, behind one transaction boundary.
///
/// `transaction` runs its body atomically and in isolation from other transactions: writes become visible together
/// when it returns, and not at all when it throws. Write transactions of every process sharing the store run one at a
/// time (SQLite's single writer; on PostgreSQL the lock on the sequence row that each takes first), so a body that
/// reads, decides and writes sees no other writer in between, and resourceVersions are handed out in commit order.
/// A body must be safe to run again (a caller or a future backend may retry it after a `conflict`): it reads,
/// decides and writes inside the transaction, and has no effect outside it. Blob bytes are written before it, and
/// referenced only once it has committed. `read` runs a body that only reads; each of its reads sees committed data (two reads may see different commits).
/// Backends translate their driver's errors into `WharfError` (`unavailable` for a lost database, `conflict` for a
/// serialization failure the caller may retry).
public protocol MetadataStore: Sendable {
    func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T
    func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T
    /// A number that grows after every commit, for a store that sees all of its writes (one process owns it); `nil`
    /// for a store that other processes write too. While it stays the same nothing has changed, so readers may keep
    /// what they read (`GenerationCache`).
    var generation: UInt64? { get }
    /// Fires after each commit this store makes, so that watchers in this process wake at once (`Wakeup`). Commits of
    /// other processes sharing the database do not fire it: watchers find those by polling.
    var commits: Wakeup { get }
}

/// The sub-stores available inside one transaction.
public protocol MetadataTransaction {
    var objects: any ObjectStore { get }
    var blobLinks: any BlobLinkStore { get }
    var manifests: any ManifestIndex { get }
    var tags: any TagIndex { get }
    var uploads: any UploadStore { get }
}

/// API objects (Images, ImageStreams) as JSON documents, one global resourceVersion sequence, and the event log.
public protocol ObjectStore {
    func get(_ key: ObjectKey) async throws -> StoredObject?
    /// Objects of `kind`, in one namespace or all (`nil`), ordered by namespace then name.
    func list(kind: String, namespace: String?) async throws -> [StoredObject]
    /// The keys of the objects `list` would return, without their documents.
    func keys(kind: String, namespace: String?) async throws -> [ObjectKey]
    /// Inserts or replaces the object at its key.
    func put(_ object: StoredObject) async throws
    /// Removes the object; returns whether it existed.
    func delete(_ key: ObjectKey) async throws -> Bool
    /// Advances the global sequence and returns the new value.
    func nextResourceVersion() async throws -> Int64
    /// The newest value the sequence has given out (0 when none).
    func currentResourceVersion() async throws -> Int64
    /// Appends an event for watchers.
    func appendEvent(_ event: WatchEvent) async throws
    /// Events with a resourceVersion greater than `after`, oldest first, at most `limit`.
    func events(after: Int64, limit: Int) async throws -> [WatchEvent]
    /// Forgets events older than `before`; watchers asking for them get 410 Expired.
    func trimEvents(before: Int64) async throws
}

/// The blobs each repository may serve: uploaded, mounted or referenced there.
public protocol BlobLinkStore {
    func link(_ digest: Digest, size: Int64, in repository: RepositoryName) async throws
    /// The linked blob's size, or `nil` when the repository has no such link.
    func size(of digest: Digest, in repository: RepositoryName) async throws -> Int64?
    func unlink(_ digest: Digest, from repository: RepositoryName) async throws -> Bool
    /// The repositories that link `digest`, in ascending order, at most `limit` (for a mount that names no source).
    func repositories(linking digest: Digest, limit: Int) async throws -> [RepositoryName]
}

/// The manifests each repository holds, and the referrers index by subject.
public protocol ManifestIndex {
    func put(_ record: ManifestRecord) async throws
    func get(_ digest: Digest, in repository: RepositoryName) async throws -> ManifestRecord?
    func delete(_ digest: Digest, from repository: RepositoryName) async throws -> Bool
    /// Manifests in `repository` whose subject is `subject`, ordered by digest.
    func referrers(of subject: Digest, in repository: RepositoryName) async throws -> [ManifestRecord]
    /// The digests of the manifests in `repository` whose `blobs` include `blob`, ordered by digest.
    func manifests(referencing blob: Digest, in repository: RepositoryName) async throws -> [Digest]
}

/// The current tag → manifest digest of each repository, derived from its ImageStream in the same transaction.
public protocol TagIndex {
    func digest(for tag: String, in repository: RepositoryName) async throws -> Digest?
    /// The repository's tags in ascending order.
    func tags(in repository: RepositoryName) async throws -> [String]
    /// Replaces every tag of `repository` with `tags`.
    func replace(_ tags: [String: Digest], in repository: RepositoryName) async throws
}

/// Upload sessions, so that any replica can continue an upload.
public protocol UploadStore {
    func create(_ record: UploadRecord) async throws
    func get(_ id: String) async throws -> UploadRecord?
    func delete(_ id: String) async throws
    /// Records activity on session `id` at `time`; nothing when there is no such session.
    func touch(_ id: String, at time: Time) async throws
    /// Sessions whose last activity was before `time`, the longest idle first, at most `limit`.
    func idle(before time: Time, limit: Int) async throws -> [UploadRecord]
}
