import Foundation
import WharfModel
import WharfStorage

/// What a watch asks for (reference §11.4).
public struct WatchRequest: Sendable {
    public var namespace: String?
    public var options: ListOptions
    /// Start after this resourceVersion; `nil`, empty or `"0"` first replays the current objects as ADDED.
    public var resourceVersion: String?
    public var bookmarks: Bool
    public var timeout: Duration
    /// Fire it to end the watch early (the server is shutting down, or the client went away): the watch then sends a
    /// last event, a BOOKMARK with the resourceVersion it has reached when the client asked for bookmarks and an
    /// ERROR Status (503 ServiceUnavailable) otherwise, and returns.
    public var stop: Wakeup

    public init(namespace: String?, options: ListOptions, resourceVersion: String?, bookmarks: Bool, timeout: Duration,
                stop: Wakeup = Wakeup()) {
        self.namespace = namespace
        self.options = options
        self.resourceVersion = resourceVersion
        self.bookmarks = bookmarks
        self.timeout = timeout
        self.stop = stop
    }
}

extension ImageAPI {
    /// The watches open in this process.
    public var activeWatches: Int { watches.open }

    /// Watches image streams, calling `emit` with one JSON line per event until the timeout, until `request.stop`
    /// fires, or until `emit` throws (the client went away). Pushes through the registry appear like any other change.
    ///
    /// An idle watch does no work: it sleeps until a commit of this process, a change of the store that the shared poll
    /// found (commits of other processes, within `watchPollInterval`), its next bookmark or its deadline.
    public func watchImageStreams(_ request: WatchRequest, emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await watch(streamKind, request, emit: emit)
    }

    /// Watches Images, as `watchImageStreams` does.
    public func watchImages(_ request: WatchRequest, emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await watch(imageKind, request, emit: emit)
    }

    private struct Line<Object: Encodable>: Encodable {
        var type: String
        var object: Object
    }

    private struct Bookmark: Encodable {
        struct Meta: Encodable { var resourceVersion: String }
        var kind: String
        var apiVersion = ImageAPIGroup.version
        var metadata: Meta
    }

    private struct FailureStatus: Encodable {
        var kind = "Status", apiVersion = "v1", status = "Failure"
        var metadata: [String: String] = [:]
        var message: String
        var reason: String
        var code: Int

        static func expired(_ message: String) -> Self { Self(message: message, reason: "Expired", code: 410) }
        static let shuttingDown = Self(message: "the server is shutting down; watch again", reason: "ServiceUnavailable", code: 503)
    }

    static func line<T: Encodable>(_ type: String, _ object: T) throws -> ArraySlice<UInt8> {
        ArraySlice(try ObjectCodec.encode(Line(type: type, object: object)) + [UInt8(ascii: "\n")])
    }

    func watch<Object>(_ listed: ListedKind<Object>, _ request: WatchRequest, emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await watches.opened {
            try await watchLoop(listed, request, emit: emit)
        }
    }

    private func watchLoop<Object>(_ listed: ListedKind<Object>, _ request: WatchRequest, emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: request.timeout)
        // Read before the first read of the store, so that no commit after it goes unnoticed.
        var (commitsSeen, changesSeen) = (metadata.commits.count, watches.changes.count)
        var last: Int64
        if let text = request.resourceVersion, !text.isEmpty, text != "0" {
            guard let version = Int64(text) else { throw KubernetesError.badRequest("invalid resourceVersion \"\(text)\"") }
            last = version
            let oldest = try await metadata.read { try await $0.objects.events(after: 0, limit: 1).first?.resourceVersion }
            if let oldest, version < oldest - 1 {
                try await emit(try Self.line("ERROR", FailureStatus.expired("too old resource version: \(version) (\(oldest - 1))")))
                return
            }
        } else {
            let current = try await list(listed, namespace: request.namespace, options: ListOptions(labelSelector: request.options.labelSelector,
                                                                                                  fieldSelector: request.options.fieldSelector))
            for item in current.items { try await emit(try Self.line("ADDED", item)) }
            last = Int64(current.metadata.resourceVersion ?? "") ?? 0
        }
        var lastBookmark = clock.now
        let bookmarkInterval = min(Duration.seconds(10), request.timeout / 2)
        // Events and a due bookmark are sent once more after each wait, even when it ended at the deadline: a watch on
        // a loaded machine that wakes late still delivers what was committed and the bookmark it owed.
        while true {
            let events = try await metadata.read { try await $0.objects.events(after: last, limit: 500) }
            for event in events {
                last = event.resourceVersion
                guard event.key.kind == listed.kind, request.namespace == nil || event.key.namespace == request.namespace else { continue }
                let object = listed.decorate(try ObjectCodec.decode(Object.self, from: event.document))
                guard listed.matches(object, request.options) else { continue }
                try await emit(try Self.line(event.type.rawValue, object))
            }
            if request.bookmarks, clock.now - lastBookmark >= bookmarkInterval {
                try await emit(try Self.line("BOOKMARK", Bookmark(kind: listed.kind, metadata: .init(resourceVersion: String(last)))))
                lastBookmark = clock.now
            }
            if request.stop.count > 0 || clock.now >= deadline { break }
            if events.count == 500 { continue }
            // Idle until a commit here, a change the poll found, the next bookmark, the deadline or the stop.
            while true {
                var wake = deadline
                if request.bookmarks { wake = min(wake, lastBookmark.advanced(by: bookmarkInterval)) }
                await Wakeup.first(of: [(metadata.commits, seen: commitsSeen), (watches.changes, seen: changesSeen), (request.stop, seen: 0)],
                                   deadline: wake)
                try Task.checkCancellation()
                if request.stop.count > 0 || clock.now >= deadline { break }
                let (commits, changes) = (metadata.commits.count, watches.changes.count)
                if commits != commitsSeen || changes != changesSeen {
                    (commitsSeen, changesSeen) = (commits, changes)
                    break
                }
                if request.bookmarks, clock.now - lastBookmark >= bookmarkInterval { break }
            }
            if request.stop.count > 0 { break }
        }
        guard request.stop.count > 0 else { return }
        if request.bookmarks {
            try await emit(try Self.line("BOOKMARK", Bookmark(kind: listed.kind, metadata: .init(resourceVersion: String(last)))))
        } else {
            try await emit(try Self.line("ERROR", FailureStatus.shuttingDown))
        }
    }
}
