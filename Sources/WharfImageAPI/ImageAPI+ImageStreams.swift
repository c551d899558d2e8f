import Foundation
public import WharfModel
import WharfStorage

extension ImageAPI {
    var streamKind: ListedKind<ImageStream> {
        ListedKind(
            kind: Kind.imageStream, listKind: "ImageStreamList",
            fields: ["metadata.name", "metadata.namespace", "spec.dockerImageRepository", "status.dockerImageRepository"],
            fieldValue: { stream, field in
                switch field {
                case "metadata.name": return stream.metadata.name ?? ""
                case "metadata.namespace": return stream.metadata.namespace ?? ""
                case "spec.dockerImageRepository": return stream.spec.dockerImageRepository ?? ""
                default: return stream.status.dockerImageRepository
                }
            },
            labels: { $0.metadata.labels }, decorate: { decorate($0) }, isCurrent: { isCurrent($0) })
    }

    /// How every decorated stream document begins (keys sorted).
    private static let streamHead = Array(#"{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":"#.utf8)

    /// Whether a stored stream document is what `decorate` makes of it with this API's hostnames. Streams are stored
    /// decorated (`save`), so only the repositories in `status` can be out of date: they follow the hostnames, which
    /// may have changed since. With sorted keys `status` opens with them, and a quote in a JSON string is escaped, so
    /// the first `"status":{` is the object's own.
    func isCurrent(_ stored: StoredObject) -> Bool {
        let document = stored.document, key = stored.key
        guard document.has(Self.streamHead, at: 0), let start = document.firstRange(of: Self.statusKey)?.lowerBound else { return false }
        let repository = dockerImageRepository(namespace: key.namespace, name: key.name)
        var expected = Self.statusKey + Array(#""dockerImageRepository":"#.utf8) + Self.jsonString(repository)
        if let publicHostname {
            expected += Array(#","publicDockerImageRepository":"#.utf8) + Self.jsonString("\(publicHostname)/\(key.namespace)/\(key.name)")
        }
        guard document.has(expected, at: start) else { return false }
        let next = start + expected.count
        return document.has(Array("}".utf8), at: next) || document.has(Array(#","tags":"#.utf8), at: next)
    }

    private static let statusKey = Array(#""status":{"#.utf8)

    private static func jsonString(_ text: String) -> [UInt8] {
        (try? ObjectCodec.encode(text)) ?? []
    }

    /// Streams matching `options` as stored documents, ordered by namespace then name (see `listDocuments`).
    public func imageStreamDocuments(namespace: String?, options: ListOptions = ListOptions()) async throws -> EncodedList {
        try await listDocuments(streamKind, namespace: namespace, options: options)
    }

    /// The stream `namespace/name`; `notFound` (resource `imagestreams`) when absent.
    public func imageStream(namespace: String, name: String) async throws -> ImageStream {
        try await metadata.read { tx in try await existingStream(namespace: namespace, name: name, in: tx) }
    }

    /// Streams in `namespace`, or in every namespace when `nil`, ordered by namespace then name.
    public func imageStreams(namespace: String?, options: ListOptions = ListOptions()) async throws -> ObjectList<ImageStream> {
        try await list(streamKind, namespace: namespace, options: options)
    }

    /// Creates a stream (POST imagestreams): the status sent is discarded, generation starts at 1 and spec tags are
    /// resolved. `alreadyExists` when taken; `invalid` for a bad name or spec; `badRequest` when the body's namespace
    /// differs from the URL's.
    public func createImageStream(_ stream: ImageStream, namespace: String) async throws -> ImageStream {
        var stream = stream
        try Self.checkNamespace(stream.metadata.namespace, namespace)
        if stream.metadata.name?.isEmpty ?? true, let prefix = stream.metadata.generateName, !prefix.isEmpty {
            stream.metadata.name = prefix + Self.randomSuffix()
        }
        let name = stream.metadata.name ?? ""
        try Self.validateStreamName(namespace: namespace, name: name)
        try Self.validateSpec(stream, name: name)
        if stream.metadata.resourceVersion?.isEmpty == false {
            // Kubernetes answers 500 InternalError here; bad input is a 400 in Wharf.
            throw KubernetesError.badRequest("resourceVersion should not be set on objects to be created")
        }
        return try await metadata.transaction { tx in
            guard try await imageStream(namespace: namespace, name: name, in: tx) == nil else {
                throw KubernetesError.alreadyExists("imagestreams", name)
            }
            stream.metadata.namespace = namespace
            stream.status = ImageStreamStatus()
            stream.spec.tags = stream.spec.tags.map { tags in tags.map { var tag = $0; tag.generation = 1; return tag } }
            stream.metadata.generation = 1
            stream = decorate(stream)
            try await resolveSpecTags(of: &stream, changed: Set((stream.spec.tags ?? []).map(\.name)), in: tx)
            return try await insertStream(stream, namespace: namespace, in: tx)
        }
    }

    /// Replaces a stream (PUT). With `status`, only the status changes (the `status` subresource); otherwise the status
    /// sent is ignored, changed spec tags are resolved and the generation advances when the spec changes.
    /// `resourceVersion` is required (`invalid`) and must be current (`conflict`). An update that changes nothing is
    /// not written and keeps its resourceVersion.
    public func updateImageStream(_ stream: ImageStream, namespace: String, name: String, status: Bool) async throws -> ImageStream {
        try Self.checkIdentity(stream.metadata, namespace: namespace, name: name)
        guard let version = stream.metadata.resourceVersion, !version.isEmpty else {
            throw KubernetesError.invalid("ImageStream", name, [FieldCause(.invalid, field: "metadata.resourceVersion",
                                                                           message: "Invalid value: 0x0: must be specified for an update")])
        }
        try Self.validateSpec(stream, name: name)
        return try await metadata.transaction { tx in
            let old = try await existingStream(namespace: namespace, name: name, in: tx)
            guard old.metadata.resourceVersion == version else { throw KubernetesError.conflict("imagestreams", name) }
            return try await replace(old, with: stream, status: status, in: tx)
        }
    }

    /// Applies a patch to a stream (or to its status) and saves it like an update. A server-side apply
    /// (`application/apply-patch+yaml`) of a missing stream creates it.
    public func patchImageStream(namespace: String, name: String, type: PatchType, patch: JSONValue, status: Bool) async throws -> Written<ImageStream> {
        do {
            return Written(object: try await patchExistingStream(namespace: namespace, name: name, type: type, patch: patch, status: status),
                           created: false)
        } catch let error as WharfError where error.code == .notFound && error.resource == "imagestreams" && type == .apply && !status {
            var stream = try Self.decodePatched(ImageStream.self, patch, kind: "ImageStream", name: name)
            stream.metadata.name = stream.metadata.name ?? name
            return Written(object: try await createImageStream(stream, namespace: namespace), created: true)
        }
    }

    /// The patch runs outside the write transaction (`updateUnlessChanged`).
    private func patchExistingStream(namespace: String, name: String, type: PatchType, patch: JSONValue, status: Bool) async throws -> ImageStream {
        try await updateUnlessChanged(resource: "imagestreams", name: name) {
            let old = try await imageStream(namespace: namespace, name: name)
            let patched = try Patch.apply(type, patch, to: try JSONValue(encoding: old), sizeLimit: ObjectMeta.maxStoredSize)
            let new = try Self.decodePatched(ImageStream.self, patched, kind: "ImageStream", name: name)
            try Self.checkIdentity(new.metadata, namespace: namespace, name: name)
            if let version = new.metadata.resourceVersion, !version.isEmpty, version != old.metadata.resourceVersion {
                throw KubernetesError.conflict("imagestreams", name)
            }
            try Self.validateSpec(new, name: name)
            return try await metadata.transaction { tx in
                let current = try await existingStream(namespace: namespace, name: name, in: tx)
                guard current.metadata.resourceVersion == old.metadata.resourceVersion else { return nil }
                return try await replace(current, with: new, status: status, in: tx)
            }
        }
    }

    /// Deletes a stream and its tags from the registry's index. The Images stay. Returns the deleted stream's uid.
    public func deleteImageStream(namespace: String, name: String) async throws -> String {
        try await metadata.transaction { tx in try await removeStream(try existingStream(namespace: namespace, name: name, in: tx), in: tx) }
    }

    /// Deletes every stream in `namespace` that matches the selectors, returning them.
    public func deleteImageStreams(namespace: String?, options: ListOptions) async throws -> ObjectList<ImageStream> {
        let selection = try await imageStreams(namespace: namespace, options: ListOptions(labelSelector: options.labelSelector,
                                                                                          fieldSelector: options.fieldSelector))
        try await metadata.transaction { tx in
            for stream in selection.items {
                if let current = try await imageStream(namespace: stream.metadata.namespace ?? "", name: stream.metadata.name ?? "", in: tx) {
                    _ = try await removeStream(current, in: tx)
                }
            }
        }
        return selection
    }

    // MARK: - Rules

    /// Throws `invalid` with field causes unless `namespace/name` is a valid repository.
    static func validateStreamName(namespace: String, name: String) throws {
        var causes: [FieldCause] = []
        if name.isEmpty {
            causes.append(FieldCause(.required, field: "metadata.name", message: "Required value: name or generateName is required"))
        } else if let problem = RepositoryName.streamNameProblem(name) {
            causes.append(.invalid("metadata.name", value: name, problem))
        }
        if let problem = RepositoryName.namespaceProblem(namespace) {
            causes.append(.invalid("metadata.namespace", value: namespace, problem))
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStream", name, causes) }
    }

    /// The spec rules of reference §4.2 that need no lookups.
    static func validateSpec(_ stream: ImageStream, name: String) throws {
        var causes: [FieldCause] = []
        for tag in stream.spec.tags ?? [] {
            let field = "spec.tags[\(tag.name)]"
            if tag.name.isEmpty || Tag(tag.name) == nil {
                causes.append(.invalid("\(field).name", value: tag.name, "must match \"[\\w][\\w.-]{0,127}\""))
            }
            if let from = tag.from {
                if (from.name ?? "").isEmpty { causes.append(.required("\(field).from.name")) }
                if !["DockerImage", "ImageStreamImage", "ImageStreamTag"].contains(from.kind ?? "") {
                    causes.append(FieldCause(.required, field: "\(field).from.kind",
                                             message: "Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"))
                }
                if tag.importPolicy?.scheduled == true, from.kind != "DockerImage" {
                    causes.append(.invalid("\(field).importPolicy.scheduled", value: "true",
                                           "only tags pointing to Docker repositories may be scheduled for background import"))
                }
            }
            if let type = tag.referencePolicy?.type, type != "Source", type != "Local" {
                causes.append(FieldCause(.notSupported, field: "\(field).referencePolicy.type",
                                         message: "Unsupported value: \"\(type)\": supported values: \"Source\", \"Local\""))
            }
            if let mode = tag.importPolicy?.importMode, !["", "Legacy", "PreserveOriginal"].contains(mode) {
                causes.append(.invalid("\(field).importPolicy.importMode", value: mode,
                                       "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'"))
            }
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStream", name, causes) }
    }

    static func checkNamespace(_ given: String?, _ namespace: String) throws {
        if let given, !given.isEmpty, given != namespace {
            throw KubernetesError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    static func checkIdentity(_ meta: ObjectMeta, namespace: String?, name: String) throws {
        if let given = meta.name, !given.isEmpty, given != name {
            throw KubernetesError.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if let namespace, let given = meta.namespace, !given.isEmpty, given != namespace {
            throw KubernetesError.badRequest("the namespace of the object (\(given)) does not match the namespace on the request (\(namespace))")
        }
    }

    /// Runs `attempt` until it returns a value, as Kubernetes' GuaranteedUpdate does: an attempt reads the object,
    /// does its untrusted work (a patch) outside any transaction, and writes only if the object is still the one it
    /// read, returning `nil` when it was not. After five changed reads it gives up with `conflict`.
    func updateUnlessChanged<T>(resource: String, name: String, _ attempt: () async throws -> T?) async throws -> T {
        for _ in 0..<5 {
            if let result = try await attempt() { return result }
        }
        throw KubernetesError.conflict(resource, name)
    }

    static func decodePatched<T: Decodable>(_ type: T.Type, _ value: JSONValue, kind: String, name: String) throws -> T {
        do {
            return try value.decode(type)
        } catch {
            throw KubernetesError.invalid(kind, name, [FieldCause(.invalid, field: "", message: "the patched object is not a valid \(kind)")])
        }
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    // MARK: - Internals shared with mappings, tags and pushes

    func imageStream(namespace: String, name: String, in tx: any MetadataTransaction) async throws -> ImageStream? {
        try await tx.objects.get(ObjectKey(kind: Kind.imageStream, namespace: namespace, name: name))
            .map { decorate(try ObjectCodec.decode(ImageStream.self, from: $0.document)) }
    }

    func existingStream(namespace: String, name: String, in tx: any MetadataTransaction) async throws -> ImageStream {
        guard let stream = try await imageStream(namespace: namespace, name: name, in: tx) else {
            throw KubernetesError.notFound("imagestreams", name)
        }
        return stream
    }

    /// Fills the computed fields and defaults of a stream. Streams are stored decorated (`save`), and a LIST answers
    /// stored documents as they are when `isCurrent` finds them so: a change here needs a migration that saves the
    /// stored streams again.
    func decorate(_ stream: ImageStream) -> ImageStream {
        var stream = stream
        stream.kind = "ImageStream"
        stream.apiVersion = ImageAPIGroup.version
        let namespace = stream.metadata.namespace ?? "", name = stream.metadata.name ?? ""
        stream.status.dockerImageRepository = dockerImageRepository(namespace: namespace, name: name)
        stream.status.publicDockerImageRepository = publicHostname.map { "\($0)/\(namespace)/\(name)" }
        stream.spec.tags = stream.spec.tags.map { tags in
            tags.map { tag in
                var tag = tag
                if tag.importPolicy == nil { tag.importPolicy = TagImportPolicy() }
                if tag.importPolicy?.importMode == nil || tag.importPolicy?.importMode == "" { tag.importPolicy?.importMode = "Legacy" }
                if tag.referencePolicy == nil { tag.referencePolicy = TagReferencePolicy() }
                return tag
            }.sorted { $0.name < $1.name }
        }
        if stream.spec.tags?.isEmpty == true { stream.spec.tags = nil }
        stream.status.tags = stream.status.tags.map { lists in
            lists.filter { !($0.items ?? []).isEmpty || !($0.conditions ?? []).isEmpty }.sorted { $0.tag < $1.tag }
        }
        if stream.status.tags?.isEmpty == true { stream.status.tags = nil }
        return stream
    }

    func insertStream(_ stream: ImageStream, namespace: String, in tx: any MetadataTransaction) async throws -> ImageStream {
        var stream = stream
        let uid = UUID().uuidString.lowercased()
        stream.metadata.namespace = namespace
        stream.metadata.uid = uid
        stream.metadata.generation = stream.metadata.generation ?? 1
        stream.metadata.creationTimestamp = now()
        stream.metadata.resourceVersion = nil
        return try await save(stream, event: .added, in: tx)
    }

    /// The update rules of reference §4.3, shared by PUT and PATCH.
    func replace(_ old: ImageStream, with new: ImageStream, status: Bool, in tx: any MetadataTransaction) async throws -> ImageStream {
        var next = new
        next.metadata.uid = old.metadata.uid
        next.metadata.creationTimestamp = old.metadata.creationTimestamp
        next.metadata.namespace = old.metadata.namespace
        next.metadata.name = old.metadata.name
        next.metadata.resourceVersion = old.metadata.resourceVersion
        if status {
            next.spec = old.spec
            next.metadata.generation = old.metadata.generation
            next.status.tags = next.status.tags.map { lists in
                lists.map { list in
                    var list = list
                    list.items = list.items?.map { var event = $0; if event.generation == 0 { event.generation = old.metadata.generation ?? 1 }; return event }
                    return list
                }
            }
        } else {
            next.status = old.status
            let changed = TagSpecChanges.apply(old: old, new: &next)
            try await resolveSpecTags(of: &next, changed: changed, in: tx)
        }
        next = decorate(next)
        guard next != old else { return old }
        return try await save(next, event: .modified, in: tx)
    }

    func removeStream(_ stream: ImageStream, in tx: any MetadataTransaction) async throws -> String {
        let namespace = stream.metadata.namespace ?? "", name = stream.metadata.name ?? ""
        let key = ObjectKey(kind: Kind.imageStream, namespace: namespace, name: name)
        _ = try await tx.objects.delete(key)
        let resourceVersion = try await tx.objects.nextResourceVersion()
        var last = stream
        last.metadata.resourceVersion = String(resourceVersion)
        try await tx.objects.appendEvent(WatchEvent(resourceVersion: resourceVersion, type: .deleted, key: key, document: try ObjectCodec.encode(last)))
        if let repository = try? RepositoryName(namespace: namespace, name: name) {
            try await tx.tags.replace([:], in: repository)
        }
        return stream.metadata.uid ?? ""
    }

    /// Writes `stream` under a new resourceVersion and rebuilds the registry's tag index for it.
    func save(_ stream: ImageStream, event: WatchEvent.EventType, in tx: any MetadataTransaction) async throws -> ImageStream {
        var stream = decorate(stream)
        let namespace = stream.metadata.namespace ?? "", name = stream.metadata.name ?? ""
        let saved = try await tx.objects.write(ObjectKey(kind: Kind.imageStream, namespace: namespace, name: name),
                                               uid: stream.metadata.uid ?? "", event: event, retention: eventRetention) { resourceVersion in
            stream.metadata.resourceVersion = resourceVersion
            return stream
        }
        if let repository = try? RepositoryName(namespace: namespace, name: name) {
            try await tx.tags.replace(saved.currentImages.compactMapValues(Digest.init), in: repository)
        }
        return saved
    }
}
