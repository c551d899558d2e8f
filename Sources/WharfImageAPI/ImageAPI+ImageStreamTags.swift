import Foundation
public import WharfModel
import WharfStorage

/// The outcome of a write that may create: the object and whether it was created (201) or updated (200).
public struct Written<Object: Sendable>: Sendable {
    public var object: Object
    public var created: Bool
}

extension ImageAPI {
    /// The ImageStreamTag `<stream>:<tag>` (reference §5.2).
    ///
    /// `badRequest` unless the name has exactly one `:` with both parts non-empty; `notFound` for the stream
    /// (imagestreams), for a tag without an image (imagestreamtags) and for a deleted image (images).
    public func imageStreamTag(namespace: String, name: String) async throws -> ImageStreamTag {
        let (streamName, tagName) = try Self.splitTagName(name)
        return try await metadata.read { tx in
            let stream = try await existingStream(namespace: namespace, name: streamName, in: tx)
            guard let event = stream.currentEvent(of: tagName), !event.image.isEmpty else {
                throw KubernetesError.notFound("imagestreamtags", name)
            }
            return tagView(stream, tag: tagName, image: try await image(named: event.image, in: tx))
        }
    }

    /// One ImageStreamTag per status tag with an image, across the matching streams (reference §5.3). Images are not
    /// loaded: each item's image carries only its name and resolved reference.
    public func imageStreamTags(namespace: String?, options: ListOptions) async throws -> ObjectList<ImageStreamTag> {
        let items = try await tagViews(namespace: namespace, options: options, tags: { ($0.status.tags ?? []).map(\.tag) }) {
            stream, tag -> (ImageStreamTag, ObjectMeta)? in
            guard let event = stream.currentEvent(of: tag), !event.image.isEmpty else { return nil }
            var image = Image(metadata: ObjectMeta(name: event.image))
            image.dockerImageMetadata = DockerImageMetadata(id: "")
            let view = tagView(stream, tag: tag, image: image)
            return (view, view.metadata)
        }
        return ObjectList(kind: "ImageStreamTagList", metadata: ListMeta(resourceVersion: ""), items: items)
    }

    /// One view per tag of every stream matching the label selector, filtered by the field selector
    /// (`metadata.name`, `metadata.namespace`). `tags` names a stream's tags; `view` may skip one with `nil`.
    func tagViews<View>(namespace: String?, options: ListOptions, tags: (ImageStream) -> [String],
                        _ view: (ImageStream, String) async throws -> (View, ObjectMeta)?) async throws -> [View] {
        let streams = try await imageStreams(namespace: namespace, options: ListOptions(labelSelector: options.labelSelector))
        var items: [View] = []
        for stream in streams.items {
            for tag in tags(stream) {
                guard let (item, meta) = try await view(stream, tag) else { continue }
                let fields = ["metadata.name": meta.name ?? "", "metadata.namespace": meta.namespace ?? ""]
                if options.fieldSelector.matches({ fields[$0] ?? "" }) { items.append(item) }
            }
        }
        return items
    }

    /// Creates a spec tag through its ImageStreamTag (POST, reference §5.4): the stream is created if missing;
    /// `alreadyExists` when the spec tag exists.
    public func createImageStreamTag(_ tag: ImageStreamTag, namespace: String) async throws -> ImageStreamTag {
        try Self.checkNamespace(tag.metadata.namespace, namespace)
        let name = tag.metadata.name ?? ""
        let (streamName, tagName) = try Self.splitTagName(name)
        return try await metadata.transaction { tx in
            let existing = try await imageStream(namespace: namespace, name: streamName, in: tx)
            if existing?.spec.tags?.contains(where: { $0.name == tagName }) == true {
                throw KubernetesError.alreadyExists("imagestreamtags", name)
            }
            let stream = try await writeSpecTag(Self.specTag(from: tag, named: tagName, kind: "ImageStreamTag", creating: true), tagName,
                                                into: existing, namespace: namespace, streamName: streamName, in: tx)
            return try await tagView(stream, tag: tagName, in: tx)
        }
    }

