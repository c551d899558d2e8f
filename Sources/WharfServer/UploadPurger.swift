import ServiceLifecycle
import WharfRegistry

/// Discards upload sessions their clients abandoned: every `interval`, those started more than `maxAge` seconds ago.
struct UploadPurger: Service {
    let registry: Registry
    let maxAge: Int64
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    _ = try? await registry.purgeUploads(olderThan: maxAge)
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
