public import WharfModel
import WharfStorage

extension ImageAPI {
    /// The Image named `name`; `notFound` (resource `images`) when absent.
    public func image(named name: String) async throws -> Image {
        try await metadata.read { tx in try await image(named: name, in: tx) }
    }

    func image(named name: String, in tx: any MetadataTransaction) async throws -> Image {
        guard let stored = try await tx.objects.get(ObjectKey(kind: Kind.image, name: name)) else {
            throw KubernetesError.notFound("images", name)
        }
        return try ObjectCodec.decode(Image.self, from: stored.document)
    }

    var imageKind: ListedKind<Image> {
        ListedKind(kind: Kind.image, listKind: "ImageList", fields: ["metadata.name"],
                   fieldValue: { image, _ in image.metadata.name ?? "" }, labels: { $0.metadata.labels }, decorate: { $0 },
                   isCurrent: { $0.document.has(Self.imageHead, at: 0) })
    }

    /// How every Image document written by this API begins (keys sorted).
    static let imageHead = Array(#"{"apiVersion":"image.openshift.io/v1","#.utf8)

    /// Images matching `options` as stored documents, ordered by name (see `listDocuments`).
    public func imageDocuments(options: ListOptions = ListOptions()) async throws -> EncodedList {
        try await listDocuments(imageKind, namespace: nil, options: options)
    }

    /// Images matching `options`, ordered by name.
    public func images(options: ListOptions = ListOptions()) async throws -> ObjectList<Image> {
        try await list(imageKind, namespace: nil, options: options)
    }

    /// Replaces an Image (PUT). Content is immutable (reference §2.5): layers, metadata and Docker signatures keep
    /// their stored values; labels, annotations and `dockerImageReference` may change. `resourceVersion` is required.
    public func updateImage(_ image: Image, name: String) async throws -> Image {
        try Self.checkIdentity(image.metadata, namespace: nil, name: name)
        guard let version = image.metadata.resourceVersion, !version.isEmpty else {
            throw KubernetesError.invalid("Image", name, [FieldCause(.invalid, field: "metadata.resourceVersion",
                                                                     message: "Invalid value: 0x0: must be specified for an update")])
        }
        return try await metadata.transaction { tx in
            let old = try await self.image(named: name, in: tx)
            guard old.metadata.resourceVersion == version else { throw KubernetesError.conflict("images", name) }
            return try await replace(old, with: image, in: tx)
        }
    }

    /// Applies a patch to an Image and saves it like an update.
    /// The patch runs outside the write transaction (`updateUnlessChanged`).
    public func patchImage(name: String, type: PatchType, patch: JSONValue) async throws -> Image {
        try await updateUnlessChanged(resource: "images", name: name) {
            let old = try await metadata.read { tx in try await image(named: name, in: tx) }
            let patched = try Patch.apply(type, patch, to: try JSONValue(encoding: old), sizeLimit: ObjectMeta.maxStoredSize)
            let new = try Self.decodePatched(Image.self, patched, kind: "Image", name: name)
            try Self.checkIdentity(new.metadata, namespace: nil, name: name)
            if let version = new.metadata.resourceVersion, !version.isEmpty, version != old.metadata.resourceVersion {
                throw KubernetesError.conflict("images", name)
            }
            return try await metadata.transaction { tx in
                let current = try await image(named: name, in: tx)
                guard current.metadata.resourceVersion == old.metadata.resourceVersion else { return nil }
                return try await replace(current, with: new, in: tx)
            }
        }
    }

    /// Deletes an Image at once (there is no garbage collection policy). Returns its uid.
    public func deleteImage(name: String) async throws -> String {
        try await metadata.transaction { tx in
            let old = try await image(named: name, in: tx)
            let key = ObjectKey(kind: Kind.image, name: name)
            _ = try await tx.objects.delete(key)
            let resourceVersion = try await tx.objects.nextResourceVersion()
            var last = old
            last.metadata.resourceVersion = String(resourceVersion)
            try await tx.objects.appendEvent(WatchEvent(resourceVersion: resourceVersion, type: .deleted, key: key, document: try ObjectCodec.encode(last)))
            return old.metadata.uid ?? ""
        }
    }

    /// Deletes every Image matching the selectors, returning them.
    public func deleteImages(options: ListOptions) async throws -> ObjectList<Image> {
        let selection = try await images(options: ListOptions(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector))
        for image in selection.items { _ = try? await deleteImage(name: image.metadata.name ?? "") }
        return selection
    }

    func replace(_ old: Image, with new: Image, in tx: any MetadataTransaction) async throws -> Image {
        var next = old
        next.metadata.labels = new.metadata.labels
        next.metadata.annotations = new.metadata.annotations
        next.signatures = new.signatures
        if let reference = new.dockerImageReference, !reference.isEmpty { next.dockerImageReference = reference }
        guard next != old else { return old }
        let name = old.metadata.name ?? ""
        return try await tx.objects.write(ObjectKey(kind: Kind.image, name: name), uid: old.metadata.uid ?? "", event: .modified, retention: eventRetention) { resourceVersion in
            next.metadata.resourceVersion = resourceVersion
            return next
        }
    }

    /// Creates `image` (POST images). `alreadyExists` when the name is taken; `invalid` without a name or reference.
    public func createImage(_ image: Image) async throws -> Image {
        var image = image
        try validate(&image, fieldPrefix: "", kind: "Image")
        let name = image.metadata.name!
        return try await metadata.transaction { tx in
            guard try await tx.objects.get(ObjectKey(kind: Kind.image, name: name)) == nil else {
                throw KubernetesError.alreadyExists("images", name)
            }
            return try await insert(image, in: tx)
        }
    }

    /// Checks an Image for creation and fills its defaults: the name from a `@sha256:` reference when missing,
    /// metadata derived from an embedded manifest. Throws `invalid` with causes under `fieldPrefix`.
    func validate(_ image: inout Image, fieldPrefix: String, kind: String) throws {
        if image.metadata.name?.isEmpty ?? true, let reference = image.dockerImageReference,
           let at = reference.lastIndex(of: "@"), Digest(String(reference[reference.index(after: at)...])) != nil {
            image.metadata.name = String(reference[reference.index(after: at)...])
        }
        var causes: [FieldCause] = []
        let name = image.metadata.name ?? ""
        if name.isEmpty {
            causes.append(.required("\(fieldPrefix)metadata.name"))
        } else if name.contains("/") || name.contains("%") || name == "." || name == ".." {
            causes.append(.invalid("\(fieldPrefix)metadata.name", value: name, "may not contain '/' or '%' and may not be '.' or '..'"))
        }
        if (image.dockerImageReference ?? "").isEmpty {
            causes.append(.required("\(fieldPrefix)dockerImageReference"))
        }
        guard causes.isEmpty else { throw KubernetesError.invalid(kind, name, causes) }
        if let text = image.dockerImageManifest, !text.isEmpty,
           let manifest = try? ManifestPayload(bytes: Array(text.utf8), contentType: image.dockerImageManifestMediaType) {
            ImageMetadata.fill(&image, manifest: manifest, config: image.dockerImageConfig.map { Array($0.utf8) }, now: now())
        }
        if image.metadata.annotations?[Image.Annotation.manifestBlobStored] == "true" {
            image.dockerImageManifest = nil
            image.dockerImageConfig = nil
        }
        if image.dockerImageMetadata != nil, image.dockerImageMetadataVersion == nil {
            image.dockerImageMetadataVersion = "1.0"
        }
    }

    /// Stores a new, validated Image with fresh identity fields.
    func insert(_ image: Image, in tx: any MetadataTransaction) async throws -> Image {
        var image = image
        let name = image.metadata.name!
        let uid = UUID().uuidString.lowercased()
        image.kind = "Image"
        image.apiVersion = ImageAPIGroup.version
        image.metadata.namespace = nil
        image.metadata.uid = uid
        image.metadata.creationTimestamp = now()
        image.metadata.generation = nil
        return try await tx.objects.write(ObjectKey(kind: Kind.image, name: name), uid: uid, event: .added, retention: eventRetention) { resourceVersion in
            image.metadata.resourceVersion = resourceVersion
            return image
        }
    }
}

import Foundation
