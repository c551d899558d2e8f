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

    /// Every Image, ordered by name.
    public func images() async throws -> ObjectList<Image> {
        try await metadata.read { tx in
            let items = try await tx.objects.list(kind: Kind.image, namespace: nil).map { try ObjectCodec.decode(Image.self, from: $0.document) }
            return ObjectList(kind: "ImageList", metadata: ListMeta(resourceVersion: String(try await tx.objects.currentResourceVersion())),
                              items: items)
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
        return try await tx.objects.write(ObjectKey(kind: Kind.image, name: name), uid: uid, event: .added) { resourceVersion in
            image.metadata.resourceVersion = resourceVersion
            return image
        }
    }
}

import Foundation
