import ServiceLifecycle

/// Housekeeping that runs every `interval` until graceful shutdown: at once, then after each pause. A failed round
/// is left for the next one, since the chores only clean up (abandoned uploads, stale login failures) and lose
/// nothing by waiting.
struct PeriodicChore: Service {
    let interval: Duration
    let work: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try? await work()
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
