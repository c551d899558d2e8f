public import WharfModel
public import WharfStorage

extension ImageAPI {
    /// Tags an image into an existing stream (POST imagestreammappings, reference §3.2).
    ///
    /// The Image is created if new (an existing one is left untouched), then a TagEvent is added to
    /// `status.tags[tag]` under the collapse rules. Throws `badRequest` for a namespace mismatch, `invalid` with
    /// causes for a missing name, tag or image name, and `notFound` (imagestreams) when the stream does not exist:
    /// only a registry push creates streams.
    public func createMapping(_ mapping: ImageStreamMapping, namespace: String) async throws {
        if let given = mapping.metadata.namespace, !given.isEmpty, given != namespace {
            throw KubernetesError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let name = mapping.metadata.name ?? ""
        var image = mapping.image
        if (image.dockerImageReference ?? "").isEmpty, let imageName = image.metadata.name, !imageName.isEmpty {
            image.dockerImageReference = "\(dockerImageRepository(namespace: namespace, name: name))@\(imageName)"
        }
        var causes: [FieldCause] = []
        if name.isEmpty { causes.append(.required("metadata.name")) }
        if mapping.tag.isEmpty {
            causes.append(.required("tag"))
        } else if Tag(mapping.tag) == nil {
            causes.append(.invalid("tag", value: mapping.tag, "must match \"[\\w][\\w.-]{0,127}\""))
        }
        do {
            try validate(&image, fieldPrefix: "image.", kind: "ImageStreamMapping")
        } catch let error as WharfError where error.code == .invalid {
            causes += error.causes
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStreamMapping", name, causes) }
        try await metadata.transaction { tx in
            guard let stream = try await imageStream(namespace: namespace, name: name, in: tx) else {
                throw KubernetesError.notFound("imagestreams", name)
            }
            try await tag(image, into: stream, tag: mapping.tag, in: tx)
        }
    }

    /// Records a manifest pushed through the registry, inside the registry's transaction.
    ///
    /// Creates the stream if it is missing (the registry's privilege) and the Image if it is new. With a tag, the image
    /// is tagged with the collapse rules; without one (push by digest) no tag event is added.
    public func recordPush(_ image: Image, repository: RepositoryName, tag: String?, in tx: any MetadataTransaction) async throws {
        if let stream = try await imageStream(namespace: repository.namespace, name: repository.name, in: tx) {
            if let tag {
                try await self.tag(image, into: stream, tag: tag, in: tx)
                return
            }
        } else {
            var stream = ImageStream(metadata: ObjectMeta(name: repository.name, namespace: repository.namespace))
            stream.metadata.generation = 1
            stream = decorate(stream)
            if let tag {
                let event = TagEvent(created: now(), dockerImageReference: image.dockerImageReference ?? "", image: image.metadata.name ?? "",
                                     generation: 1)
                _ = TagHistory.add(event, to: tag, in: &stream)
            }
            _ = try await insertStream(stream, namespace: repository.namespace, in: tx)
        }
        if try await tx.objects.get(ObjectKey(kind: Kind.image, name: image.metadata.name ?? "")) == nil {
            _ = try await insert(image, in: tx)
        }
    }

    /// Creates the Image if new, then adds the tag event to `stream` and every spec tag tracking it.
    func tag(_ image: Image, into stream: ImageStream, tag: String, in tx: any MetadataTransaction) async throws {
        let name = image.metadata.name ?? ""
        let existed = try await tx.objects.get(ObjectKey(kind: Kind.image, name: name)) != nil
        if !existed { _ = try await insert(image, in: tx) }
        var reference = image.dockerImageReference ?? ""
        if existed, image.metadata.annotations?[Image.Annotation.managed] == "true" {
            reference = "\(stream.status.dockerImageRepository)@\(name)"
        }
        let event = TagEvent(created: now(), dockerImageReference: reference, image: name, generation: stream.metadata.generation ?? 1)
        var updated = stream
        var changed = TagHistory.add(event, to: tag, in: &updated)
        for tracking in TagHistory.tagsTracking(tag, of: updated) {
            changed = TagHistory.add(event, to: tracking, in: &updated) || changed
        }
        if changed { _ = try await save(updated, event: .modified, in: tx) }
    }
}
