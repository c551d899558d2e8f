import Synchronization
import WharfStorage

/// What the watches of this process share: how many are open, and one slow poll of the store for all of them.
///
/// A watch wakes at once on a commit of this process (`MetadataStore.commits`). Commits of other processes sharing the
/// database reach no process memory, so every `pollInterval` an idle watch also asks `latestResourceVersion`, which
/// reads the store at most about once per interval however many watches ask: idle watches cost next to nothing.
final class WatchHub: Sendable {
    let metadata: any MetadataStore
    let pollInterval: Duration
    private struct State {
        var open = 0
        var latest: (version: Int64, readAt: ContinuousClock.Instant)?
    }
    private let state = Mutex(State())

    init(metadata: any MetadataStore, pollInterval: Duration) {
        self.metadata = metadata
        self.pollInterval = pollInterval
    }

    /// The watches open now.
    var open: Int { state.withLock { $0.open } }

    /// Counts a watch as open while `body` runs.
    func opened<T>(_ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.open += 1 }
        defer { state.withLock { $0.open -= 1 } }
        return try await body()
    }

    /// The newest resourceVersion of the store, as read within the last half interval (by this watch or another).
    func latestResourceVersion() async throws -> Int64 {
        let now = ContinuousClock.now
        if let latest = state.withLock({ $0.latest }), now - latest.readAt < pollInterval / 2 { return latest.version }
        let version = try await metadata.read { try await $0.objects.currentResourceVersion() }
        state.withLock { state in
            if state.latest.map({ $0.readAt < now }) ?? true { state.latest = (version, now) }
        }
        return version
    }
}
