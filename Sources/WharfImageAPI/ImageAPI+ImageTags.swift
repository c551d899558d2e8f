public import WharfModel
import WharfStorage

extension ImageAPI {
    /// The ImageTag `<stream>:<tag>`: 404 only when the tag has neither spec nor status (reference §5.7).
    public func imageTag(namespace: String, name: String) async throws -> ImageTag {
        let (streamName, tagName) = try Self.splitTagName(name)
        return try await metadata.read { tx in
            let stream = try await existingStream(namespace: namespace, name: streamName, in: tx)
            guard let view = try await imageTagView(stream, tag: tagName, withImage: true, in: tx) else {
                throw KubernetesError.notFound("imagetags", name)
            }
            return view
        }
    }

    /// Every spec or status tag of the matching streams, sorted per stream, without images.
    public func imageTags(namespace: String?, options: ListOptions) async throws -> ObjectList<ImageTag> {
        let items = try await tagViews(namespace: namespace, options: options,
                                       tags: { Set(($0.spec.tags ?? []).map(\.name) + ($0.status.tags ?? []).map(\.tag)).sorted() }) {
            stream, tag -> (ImageTag, ObjectMeta)? in
            try await metadata.read { tx in try await imageTagView(stream, tag: tag, withImage: false, in: tx) }.map { ($0, $0.metadata) }
        }
        return ObjectList(kind: "ImageTagList", metadata: ListMeta(resourceVersion: ""), items: items)
    }

    /// Creates a spec tag through its ImageTag; `spec` is required and must be named after the tag.
    public func createImageTag(_ tag: ImageTag, namespace: String) async throws -> ImageTag {
        try Self.checkNamespace(tag.metadata.namespace, namespace)
        let name = tag.metadata.name ?? ""
        let (streamName, tagName) = try Self.splitTagName(name)
        let spec = try Self.imageTagSpec(tag, tagName: tagName, required: true)
        return try await metadata.transaction { tx in
            let existing = try await imageStream(namespace: namespace, name: streamName, in: tx)
            if existing?.spec.tags?.contains(where: { $0.name == tagName }) == true { throw KubernetesError.alreadyExists("imagetags", name) }
            let stream = try await writeSpecTag(spec, tagName, into: existing, namespace: namespace, streamName: streamName,
                                                in: tx)
            return try await imageTagView(stream, tag: tagName, withImage: true, in: tx)!
        }
    }

    /// Sets (or, with `spec: null`, removes) the spec tag through its ImageTag. Blind writes are allowed.
    public func updateImageTag(_ tag: ImageTag, namespace: String, name: String) async throws -> Written<ImageTag> {
        try Self.checkIdentity(tag.metadata, namespace: namespace, name: name)
        let (streamName, tagName) = try Self.splitTagName(name)
        let spec = try Self.imageTagSpec(tag, tagName: tagName, required: false)
        return try await metadata.transaction { tx in
            let existing = try await imageStream(namespace: namespace, name: streamName, in: tx)
            if let version = tag.metadata.resourceVersion, !version.isEmpty, version != existing?.metadata.resourceVersion {
                throw KubernetesError.conflict("imagetags", name)
            }
            let hadSpec = existing?.spec.tags?.contains { $0.name == tagName } ?? false
            var stream: ImageStream
            if let spec {
                stream = try await writeSpecTag(spec, tagName, into: existing, namespace: namespace, streamName: streamName, in: tx)
            } else {
                guard var current = existing else { throw KubernetesError.notFound("imagetags", name) }
                current.spec.tags?.removeAll { $0.name == tagName }
                stream = try await replace(existing!, with: current, status: false, in: tx)
            }
            let view = try await imageTagView(stream, tag: tagName, withImage: true, in: tx)
                ?? ImageTag(metadata: ObjectMeta(name: name, namespace: namespace), spec: nil, status: nil, image: nil)
            return Written(object: view, created: !hadSpec && spec != nil)
        }
    }

    /// Patches an ImageTag as it stands and saves it like a blind update.
    public func patchImageTag(namespace: String, name: String, type: PatchType, patch: JSONValue) async throws -> Written<ImageTag> {
        let current = try await imageTag(namespace: namespace, name: name)
        var tag = try Self.decodePatched(ImageTag.self, try Patch.apply(type, patch, to: try JSONValue(encoding: current), sizeLimit: ObjectMeta.maxStoredSize), kind: "ImageTag", name: name)
        tag.metadata.resourceVersion = nil
        return try await updateImageTag(tag, namespace: namespace, name: name)
    }

    /// Removes the spec and status tag, like an ImageStreamTag delete.
    public func deleteImageTag(namespace: String, name: String) async throws {
        do {
            try await deleteImageStreamTag(namespace: namespace, name: name)
        } catch let error as WharfError where error.code == .notFound && error.resource == "imagestreamtags" {
            throw KubernetesError.notFound("imagetags", name)
        }
    }

    static func imageTagSpec(_ tag: ImageTag, tagName: String, required: Bool) throws -> TagReference? {
        let name = tag.metadata.name ?? ""
        guard var spec = tag.spec else {
            if required {
                throw KubernetesError.invalid("ImageTag", name, [FieldCause(.required, field: "spec",
                                                                            message: "Required value: spec is a required field during creation")])
            }
            return nil
        }
        if spec.name.isEmpty { spec.name = tagName }
        guard spec.name == tagName else {
            throw KubernetesError.invalid("ImageTag", name, [.invalid("spec.name", value: spec.name, "must match image tag name")])
        }
        return spec
    }

    func imageTagView(_ stream: ImageStream, tag: String, withImage: Bool, in tx: any MetadataTransaction) async throws -> ImageTag? {
        let spec = stream.spec.tags?.first { $0.name == tag }
        let status = stream.status.tags?.first { $0.tag == tag }
        guard spec != nil || status != nil else { return nil }
        var meta = stream.metadata
        meta.name = "\(stream.metadata.name ?? ""):\(tag)"
        var image: Image?
        if withImage, let digest = status?.items?.first?.image, !digest.isEmpty {
            image = try? await self.image(named: digest, in: tx)
            image?.dockerImageManifest = nil
            image?.dockerImageConfig = nil
        }
        return ImageTag(metadata: meta, spec: spec, status: status, image: image)
    }
}
