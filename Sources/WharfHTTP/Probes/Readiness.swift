public import Logging
public import ServiceLifecycle
import Synchronization
import WharfModel
public import WharfStorage

/// Whether this process should receive traffic, as `/readyz` reports it: the metadata store and the blob store answer,
/// and no graceful shutdown has begun. Once draining, it stays so for the life of the process.
public final class Readiness: Sendable {
    private let metadata: any MetadataStore
    private let blobs: any BlobStore
    private let logger: Logger
    private let draining = Atomic(false)

    public init(metadata: any MetadataStore, blobs: any BlobStore, logger: Logger) {
        self.metadata = metadata
        self.blobs = blobs
        self.logger = logger
    }

    /// From now on, `check()` answers not ready: a graceful shutdown has begun.
    public func drain() { draining.store(true, ordering: .relaxed) }

    /// Why the process is not ready, or `nil` when it is. Each store answers one small read: the metadata store its
    /// current resourceVersion, the blob store the size of a blob (a missing one is an answer too). The reason is
    /// short and safe to show anyone; the store's error is logged.
    public func check() async -> String? {
        if draining.load(ordering: .relaxed) { return "shutting down" }
        do {
            _ = try await metadata.read { try await $0.objects.currentResourceVersion() }
        } catch {
            logger.warning("not ready: the metadata store does not answer", metadata: ["error": "\(error)"])
            return "the metadata store does not answer"
        }
        do {
            _ = try await blobs.size(of: Digest.sha256(of: []))
        } catch {
            logger.warning("not ready: the blob store does not answer", metadata: ["error": "\(error)"])
            return "the blob store does not answer"
        }
        return nil
    }
}

/// Marks `readiness` draining the moment a graceful shutdown begins. It must be the last service of its group, so
/// that it hears of the shutdown first, before the server stops accepting connections.
public struct ReadinessDrain: Service {
    let readiness: Readiness

    public init(_ readiness: Readiness) { self.readiness = readiness }

    public func run() async throws {
        try? await gracefulShutdown()
        readiness.drain()
    }
}
