import Synchronization
import WharfModel

/// A `MetadataStore` in memory, for tests. Transactions run one at a time on a copy of the state, published on success.
public final class InMemoryMetadataStore: MetadataStore {
    struct State: Sendable {
        var objects: [ObjectKey: StoredObject] = [:]
        var resourceVersion: Int64 = 0
        var events: [WatchEvent] = []
        var links: [RepositoryName: [Digest: Int64]] = [:]
        var manifests: [RepositoryName: [Digest: ManifestRecord]] = [:]
        var tags: [RepositoryName: [String: Digest]] = [:]
        var uploads: [String: UploadRecord] = [:]
    }

    private let state = Mutex(State())
    private let writer = AsyncLock()
    private let generations = Atomic<UInt64>(0)
    public let commits = Wakeup()

    public init() {}

    public var generation: UInt64? { generations.load(ordering: .acquiring) }

    public func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await writer.withLock {
            let transaction = InMemoryTransaction(state.withLock { $0 })
            let result = try await body(transaction)
            let final = transaction.state
            state.withLock { $0 = final }
            generations.add(1, ordering: .releasing)
            commits.fire()
            return result
        }
    }

    public func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await body(InMemoryTransaction(state.withLock { $0 }))
    }
}

final class InMemoryTransaction: MetadataTransaction, ObjectStore, BlobLinkStore, ManifestIndex, TagIndex, UploadStore {
    var state: InMemoryMetadataStore.State

    init(_ state: InMemoryMetadataStore.State) { self.state = state }

    var objects: any ObjectStore { self }
    var blobLinks: any BlobLinkStore { self }
    var manifests: any ManifestIndex { self }
    var tags: any TagIndex { self }
    var uploads: any UploadStore { self }

    // ObjectStore
    func get(_ key: ObjectKey) async throws -> StoredObject? { state.objects[key] }

    func list(kind: String, namespace: String?) async throws -> [StoredObject] {
        state.objects.values
            .filter { $0.key.kind == kind && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { $0.key < $1.key }
    }

    func keys(kind: String, namespace: String?) async throws -> [ObjectKey] {
        try await list(kind: kind, namespace: namespace).map(\.key)
    }

    func put(_ object: StoredObject) async throws { state.objects[object.key] = object }

    func delete(_ key: ObjectKey) async throws -> Bool { state.objects.removeValue(forKey: key) != nil }

    func nextResourceVersion() async throws -> Int64 {
        state.resourceVersion += 1
        return state.resourceVersion
    }

    func currentResourceVersion() async throws -> Int64 { state.resourceVersion }

    func appendEvent(_ event: WatchEvent) async throws { state.events.append(event) }

    func events(after: Int64, limit: Int) async throws -> [WatchEvent] {
        Array(state.events.filter { $0.resourceVersion > after }.prefix(limit))
    }

    func trimEvents(before: Int64) async throws { state.events.removeAll { $0.resourceVersion < before } }

    // BlobLinkStore
    func link(_ digest: Digest, size: Int64, in repository: RepositoryName) async throws {
        state.links[repository, default: [:]][digest] = size
    }

    func size(of digest: Digest, in repository: RepositoryName) async throws -> Int64? { state.links[repository]?[digest] }

    func unlink(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        state.links[repository]?.removeValue(forKey: digest) != nil
    }

    func repositories(linking digest: Digest, limit: Int) async throws -> [RepositoryName] {
        Array(state.links.filter { $0.value[digest] != nil }.keys.sorted().prefix(limit))
    }

    // ManifestIndex
    func put(_ record: ManifestRecord) async throws { state.manifests[record.repository, default: [:]][record.digest] = record }

    func get(_ digest: Digest, in repository: RepositoryName) async throws -> ManifestRecord? {
        state.manifests[repository]?[digest]
    }

    func delete(_ digest: Digest, from repository: RepositoryName) async throws -> Bool {
        state.manifests[repository]?.removeValue(forKey: digest) != nil
    }

    func referrers(of subject: Digest, in repository: RepositoryName) async throws -> [ManifestRecord] {
        (state.manifests[repository] ?? [:]).values.filter { $0.subject == subject }.sorted { $0.digest < $1.digest }
    }

    func manifests(referencing blob: Digest, in repository: RepositoryName) async throws -> [Digest] {
        (state.manifests[repository] ?? [:]).values.filter { $0.blobs.contains(blob) }.map(\.digest).sorted()
    }

    // TagIndex
    func digest(for tag: String, in repository: RepositoryName) async throws -> Digest? { state.tags[repository]?[tag] }

    func tags(in repository: RepositoryName) async throws -> [String] { (state.tags[repository] ?? [:]).keys.sorted() }

    func replace(_ tags: [String: Digest], in repository: RepositoryName) async throws { state.tags[repository] = tags }

    // UploadStore
    func create(_ record: UploadRecord) async throws { state.uploads[record.id] = record }

    func get(_ id: String) async throws -> UploadRecord? { state.uploads[id] }

    func delete(_ id: String) async throws { state.uploads.removeValue(forKey: id) }

    func touch(_ id: String, at time: Time) async throws { state.uploads[id]?.lastActivity = time }

    func idle(before time: Time, limit: Int) async throws -> [UploadRecord] {
        Array(state.uploads.values.filter { $0.lastActivity < time }.sorted { ($0.lastActivity, $0.id) < ($1.lastActivity, $1.id) }.prefix(limit))
    }
}
