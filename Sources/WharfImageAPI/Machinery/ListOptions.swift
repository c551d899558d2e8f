import Foundation
import Synchronization
import WharfModel

/// The options of a LIST or WATCH (reference §11.3–11.4).
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// At most this many items per page; `nil` for all.
    public var limit: Int?
    /// The token of the page to continue from.
    public var continueToken: String?

    public init(labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything, limit: Int? = nil,
                continueToken: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
    }
}

/// The rest of a paginated LIST, kept so that every page comes from one consistent snapshot.
/// Snapshots live in this process for five minutes; an unknown or expired token is `expired` (410).
final class ListSnapshots: Sendable {
    private struct Snapshot {
        var items: [[UInt8]]
        var resourceVersion: String
        var created: Date
    }
    private let snapshots = Mutex<[String: Snapshot]>([:])
    static let lifetime: TimeInterval = 300

    /// Keeps `items` (the rest of a list after its first page) under a new token, which it returns.
    func keep(_ items: [[UInt8]], resourceVersion: String) -> String {
        let token = UUID().uuidString.lowercased()
        snapshots.withLock { state in
            state = state.filter { Date().timeIntervalSince($0.value.created) < Self.lifetime }
            state[token] = Snapshot(items: items, resourceVersion: resourceVersion, created: Date())
        }
        return token
    }

    /// Returns the first `limit` items, keeping the rest under a new token.
    func page(_ items: [[UInt8]], resourceVersion: String, limit: Int?) -> (items: [[UInt8]], token: String?) {
        guard let limit, limit > 0, items.count > limit else { return (items, nil) }
        return (Array(items.prefix(limit)), keep(Array(items.dropFirst(limit)), resourceVersion: resourceVersion))
    }

    /// The next page of a snapshot.
    func next(_ token: String, limit: Int?) throws -> (items: [[UInt8]], resourceVersion: String, token: String?) {
        let snapshot = snapshots.withLock { $0.removeValue(forKey: token) }
        guard let snapshot, Date().timeIntervalSince(snapshot.created) < Self.lifetime else {
            throw WharfError(.expired, "The provided continue parameter is too old to display a consistent list result. "
                             + "You can start a new list without the continue parameter.")
        }
        let (items, next) = page(snapshot.items, resourceVersion: snapshot.resourceVersion, limit: limit)
        return (items, snapshot.resourceVersion, next)
    }
}
