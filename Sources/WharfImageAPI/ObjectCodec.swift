import Foundation
import WharfModel
import WharfStorage

/// Encodes API objects to the JSON documents the object store keeps, and back.
enum ObjectCodec {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw WharfError(.internal, "cannot encode \(T.self)", cause: error)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from document: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(document))
        } catch {
            throw WharfError(.internal, "stored \(T.self) is unreadable", cause: error)
        }
    }
}

extension ObjectStore {

    /// Stores `document` for `key` under a fresh resourceVersion and records the watch event, keeping about the
    /// newest `retention` events. `prepare` receives the new resourceVersion so it can be written into the document.
    /// `invalid` when the object has more labels or annotations than `ObjectMeta` allows, `manifestTooLarge` (413)
    /// when it would take more than `ObjectMeta.maxStoredSize` bytes.
    func write<T: StoredAPIObject>(_ key: ObjectKey, uid: String, event: WatchEvent.EventType, retention: Int64,
                                   _ prepare: (String) throws -> T) async throws -> T {
        let resourceVersion = try await nextResourceVersion()
        let object = try prepare(String(resourceVersion))
        let problems = object.metadata.limitProblems
        guard problems.isEmpty else { throw KubernetesError.invalid(key.kind, key.name, problems) }
        let document = try ObjectCodec.encode(object)
        guard document.count <= ObjectMeta.maxStoredSize else {
            throw WharfError(.manifestTooLarge, "the \(key.kind) would take \(document.count) bytes; Wharf stores at most \(ObjectMeta.maxStoredSize)")
        }
        try await put(StoredObject(key: key, uid: uid, resourceVersion: resourceVersion, document: document))
        try await appendEvent(WatchEvent(resourceVersion: resourceVersion, type: event, key: key, document: document))
        if resourceVersion % max(1, retention / 10) == 0 { try await trimEvents(before: resourceVersion - retention) }
        return object
    }
}
