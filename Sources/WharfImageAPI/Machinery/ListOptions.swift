import Foundation
import Synchronization
import WharfModel
import WharfStorage

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

/// What a LIST keeps of its rest for the `continue` pages: the items themselves, or, for a long list, only their keys
/// (see `ImageAPI.listDocuments`).
enum ListRest: Sendable {
    case items([[UInt8]])
    case keys([ObjectKey])
}

/// The rest of a paginated LIST, kept so that every page comes from one consistent snapshot.
/// Snapshots live in this process for five minutes; an unknown or expired token is `expired` (410).
final class ListSnapshots: Sendable {
    private struct Snapshot {
        var rest: ListRest
        var resourceVersion: String
        var created: Date
    }
    private let snapshots = Mutex<[String: Snapshot]>([:])
    static let lifetime: TimeInterval = 300
    /// A rest longer than this is kept as keys only.
    static let itemsKept = 500

    static let expired = WharfError(.expired, "The provided continue parameter is too old to display a consistent list result. "
                                    + "You can start a new list without the continue parameter.")

    /// Keeps `rest` (what follows a list's first page) under a new token, which it returns.
    func keep(_ rest: ListRest, resourceVersion: String) -> String {
        let token = UUID().uuidString.lowercased()
        snapshots.withLock { state in
            state = state.filter { Date().timeIntervalSince($0.value.created) < Self.lifetime }
            state[token] = Snapshot(rest: rest, resourceVersion: resourceVersion, created: Date())
        }
        return token
    }

    /// Returns the first `limit` items, keeping the rest under a new token.
    func page(_ items: [[UInt8]], resourceVersion: String, limit: Int?) -> (items: [[UInt8]], token: String?) {
        guard let limit, limit > 0, items.count > limit else { return (items, nil) }
        return (Array(items.prefix(limit)), keep(.items(Array(items.dropFirst(limit))), resourceVersion: resourceVersion))
    }

    /// Removes and returns the snapshot of `token`; `expired` when it is unknown or too old.
    func take(_ token: String) throws -> (rest: ListRest, resourceVersion: String) {
        let snapshot = snapshots.withLock { $0.removeValue(forKey: token) }
        guard let snapshot, Date().timeIntervalSince(snapshot.created) < Self.lifetime else { throw Self.expired }
        return (snapshot.rest, snapshot.resourceVersion)
    }
}