    /// Sets a spec tag through its ImageStreamTag (PUT, reference §5.5). Without a resourceVersion the write is blind
    /// and creates the stream if missing; with one it must be the stream's (`conflict`). Only `tag` and
    /// `metadata.annotations` may change.
    public func updateImageStreamTag(_ tag: ImageStreamTag, namespace: String, name: String) async throws -> Written<ImageStreamTag> {
        try Self.checkIdentity(tag.metadata, namespace: namespace, name: name)
        let (streamName, tagName) = try Self.splitTagName(name)
        return try await metadata.transaction { tx in
            let existing = try await imageStream(namespace: namespace, name: streamName, in: tx)
            if let version = tag.metadata.resourceVersion, !version.isEmpty {
                guard let existing else { throw KubernetesError.notFound("imagestreamtags", name) }
                guard existing.metadata.resourceVersion == version else {
                    throw WharfError(.conflict, "another caller has updated the resource version to \(existing.metadata.resourceVersion ?? "")",
                                     resource: "imagestreamtags", name: name)
                }
            }
            let hadSpecTag = existing?.spec.tags?.contains { $0.name == tagName } ?? false
            if tag.tag == nil, !hadSpecTag {
                throw KubernetesError.badRequest("imagestreamtag \(tagName) is not a spec tag in imagestream \(namespace)/\(streamName), cannot be updated")
            }
            let stream = try await writeSpecTag(Self.specTag(from: tag, named: tagName, kind: "ImageStreamTag", creating: false), tagName,
                                                into: existing, namespace: namespace, streamName: streamName, in: tx)
            return Written(object: try await tagView(stream, tag: tagName, in: tx), created: !hadSpecTag)
        }
    }

    /// Patches an ImageStreamTag: the patch applies to the tag as it stands (even without an image), then it is saved
    /// like an update.
    public func patchImageStreamTag(namespace: String, name: String, type: PatchType, patch: JSONValue) async throws -> Written<ImageStreamTag> {
        let (streamName, tagName) = try Self.splitTagName(name)
        let current = try await metadata.read { tx -> ImageStreamTag in
            let stream = try await existingStream(namespace: namespace, name: streamName, in: tx)
            guard stream.spec.tags?.contains(where: { $0.name == tagName }) == true || stream.currentEvent(of: tagName) != nil else {
                throw KubernetesError.notFound("imagestreamtags", name)
            }
            return try await tagView(stream, tag: tagName, in: tx)
        }
        var patched = try Self.decodePatched(ImageStreamTag.self, try Patch.apply(type, patch, to: try JSONValue(encoding: current), sizeLimit: ObjectMeta.maxStoredSize),
                                             kind: "ImageStreamTag", name: name)
        if patched.metadata.resourceVersion == current.metadata.resourceVersion { patched.metadata.resourceVersion = nil }
        return try await updateImageStreamTag(patched, namespace: namespace, name: name)
    }

    /// Removes the spec tag and the status tag (reference §5.6). `notFound` when neither exists.
    public func deleteImageStreamTag(namespace: String, name: String) async throws {
        let (streamName, tagName) = try Self.splitTagName(name)
        try await metadata.transaction { tx in
            var stream = try await existingStream(namespace: namespace, name: streamName, in: tx)
            let before = stream
            stream.spec.tags?.removeAll { $0.name == tagName }
            stream.status.tags?.removeAll { $0.tag == tagName }
            guard stream != before else { throw KubernetesError.notFound("imagestreamtags", name) }
            _ = try await save(stream, event: .modified, in: tx)
        }
    }

    // MARK: - Internals

    /// Splits `<stream>:<tag>`: `badRequest` without exactly one `:`, `invalid` when the tag breaks the tag grammar.
    static func splitTagName(_ name: String) throws -> (String, String) {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !name.contains("@") else {
            throw KubernetesError.badRequest("ImageStreamTags must be retrieved with <name>:<tag>")
        }
        guard Tag(String(parts[1])) != nil else {
            throw KubernetesError.invalid("ImageStreamTag", name, [.invalid("metadata.name", value: name, "the tag must match \"[\\w][\\w.-]{0,127}\"")])
        }
        return (String(parts[0]), String(parts[1]))
    }

