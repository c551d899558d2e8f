import Synchronization
import WharfModel

/// Recently served manifests by digest. Content-addressed bytes never change, so the cache needs no invalidation,
/// only a bound on its size (oldest entries leave first).
final class ManifestCache: Sendable {
    private struct State {
        var entries: [Digest: [UInt8]] = [:]
        var order: [Digest] = []
        var bytes = 0
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func get(_ digest: Digest) -> [UInt8]? { state.withLock { $0.entries[digest] } }

    func put(_ bytes: [UInt8], for digest: Digest) {
        guard bytes.count <= limit / 4 else { return }
        state.withLock { state in
            guard state.entries[digest] == nil else { return }
            state.entries[digest] = bytes
            state.order.append(digest)
            state.bytes += bytes.count
            while state.bytes > limit, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.entries.removeValue(forKey: oldest)?.count ?? 0
            }
        }
    }
}
