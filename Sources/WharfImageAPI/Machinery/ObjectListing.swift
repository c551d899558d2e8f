import WharfModel
import WharfStorage

/// How LIST and WATCH see one stored kind: its list kind, selectable fields and labels.
struct ListedKind<Object: Codable & Sendable>: Sendable {
    let kind: String
    let listKind: String
    /// Field selector names this kind supports.
    let fields: [String]
    let fieldValue: @Sendable (Object, String) -> String
    let labels: @Sendable (Object) -> [String: String]?
    let decorate: @Sendable (Object) -> Object
    /// Whether a stored document already reads as `decorate` would make it, so a LIST may answer it as it is.
    let isCurrent: @Sendable (StoredObject) -> Bool

    func matches(_ object: Object, _ options: ListOptions) -> Bool {
        options.labelSelector.matches(labels(object)) && options.fieldSelector.matches { fieldValue(object, $0) }
    }
}

extension ImageAPI {
    /// LIST with selectors and `limit`/`continue` pages cut from one snapshot.
    func list<Object>(_ listed: ListedKind<Object>, namespace: String?, options: ListOptions) async throws -> ObjectList<Object> {
        if let token = options.continueToken, !token.isEmpty {
            let page = try snapshots.next(token, limit: options.limit)
            let items = try page.items.map { try ObjectCodec.decode(Object.self, from: $0) }
            return ObjectList(kind: listed.listKind, metadata: ListMeta(resourceVersion: page.resourceVersion, continue: page.token), items: items)
        }
        let (objects, resourceVersion) = try await metadata.read { tx in
            (try await tx.objects.list(kind: listed.kind, namespace: namespace), try await tx.objects.currentResourceVersion())
        }
        let matching = try objects.map { listed.decorate(try ObjectCodec.decode(Object.self, from: $0.document)) }.filter { listed.matches($0, options) }
        guard let limit = options.limit, limit > 0, matching.count > limit else {
            return ObjectList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion)), items: matching)
        }
        // Only the items after this page are kept, encoded, for the next pages.
        let rest = try matching.dropFirst(limit).map { try ObjectCodec.encode($0) }
        let token = snapshots.keep(rest, resourceVersion: String(resourceVersion))
        return ObjectList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion), continue: token),
                          items: Array(matching.prefix(limit)))
    }

    /// LIST as stored documents, with the same items and pages as `list`, or `nil` when the first page selects by
    /// label or field (selectors need decoded objects). Documents that are not current (`ListedKind.isCurrent`) are
    /// decoded, decorated and encoded again; the others are answered without decoding.
    func listDocuments<Object>(_ listed: ListedKind<Object>, namespace: String?, options: ListOptions) async throws -> EncodedList? {
        if let token = options.continueToken, !token.isEmpty {
            let page = try snapshots.next(token, limit: options.limit)
            return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: page.resourceVersion, continue: page.token),
                               items: page.items)
        }
        guard options.labelSelector == .everything, options.fieldSelector == .everything else { return nil }
        let (objects, resourceVersion) = try await metadata.read { tx in
            (try await tx.objects.list(kind: listed.kind, namespace: namespace), try await tx.objects.currentResourceVersion())
        }
        let documents = try objects.map { object in
            listed.isCurrent(object)
                ? object.document : try ObjectCodec.encode(listed.decorate(try ObjectCodec.decode(Object.self, from: object.document)))
        }
        let (items, token) = snapshots.page(documents, resourceVersion: String(resourceVersion), limit: options.limit)
        return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion), continue: token), items: items)
    }
}

extension [UInt8] {
    /// Whether `bytes` occur at `index`.
    func has(_ bytes: [UInt8], at index: Int) -> Bool {
        index >= 0 && index + bytes.count <= count && self[index..<(index + bytes.count)].elementsEqual(bytes)
    }
}
