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
    /// LIST as decoded objects: the pages of `listDocuments`, decoded (for Table answers, watches and callers inside
    /// the API).
    func list<Object>(_ listed: ListedKind<Object>, namespace: String?, options: ListOptions) async throws -> ObjectList<Object> {
        let page = try await listDocuments(listed, namespace: namespace, options: options)
        return ObjectList(kind: page.kind, metadata: page.metadata, items: try page.items.map { try ObjectCodec.decode(Object.self, from: $0) })
    }

    /// LIST with selectors and `limit`/`continue` pages, as stored documents. Documents that are not current
    /// (`ListedKind.isCurrent`) are decoded, decorated and encoded again; the others are answered as they are. Selectors
    /// decode every document in scope to match it, and then answer the matching documents likewise.
    ///
    /// The list's resourceVersion is read before its objects: the reads of a view may see different commits, and a
    /// change committed between them is then in the objects or after the resourceVersion, so a watch from it misses
    /// nothing (it may see a change twice).
    ///
    /// Pages: a `ContinueToken` says where the last page ended and which resourceVersion the list shows, so every page
    /// may come from another replica and nothing is kept between them. A next page reads the objects after the token's
    /// key as they are now, then checks the event log: when an object after the key changed since the token's
    /// resourceVersion (or the log no longer reaches back that far) the page could not show the list as it was, and
    /// the token is `expired` (410), as when Kubernetes has compacted a list's resourceVersion. Changes before the key
    /// do not matter. Without selectors a page reads the keys and its own documents only, so memory stays bounded
    /// however many objects there are.
    func listDocuments<Object>(_ listed: ListedKind<Object>, namespace: String?, options: ListOptions) async throws -> EncodedList {
        let token = try options.continueToken.flatMap { $0.isEmpty ? nil : try ContinueToken(decoding: $0) }
        let selects = options.labelSelector != .everything || options.fieldSelector != .everything
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        let resourceVersion: Int64
        let page: [StoredObject]
        let more: Bool
        if !selects, let limit {
            let (current, keys) = try await metadata.read { tx in
                (try await tx.objects.currentResourceVersion(), try await tx.objects.keys(kind: listed.kind, namespace: namespace))
            }
            try token?.check(against: current)
            let rest = token.map { token in keys.filter(token.precedes) } ?? keys
            resourceVersion = token?.rv ?? current
            page = try await objects(at: Array(rest.prefix(limit)))
            more = rest.count > limit
        } else {
            let (current, objects) = try await metadata.read { tx in
                (try await tx.objects.currentResourceVersion(), try await tx.objects.list(kind: listed.kind, namespace: namespace))
            }
            try token?.check(against: current)
            let rest = token.map { token in objects.filter { token.precedes($0.key) } } ?? objects
            let matching = selects
                ? try rest.filter { listed.matches(listed.decorate(try ObjectCodec.decode(Object.self, from: $0.document)), options) } : rest
            resourceVersion = token?.rv ?? current
            page = limit.map { Array(matching.prefix($0)) } ?? matching
            more = page.count < matching.count
        }
        if let token { try await requireUnchanged(listed, namespace: namespace, after: token) }
        let next = more ? page.last.map { ContinueToken(resourceVersion: resourceVersion, after: $0.key).encoded } : nil
        return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion), continue: next),
                           items: try page.map { try document(listed, $0) })
    }

    /// The events a continued page may look through: past this many changes since its first page, it is `expired`.
    /// They are read a hundred at a time, as a watch reads them, so memory stays bounded whatever the documents weigh.
    static let continueEventWindow = 1000

    /// Throws `ContinueToken.expired` unless no object of the list after `token`'s key has changed since its
    /// resourceVersion, as far as the event log shows.
    private func requireUnchanged<Object>(_ listed: ListedKind<Object>, namespace: String?, after token: ContinueToken) async throws {
        let oldest = try await metadata.read { try await $0.objects.events(after: 0, limit: 1).first?.resourceVersion }
        if let oldest, token.rv < oldest - 1 { throw ContinueToken.expired }
        var after = token.rv, seen = 0
        while true {
            let events = try await metadata.read { try await $0.objects.events(after: after, limit: 100) }
            if events.contains(where: { $0.key.kind == listed.kind && (namespace == nil || $0.key.namespace == namespace) && token.precedes($0.key) }) {
                throw ContinueToken.expired
            }
            seen += events.count
            guard events.count == 100, let last = events.last else { return }
            if seen >= Self.continueEventWindow { throw ContinueToken.expired }
            after = last.resourceVersion
        }
    }

    /// The objects at `keys` that still exist, in the order of `keys`.
    private func objects(at keys: [ObjectKey]) async throws -> [StoredObject] {
        try await metadata.read { tx in
            var objects: [StoredObject] = []
            for key in keys {
                if let object = try await tx.objects.get(key) { objects.append(object) }
            }
            return objects
        }
    }

    /// A stored object as its LIST item: the document itself when it is current, else decoded, decorated and encoded.
    private func document<Object>(_ listed: ListedKind<Object>, _ object: StoredObject) throws -> [UInt8] {
        listed.isCurrent(object) ? object.document : try ObjectCodec.encode(listed.decorate(try ObjectCodec.decode(Object.self, from: object.document)))
    }
}

extension [UInt8] {
    /// Whether `bytes` occur at `index`.
    func has(_ bytes: [UInt8], at index: Int) -> Bool {
        index >= 0 && index + bytes.count <= count && self[index..<(index + bytes.count)].elementsEqual(bytes)
    }
}
