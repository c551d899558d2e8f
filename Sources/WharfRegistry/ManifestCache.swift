import Synchronization
import WharfModel

/// Recently served manifests by digest. Content-addressed bytes never change, so the cache needs no invalidation,
/// only a bound on its size: at most `limit` bytes of manifests, the oldest leaving first, each in O(1). This is the
/// one cache in Wharf that grows with traffic (to 32 MiB in `Registry`), which is why RSS rises by about that much in
/// the first minutes of a busy registry and then stays flat.
final class ManifestCache: Sendable {
    private struct State {
        var entries: [Digest: [UInt8]] = [:]
        /// Insertion order; the live part starts at `head`, and the array is compacted once half of it is dead.
        var order: [Digest] = []
        var head = 0
        var bytes = 0
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func get(_ digest: Digest) -> [UInt8]? { state.withLock { $0.entries[digest] } }

    /// The bytes the cache holds now.
    var size: Int { state.withLock { $0.bytes } }

    func put(_ bytes: [UInt8], for digest: Digest) {
        guard bytes.count <= limit / 4 else { return }
        state.withLock { state in
            guard state.entries[digest] == nil else { return }
            state.entries[digest] = bytes
            state.order.append(digest)
            state.bytes += bytes.count
            while state.bytes > limit, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                state.bytes -= state.entries.removeValue(forKey: oldest)?.count ?? 0
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}