    /// The spec tag an ImageStreamTag carries, named after the object; its annotations follow the object's. On create,
    /// annotations that differ from the object's are `invalid`; on update they are replaced (reference §5.4–5.5).
    static func specTag(from tag: ImageStreamTag, named name: String, kind: String, creating: Bool) throws -> TagReference? {
        guard var reference = tag.tag else { return nil }
        if reference.name.isEmpty { reference.name = name }
        guard reference.name == name else {
            throw KubernetesError.invalid(kind, tag.metadata.name ?? "", [.invalid("tag.name", value: reference.name, "must match image tag name")])
        }
        if creating, let annotations = reference.annotations, annotations != (tag.metadata.annotations ?? [:]) {
            throw KubernetesError.invalid(kind, tag.metadata.name ?? "", [.invalid("tag.annotations", value: "\(annotations)",
                "tag annotations must not be provided or must be equal to the object meta annotations")])
        }
        reference.annotations = tag.metadata.annotations
        return reference
    }

    /// Sets (or, with `nil`, keeps) spec tag `tagName` on the stream, creating the stream when it does not exist.
    func writeSpecTag(_ tag: TagReference?, _ tagName: String, into existing: ImageStream?, namespace: String, streamName: String,
                      in tx: any MetadataTransaction) async throws -> ImageStream {
        var stream = existing ?? ImageStream(metadata: ObjectMeta(name: streamName, namespace: namespace))
        if existing == nil { try Self.validateStreamName(namespace: namespace, name: streamName) }
        var tags = (stream.spec.tags ?? []).filter { $0.name != tagName }
        if var tag {
            if let old = existing?.spec.tags?.first(where: { $0.name == tagName }), !TagSpecChanges.differ(old, tag) {
                tag.generation = old.generation
            } else {
                tag.generation = 0
            }
            tags.append(tag)
        } else if let old = existing?.spec.tags?.first(where: { $0.name == tagName }) {
            tags.append(old)
        }
        stream.spec.tags = tags
        try Self.validateSpec(stream, name: streamName)
        guard let existing else {
            stream.metadata.namespace = namespace
            stream.metadata.generation = 1
            stream.spec.tags = stream.spec.tags.map { $0.map { var tag = $0; tag.generation = 1; return tag } }
            stream = decorate(stream)
            try await resolveSpecTags(of: &stream, changed: Set(tags.map(\.name)), in: tx)
            return try await insertStream(stream, namespace: namespace, in: tx)
        }
        return try await replace(existing, with: stream, status: false, in: tx)
    }

    func tagView(_ stream: ImageStream, tag: String, in tx: any MetadataTransaction) async throws -> ImageStreamTag {
        let event = stream.currentEvent(of: tag)
        let image = await event.flatMap { $0.image.isEmpty ? nil : $0.image }.asyncMap { try? await self.image(named: $0, in: tx) }
        return tagView(stream, tag: tag, image: image ?? nil)
    }

    /// The ImageStreamTag view of `tag`: uid and resourceVersion are the stream's, the image reference is resolved
    /// through the tag's reference policy.
    func tagView(_ stream: ImageStream, tag: String, image: Image?) -> ImageStreamTag {
        let event = stream.currentEvent(of: tag)
        let specTag = stream.spec.tags?.first { $0.name == tag }
        var image = image ?? Image(metadata: ObjectMeta(name: ""))
        image.dockerImageManifest = nil
        image.dockerImageConfig = nil
        if let annotations = specTag?.annotations {
            image.metadata.annotations = (image.metadata.annotations ?? [:]).merging(annotations) { _, new in new }
        }
        if let event {
            image.dockerImageReference = specTag?.referencePolicy?.type == "Local" && !event.image.isEmpty
                ? "\(stream.status.dockerImageRepository)@\(event.image)" : event.dockerImageReference
        }
        var meta = ObjectMeta(name: "\(stream.metadata.name ?? ""):\(tag)", namespace: stream.metadata.namespace)
        meta.uid = stream.metadata.uid
        meta.resourceVersion = stream.metadata.resourceVersion
        meta.creationTimestamp = event?.created ?? stream.metadata.creationTimestamp
        meta.labels = stream.metadata.labels
        meta.annotations = specTag?.annotations
        var view = ImageStreamTag(metadata: meta, tag: specTag, generation: event?.generation ?? specTag?.generation ?? 0,
                                  lookupPolicy: stream.spec.lookupPolicy, image: image)
        view.conditions = stream.status.tags?.first { $0.tag == tag }?.conditions
        return view
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
