public import WharfModel
public import WharfStorage

extension ImageAPI {
    /// Removes `tag` from the stream behind `repository` (spec and status), as a registry tag DELETE does.
    /// Returns `false` when the stream or the tag does not exist.
    public func removeTag(_ tag: String, from repository: RepositoryName, in tx: any MetadataTransaction) async throws -> Bool {
        guard var stream = try await imageStream(namespace: repository.namespace, name: repository.name, in: tx) else { return false }
        let before = stream
        stream.status.tags?.removeAll { $0.tag == tag }
        stream.spec.tags?.removeAll { $0.name == tag }
        guard stream != before else { return false }
        _ = try await save(stream, event: .modified, in: tx)
        return true
    }

    /// Removes every tag event naming `image` from the stream behind `repository`, dropping tags left empty,
    /// as a registry manifest DELETE by digest does. The Image object itself stays until pruned.
    public func removeImage(_ image: Digest, from repository: RepositoryName, in tx: any MetadataTransaction) async throws {
        guard var stream = try await imageStream(namespace: repository.namespace, name: repository.name, in: tx) else { return }
        let before = stream
        let name = image.description
        stream.status.tags = stream.status.tags?.compactMap { list in
            if list.items?.first?.image == name { return nil }
            var list = list
            list.items?.removeAll { $0.image == name }
            return list
        }
        if stream != before { _ = try await save(stream, event: .modified, in: tx) }
    }

    /// What `digest` is to the images in the stream's tag history (and the children of its manifest lists).
    public func reference(to digest: Digest, in repository: RepositoryName, in tx: any MetadataTransaction) async throws -> StreamReference? {
        guard let stream = try await imageStream(namespace: repository.namespace, name: repository.name, in: tx) else { return nil }
        let name = digest.description
        var images = stream.historyImages
        var index = 0
        while index < images.count {
            defer { index += 1 }
            guard let image = try? await image(named: images[index], in: tx) else { continue }
            if images[index] == name { return .manifest(mediaType: image.dockerImageManifestMediaType ?? MediaType.ociManifest) }
            if image.dockerImageLayers?.contains(where: { $0.name == name }) == true || image.dockerImageMetadata?.id == name { return .blob }
            for child in image.dockerImageManifests ?? [] where !images.contains(child.digest) { images.append(child.digest) }
        }
        return nil
    }

    /// Whether the stream behind `repository` exists.
    public func streamExists(_ repository: RepositoryName, in tx: any MetadataTransaction) async throws -> Bool {
        try await tx.objects.get(ObjectKey(kind: Kind.imageStream, namespace: repository.namespace, name: repository.name)) != nil
    }

    /// Every repository (image stream), sorted.
    public func repositories(in tx: any MetadataTransaction) async throws -> [RepositoryName] {
        try await tx.objects.keys(kind: Kind.imageStream, namespace: nil).compactMap {
            try? RepositoryName(namespace: $0.namespace, name: $0.name)
        }.sorted()
    }
}
