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
/// Snapshots live in this process for five minutes, and at most `maxSnapshots` of them holding at most `maxBytes` in
/// all are kept, the oldest leaving first, so that clients that start lists and never finish them cannot fill memory.
/// An unknown, evicted or expired token is `expired` (410), and the client starts its list again.
final class ListSnapshots: Sendable {
    private struct Snapshot {
        var rest: ListRest
        var resourceVersion: String
        var created: Date
        var bytes: Int
    }
    private struct State {
        var snapshots: [String: Snapshot] = [:]
        var order: [String] = []
        var bytes = 0
    }
    private let state = Mutex(State())
    static let lifetime: TimeInterval = 300
    /// A rest longer than this is kept as keys only.
    static let itemsKept = 500
    static let maxSnapshots = 1000
    static let maxBytes = 64 << 20

    static let expired = WharfError(.expired, "The provided continue parameter is too old to display a consistent list result. "
                                    + "You can start a new list without the continue parameter.")

    /// Keeps `rest` (what follows a list's first page) under a new token, which it returns.
    func keep(_ rest: ListRest, resourceVersion: String) -> String {
        let token = UUID().uuidString.lowercased()
        let bytes = switch rest {
        case .items(let items): items.reduce(64) { $0 + $1.count }
        case .keys(let keys): keys.reduce(64) { $0 + $1.namespace.utf8.count + $1.name.utf8.count + 48 }
        }
        let now = Date()
        state.withLock { state in
            while let oldest = state.order.first, state.snapshots[oldest].map({ now.timeIntervalSince($0.created) >= Self.lifetime }) ?? true
                    || state.order.count >= Self.maxSnapshots || state.bytes + bytes > Self.maxBytes {
                state.order.removeFirst()
                state.bytes -= state.snapshots.removeValue(forKey: oldest)?.bytes ?? 0
            }
            state.snapshots[token] = Snapshot(rest: rest, resourceVersion: resourceVersion, created: now, bytes: bytes)
            state.order.append(token)
            state.bytes += bytes
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
        let snapshot = state.withLock { state -> Snapshot? in
            guard let snapshot = state.snapshots.removeValue(forKey: token) else { return nil }
            state.bytes -= snapshot.bytes
            state.order.removeAll { $0 == token }
            return snapshot
        }
        guard let snapshot, Date().timeIntervalSince(snapshot.created) < Self.lifetime else { throw Self.expired }
        return (snapshot.rest, snapshot.resourceVersion)
    }
}
