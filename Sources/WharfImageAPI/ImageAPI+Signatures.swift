import Foundation
public import WharfModel
import WharfStorage

extension ImageAPI {
    /// Adds a signature to its Image (reference §8). `invalid` without type or content, or with labels or
    /// annotations; `notFound` when the image does not exist; `alreadyExists` for the same name or content.
    public func createImageSignature(_ signature: ImageSignature) async throws -> ImageSignature {
        var signature = signature
        let name = signature.metadata.name ?? ""
        let parts = name.split(separator: "@", omittingEmptySubsequences: false)
        var causes: [FieldCause] = []
        if parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty {
            causes.append(.invalid("metadata.name", value: name, "name must be of format <imageName>@<signatureName>"))
        }
        if signature.type.isEmpty { causes.append(.required("type")) }
        if signature.content.isEmpty || Data(base64Encoded: signature.content) == nil { causes.append(.required("content")) }
        if !(signature.metadata.labels ?? [:]).isEmpty { causes.append(FieldCause(.forbidden, field: "metadata.labels", message: "Forbidden: signatures cannot have labels")) }
        if !(signature.metadata.annotations ?? [:]).isEmpty {
            causes.append(FieldCause(.forbidden, field: "metadata.annotations", message: "Forbidden: signatures cannot have annotations"))
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageSignature", name, causes) }
        signature.conditions = nil
        signature.imageIdentity = nil
        signature.signedClaims = nil
        signature.created = nil
        signature.issuedBy = nil
        signature.issuedTo = nil
        signature.kind = nil
        signature.apiVersion = nil
        let imageName = String(parts[0])
        return try await metadata.transaction { tx in
            var image = try await image(named: imageName, in: tx)
            let existing = image.signatures ?? []
            if existing.contains(where: { $0.metadata.name == name || ($0.type == signature.type && $0.content == signature.content) }) {
                throw KubernetesError.alreadyExists("imageSignatures", name)
            }
            signature.metadata.creationTimestamp = now()
            signature.metadata.uid = UUID().uuidString.lowercased()
            image.signatures = existing + [signature]
            _ = try await writeImage(image, in: tx)
            var created = signature
            created.kind = "ImageSignature"
            created.apiVersion = ImageAPIGroup.version
            return created
        }
    }

    /// Removes a signature from its Image. `badRequest` without `@`; `notFound` when absent.
    public func deleteImageSignature(name: String) async throws {
        let parts = name.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw KubernetesError.badRequest("imageSignatures must be deleted with <imageName>@<signatureName>")
        }
        try await metadata.transaction { tx in
            var image = try await image(named: String(parts[0]), in: tx)
            guard image.signatures?.contains(where: { $0.metadata.name == name }) == true else {
                throw KubernetesError.notFound("imageSignatures", name)
            }
            image.signatures?.removeAll { $0.metadata.name == name }
            _ = try await writeImage(image, in: tx)
        }
    }

    func writeImage(_ image: Image, in tx: any MetadataTransaction) async throws -> Image {
        var image = image
        return try await tx.objects.write(ObjectKey(kind: Kind.image, name: image.metadata.name ?? ""), uid: image.metadata.uid ?? "",
                                          event: .modified, retention: eventRetention) { resourceVersion in
            image.metadata.resourceVersion = resourceVersion
            return image
        }
    }
}
