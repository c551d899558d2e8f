import Synchronization

/// A broadcast that wakes waiting tasks: each `fire()` wakes every task waiting for a fire after the count it saw.
///
/// A metadata store fires its `commits` after each commit it makes, so that watchers in this process wake at once
/// instead of polling. A waiter costs no work while it waits: it sleeps until a fire, its deadline or its cancellation.
/// Fires of other processes never reach it, so a watcher still polls the shared store, slowly, as a fallback.
public final class Wakeup: Sendable {
    private struct State {
        var count: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// How many times it has fired.
    public var count: UInt64 { state.withLock { $0.count } }

    /// Wakes every waiter.
    public func fire() {
        let waiters = state.withLock { state in
            state.count += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the count exceeds `seen`, or at once when the task is cancelled.
    public func wait(beyond seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.count > seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Returns once one of `wakeups` fires beyond the count given with it, once `deadline` passes, or once the task is
    /// cancelled, whichever comes first.
    public static func first(of wakeups: [(Wakeup, seen: UInt64)], deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            for (wakeup, seen) in wakeups {
                group.addTask { await wakeup.wait(beyond: seen) }
            }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }
}
