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

    public init(namespace: String?, options: ListOptions, resourceVersion: String?, bookmarks: Bool, timeout: Duration) {
        self.namespace = namespace
        self.options = options
        self.resourceVersion = resourceVersion
        self.bookmarks = bookmarks
        self.timeout = timeout
    }
}

extension ImageAPI {
    /// Watches image streams, calling `emit` with one JSON line per event until the timeout or until `emit` throws
    /// (the client went away). Pushes through the registry appear like any other change.
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

    private struct ExpiredStatus: Encodable {
        var kind = "Status", apiVersion = "v1", status = "Failure", reason = "Expired", code = 410
        var metadata: [String: String] = [:]
        var message: String
    }

    static func line<T: Encodable>(_ type: String, _ object: T) throws -> ArraySlice<UInt8> {
        ArraySlice(try ObjectCodec.encode(Line(type: type, object: object)) + [UInt8(ascii: "\n")])
    }

    func watch<Object>(_ listed: ListedKind<Object>, _ request: WatchRequest, emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: request.timeout)
        var last: Int64
        if let text = request.resourceVersion, !text.isEmpty, text != "0" {
            guard let version = Int64(text) else { throw KubernetesError.badRequest("invalid resourceVersion \"\(text)\"") }
            last = version
            let oldest = try await metadata.read { try await $0.objects.events(after: 0, limit: 1).first?.resourceVersion }
            if let oldest, version < oldest - 1 {
                try await emit(try Self.line("ERROR", ExpiredStatus(message: "too old resource version: \(version) (\(oldest - 1))")))
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
        while clock.now < deadline {
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
            if events.count < 500 { try await Task.sleep(for: .milliseconds(200)) }
        }
    }
}
