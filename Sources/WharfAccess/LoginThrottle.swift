import Foundation
import Synchronization
import WharfModel

/// Counts failed logins per source and refuses a source that failed too often in the last minute.
final class LoginThrottle: Sendable {
    static let limit = 20
    static let window: TimeInterval = 60
    private let failures = Mutex<[String: [Date]]>([:])

    func check(_ source: String) throws {
        let recent = failures.withLock { state -> Int in
            let now = Date()
            state[source] = state[source]?.filter { now.timeIntervalSince($0) < Self.window }
            if state[source]?.isEmpty == true { state[source] = nil }
            return state[source]?.count ?? 0
        }
        if recent >= Self.limit {
            throw WharfError(.tooManyRequests, "too many failed logins from this address; try again in a minute")
        }
    }

    func recordFailure(_ source: String) {
        failures.withLock { state in
            if state.count > 10_000 { state.removeAll() }
            state[source, default: []].append(Date())
        }
    }
}
