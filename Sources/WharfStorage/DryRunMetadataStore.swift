import WharfModel

/// A `MetadataStore` that never commits: each transaction runs against the store it wraps, sees its own writes, and
/// is then rolled back, returning what it would have returned. This is Kubernetes' `dryRun=All`: validation and
/// every rule run as for a real write, and nothing is stored, no resourceVersion is used up and no watcher hears of it.
///
/// It relies only on the `MetadataStore` contract (a transaction whose body throws leaves no trace), so it works over
/// every backend.
public struct DryRunMetadataStore: MetadataStore {
    let base: any MetadataStore

    public init(_ base: any MetadataStore) { self.base = base }

    private struct RolledBack: Error {}

    public func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        var result: T?
        do {
            _ = try await base.transaction { tx -> Int in
                result = try await body(tx)
                throw RolledBack()
            }
        } catch is RolledBack {}
        guard let result else { throw WharfError(.internal, "a dry-run transaction ended without a result") }
        return result
    }

    public func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await base.read(body)
    }

    public var generation: UInt64? { base.generation }

    /// The wrapped store's: a dry run commits nothing, so it never fires them.
    public var commits: Wakeup { base.commits }
}
