import Synchronization
import WharfModel
import WharfStorage

/// A metadata store whose object reads each see the latest commit, as `MetadataStore.read` allows (SQLite's read
/// views behave so), and which runs `interleave` once, right after the first `list` or `keys` read: a write that
/// commits between two reads of one view.
final class PerStatementStore: MetadataStore {
    let base = InMemoryMetadataStore()
    private let interleave = Mutex<(@Sendable () async throws -> Void)?>(nil)

    var generation: UInt64? { nil }
    var commits: Wakeup { base.commits }

    /// Runs `write` after the next listing read.
    func interleave(_ write: @escaping @Sendable () async throws -> Void) {
        interleave.withLock { $0 = write }
    }

    func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await base.transaction(body)
    }

    func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await base.read { view in try await body(Statements(view: view, store: self)) }
    }

    /// The interleaved write, if it has not run yet.
    fileprivate func afterListing() async throws {
        if let write = interleave.withLock({ $0.take() }) { try await write() }
    }
}

/// A read view whose object reads each run as their own read of the base store.
private final class Statements: MetadataTransaction, ObjectStore {
    let view: any MetadataTransaction
    let store: PerStatementStore

    init(view: any MetadataTransaction, store: PerStatementStore) {
        self.view = view
        self.store = store
    }

    var objects: any ObjectStore { self }
    var blobLinks: any BlobLinkStore { view.blobLinks }
    var manifests: any ManifestIndex { view.manifests }
    var tags: any TagIndex { view.tags }
    var uploads: any UploadStore { view.uploads }

    func get(_ key: ObjectKey) async throws -> StoredObject? {
        try await store.base.read { try await $0.objects.get(key) }
    }

    func list(kind: String, namespace: String?) async throws -> [StoredObject] {
        let objects = try await store.base.read { try await $0.objects.list(kind: kind, namespace: namespace) }
        try await store.afterListing()
        return objects
    }

    func keys(kind: String, namespace: String?) async throws -> [ObjectKey] {
        let keys = try await store.base.read { try await $0.objects.keys(kind: kind, namespace: namespace) }
        try await store.afterListing()
        return keys
    }

    func currentResourceVersion() async throws -> Int64 {
        try await store.base.read { try await $0.objects.currentResourceVersion() }
    }

    func events(after: Int64, limit: Int) async throws -> [WatchEvent] {
        try await store.base.read { try await $0.objects.events(after: after, limit: limit) }
    }

    // A read view does not write.
    func put(_ object: StoredObject) async throws { try await view.objects.put(object) }
    func delete(_ key: ObjectKey) async throws -> Bool { try await view.objects.delete(key) }
    func nextResourceVersion() async throws -> Int64 { try await view.objects.nextResourceVersion() }
    func appendEvent(_ event: WatchEvent) async throws { try await view.objects.appendEvent(event) }
    func trimEvents(before: Int64) async throws { try await view.objects.trimEvents(before: before) }
}
