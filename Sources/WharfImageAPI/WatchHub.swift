import Synchronization
import WharfStorage

/// What the watches of this process share: how many are open, and one slow poll of the store for all of them.
///
/// A watch wakes at once on a commit of this process (`MetadataStore.commits`). Commits of other processes sharing the
/// database reach no process memory, so while any watch is open one task reads the store's newest resourceVersion
/// every `pollInterval` and fires `changes` when it moved (and on its first read, which may be later than a watch's
/// own). An idle watch therefore costs nothing while it sleeps, and the store sees one small read per interval however
/// many watches are open.
final class WatchHub: Sendable {
    let metadata: any MetadataStore
    let pollInterval: Duration
    /// Fires when the poll finds that the store may have changed.
    let changes = Wakeup()
    private struct State {
        var open = 0
        var polling = false
    }
    private let state = Mutex(State())

    init(metadata: any MetadataStore, pollInterval: Duration) {
        self.metadata = metadata
        self.pollInterval = pollInterval
    }

    /// The watches open now.
    var open: Int { state.withLock { $0.open } }

    /// Counts a watch as open while `body` runs, and polls the store while any is.
    func opened<T>(_ body: () async throws -> T) async rethrows -> T {
        let startPolling = state.withLock { state in
            state.open += 1
            defer { state.polling = true }
            return !state.polling
        }
        if startPolling { Task { await poll() } }
        defer { state.withLock { $0.open -= 1 } }
        return try await body()
    }

    /// Fires `changes` each time the newest resourceVersion moves, until no watch is open.
    private func poll() async {
        var last: Int64?
        while true {
            try? await Task.sleep(for: pollInterval)
            let done = state.withLock { state in
                if state.open == 0 { state.polling = false }
                return !state.polling
            }
            if done { return }
            guard let latest = try? await metadata.read({ try await $0.objects.currentResourceVersion() }) else { continue }
            if latest != last {
                last = latest
                changes.fire()
            }
        }
    }
}
