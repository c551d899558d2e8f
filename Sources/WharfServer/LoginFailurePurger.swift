import ServiceLifecycle
import WharfAccess

/// Deletes the records of wrong passwords that no longer count toward a lockout, every `interval`.
struct LoginFailurePurger: Service {
    let access: AccessControl
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    _ = try? await access.purgeStaleLoginFailures()
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
