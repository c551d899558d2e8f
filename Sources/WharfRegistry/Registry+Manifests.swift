public import WharfModel
import WharfImageAPI
import WharfStorage

/// The outcome of a manifest PUT.
public struct PushedManifest: Sendable {
    public var digest: Digest
    /// The subject the manifest declares, reported back in `OCI-Subject`.
    public var subject: Digest?
}

/// A manifest to serve: its record and its exact bytes.
public struct StoredManifest: Sendable {
    public var digest: Digest
    public var mediaType: String
    public var bytes: [UInt8]
}

extension Registry {
    /// Stores a manifest (PUT …/manifests/<reference>) and records its Image, tagging it when `reference` is a tag.
    ///
    /// Throws `manifestInvalid` / `manifestTooLarge` for a bad payload, `digestInvalid` when a digest reference does not
    /// match the bytes, and `manifestBlobUnknown` when a referenced blob or child manifest is not in `repository`.
    ///
    /// When the repository's stream does not exist yet it is created, if `mayCreateStream`; otherwise the push is `denied`.
    public func putManifest(_ bytes: [UInt8], contentType: String?, in repository: RepositoryName,
                            reference: Reference, mayCreateStream: Bool = true) async throws -> PushedManifest {
        let algorithm: Digest.Algorithm
        if case .digest(let digest) = reference { algorithm = digest.algorithm } else { algorithm = .sha256 }
        let payload = try ManifestPayload(bytes: bytes, contentType: contentType, digestAlgorithm: algorithm)
        if case .digest(let digest) = reference, digest != payload.digest {
            throw WharfError(.digestInvalid, "manifest digest \(payload.digest) does not match \(digest)", detail: ["digest": digest.description])
        }
        if !mayCreateStream, try await !metadata.read({ tx in try await images.streamExists(repository, in: tx) }) {
            throw Self.mayNotCreate(repository)
        }
        try await checkReferences(of: payload, in: repository)
        var config: [UInt8]?
        if case .image(let manifest) = payload.content, MediaType.imageConfigs.contains(manifest.config.mediaType),
           manifest.config.size <= Int64(ManifestPayload.maxSize) {
            config = try await blobs.contents(of: manifest.config.digest, limit: ManifestPayload.maxSize)
        }
        try await blobs.put(bytes, as: payload.digest)

        var image = Image(metadata: ObjectMeta(name: payload.digest.description))
        image.metadata.annotations = [Image.Annotation.managed: "true", Image.Annotation.manifestBlobStored: "true"]
        image.dockerImageReference = "\(images.registryHostname)/\(repository)@\(payload.digest)"
        ImageMetadata.fill(&image, manifest: payload, config: config, now: Self.now())
        var blobs: [Digest] = []
        if case .image(let manifest) = payload.content { blobs = ([manifest.config] + manifest.layers).map(\.digest) }
        let record = ManifestRecord(repository: repository, digest: payload.digest, mediaType: payload.mediaType,
                                    size: Int64(bytes.count), subject: payload.subject?.digest, artifactType: payload.artifactType,
                                    annotations: payload.annotations, blobs: blobs)
        var tag: String?
        if case .tag(let value) = reference { tag = value.value }
        try await metadata.transaction { tx in
            if !mayCreateStream, try await !images.streamExists(repository, in: tx) { throw Self.mayNotCreate(repository) }
            try await tx.manifests.put(record)
            try await images.recordPush(image, repository: repository, tag: tag, in: tx)
        }
        return PushedManifest(digest: payload.digest, subject: payload.subject?.digest)
    }

    static func mayNotCreate(_ repository: RepositoryName) -> WharfError {
        WharfError(.denied, "image stream \(repository) does not exist, and creating it needs the right to create image streams "
                   + "in namespace \(repository.namespace)")
    }

    /// Every blob an image manifest references must be linked in `repository` with the declared size (foreign layers
    /// excepted); every child of an index must be a manifest of `repository`.
    private func checkReferences(of payload: ManifestPayload, in repository: RepositoryName) async throws {
        let missing: [Descriptor] = try await metadata.read { tx in
            var missing: [Descriptor] = []
            switch payload.content {
            case .image(let manifest):
                for descriptor in [manifest.config] + manifest.layers {
                    if MediaType.isNondistributable(descriptor.mediaType), !(descriptor.urls ?? []).isEmpty { continue }
                    let size = try await tx.blobLinks.size(of: descriptor.digest, in: repository)
                    if size == nil { missing.append(descriptor) }
                    if let size, size != descriptor.size {
                        throw WharfError(.manifestInvalid, "descriptor \(descriptor.digest) declares size \(descriptor.size), the blob has \(size)",
                                         detail: ["digest": descriptor.digest.description])
                    }
                }
            case .index(let index):
                for descriptor in index.manifests where try await tx.manifests.get(descriptor.digest, in: repository) == nil {
                    missing.append(descriptor)
                }
            }
            return missing
        }
        if let first = missing.first {
            throw WharfError(.manifestBlobUnknown, "manifest references \(missing.count) blob(s) unknown to this repository, first \(first.digest)",
                             detail: ["digest": first.digest.description])
        }
    }

    /// The manifest `reference` names in `repository`, with its bytes: one pushed there, or one its stream references
    /// (tagged in from another stream, or a child of such a list). `manifestUnknown` when there is none.
    public func manifest(_ reference: Reference, in repository: RepositoryName) async throws -> StoredManifest {
        let key = ResolvedKey(repository: repository, reference: reference), generation = metadata.generation
        var found = resolved.value(for: key, at: generation)
        if found == nil {
            found = try await metadata.read { tx -> ResolvedManifest? in
                let digest: Digest
                switch reference {
                case .digest(let value): digest = value
                case .tag(let tag):
                    guard let value = try await tx.tags.digest(for: tag.value, in: repository) else { return nil }
                    digest = value
                }
                if let record = try await tx.manifests.get(digest, in: repository) { return ResolvedManifest(digest: digest, mediaType: record.mediaType) }
                if case .manifest(let mediaType) = try await images.reference(to: digest, in: repository, in: tx) {
                    return ResolvedManifest(digest: digest, mediaType: mediaType)
                }
                return nil
            }
            if let found { resolved.store(found, for: key, at: generation) }
        }
        guard let digest = found?.digest, let mediaType = found?.mediaType else { throw Self.manifestUnknown(reference) }
        if let bytes = manifestCache.get(digest) { return StoredManifest(digest: digest, mediaType: mediaType, bytes: bytes) }
        let bytes: [UInt8]
        do {
            bytes = try await blobs.contents(of: digest, limit: ManifestPayload.maxSize)
        } catch let error as WharfError where error.code == .blobUnknown {
            throw Self.manifestUnknown(reference)
        }
        manifestCache.put(bytes, for: digest)
        return StoredManifest(digest: digest, mediaType: mediaType, bytes: bytes)
    }

    /// Deletes a tag, or a manifest by digest together with the tags whose current image it is.
    /// `manifestUnknown` when there is nothing to delete.
    public func deleteManifest(_ reference: Reference, in repository: RepositoryName) async throws {
        try await metadata.transaction { tx in
            switch reference {
            case .tag(let tag):
                guard try await images.removeTag(tag.value, from: repository, in: tx) else { throw Self.manifestUnknown(reference) }
            case .digest(let digest):
                guard try await tx.manifests.delete(digest, from: repository) else { throw Self.manifestUnknown(reference) }
                try await images.removeImage(digest, from: repository, in: tx)
            }
        }
    }
}
