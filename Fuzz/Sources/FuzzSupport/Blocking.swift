import Foundation

/// Runs async `work` to completion from libFuzzer's synchronous callback.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        box.done.signal()
    }
    box.done.wait()
    return box.result!
}

/// The result of one `blocking` call: written by its task before `done` is signalled, read only after.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
}
