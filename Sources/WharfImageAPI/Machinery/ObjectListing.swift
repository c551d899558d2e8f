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

    /// LIST with selectors and `limit`/`continue` pages cut from one snapshot, as stored documents. Documents that are
    /// not current (`ListedKind.isCurrent`) are decoded, decorated and encoded again; the others are answered as they
    /// are. Selectors decode every document in scope to match it, and then answer the matching documents likewise.
    ///
    /// The list's resourceVersion is read before its objects: the reads of a view may see different commits, and a
    /// change committed between them is then in the objects or after the resourceVersion, so a watch from it misses
    /// nothing (it may see a change twice).
    ///
    /// A first page of a list longer than its `limit` plus `ListSnapshots.itemsKept` keeps the rest as keys, and
    /// without selectors it reads only the keys and its own documents: memory stays bounded however many objects there
    /// are (see `continued`).
    func listDocuments<Object>(_ listed: ListedKind<Object>, namespace: String?, options: ListOptions) async throws -> EncodedList {
        if let token = options.continueToken, !token.isEmpty {
            let page = try await continued(listed, token, limit: options.limit)
            return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: page.resourceVersion, continue: page.token),
                               items: page.items)
        }
        let selects = options.labelSelector != .everything || options.fieldSelector != .everything
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        if !selects, let limit {
            let (resourceVersion, keys) = try await metadata.read { tx in
                (try await tx.objects.currentResourceVersion(), try await tx.objects.keys(kind: listed.kind, namespace: namespace))
            }
            if keys.count > limit, keys.count - limit > ListSnapshots.itemsKept {
                return firstPage(listed, items: try await documents(listed, of: Array(keys.prefix(limit)), asOf: nil),
                                 rest: Array(keys.dropFirst(limit)), resourceVersion: resourceVersion)
            }
        }
        let (resourceVersion, objects) = try await metadata.read { tx in
            (try await tx.objects.currentResourceVersion(), try await tx.objects.list(kind: listed.kind, namespace: namespace))
        }
        let matching = selects
            ? try objects.filter { listed.matches(listed.decorate(try ObjectCodec.decode(Object.self, from: $0.document)), options) } : objects
        if let limit, matching.count > limit, matching.count - limit > ListSnapshots.itemsKept {
            return firstPage(listed, items: try matching.prefix(limit).map { try document(listed, $0) },
                             rest: matching.dropFirst(limit).map(\.key), resourceVersion: resourceVersion)
        }
        let (items, token) = snapshots.page(try matching.map { try document(listed, $0) }, resourceVersion: String(resourceVersion),
                                            limit: limit)
        return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion), continue: token), items: items)
    }

    /// A first page whose `rest` is kept as keys.
    private func firstPage<Object>(_ listed: ListedKind<Object>, items: [[UInt8]], rest: [ObjectKey], resourceVersion: Int64) -> EncodedList {
        let token = snapshots.keep(.keys(rest), resourceVersion: String(resourceVersion))
        return EncodedList(kind: listed.listKind, metadata: ListMeta(resourceVersion: String(resourceVersion), continue: token), items: items)
    }

    /// The next page of the list that `token` continues. A rest kept as keys is read now: an object that changed or
    /// went away after the first page can no longer be shown as it was, so the token is `expired` (410), as when
    /// Kubernetes has compacted a list's resourceVersion.
    func continued<Object>(_ listed: ListedKind<Object>, _ token: String, limit: Int?) async throws
        -> (items: [[UInt8]], resourceVersion: String, token: String?) {
        let (rest, resourceVersion) = try snapshots.take(token)
        switch rest {
        case .items(let items):
            let (page, next) = snapshots.page(items, resourceVersion: resourceVersion, limit: limit)
            return (page, resourceVersion, next)
        case .keys(let keys):
            let count = limit.flatMap { $0 > 0 ? $0 : nil } ?? keys.count
            let items = try await documents(listed, of: Array(keys.prefix(count)), asOf: Int64(resourceVersion) ?? 0)
            let next = keys.count > count ? snapshots.keep(.keys(Array(keys.dropFirst(count))), resourceVersion: resourceVersion) : nil
            return (items, resourceVersion, next)
        }
    }

    /// The answer documents of the objects at `keys`; `ListSnapshots.expired` when one is gone or newer than `asOf`.
    private func documents<Object>(_ listed: ListedKind<Object>, of keys: [ObjectKey], asOf resourceVersion: Int64?) async throws -> [[UInt8]] {
        let objects = try await metadata.read { tx in
            var objects: [StoredObject] = []
            for key in keys {
                let object = try await tx.objects.get(key)
                if let object, object.resourceVersion <= resourceVersion ?? .max {
                    objects.append(object)
                } else if resourceVersion != nil {
                    throw ListSnapshots.expired
                }
            }
            return objects
        }
        return try objects.map { try document(listed, $0) }
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
