public import WharfModel
import WharfStorage

extension ImageAPI {
    /// The ImageStreamImage `<stream>@<id>`, where `id` is a digest or a unique prefix of one (reference §6).
    ///
    /// Candidates are every image in the stream's tag history plus the children of manifest lists among them.
    /// `badRequest` for a malformed name; `notFound` for the stream (imagestreams) or the image (imagestreamimage).
    public func imageStreamImage(namespace: String, name: String) async throws -> ImageStreamImage {
        let parts = name.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw KubernetesError.badRequest("ImageStreamImages must be retrieved with <name>@<id>")
        }
        let streamName = String(parts[0]), id = String(parts[1])
        return try await metadata.read { tx in
            guard let stream = try await imageStream(namespace: namespace, name: streamName, in: tx) else {
                throw KubernetesError.notFound("imagestreams", streamName)
            }
            var candidates = stream.historyImages
            for candidate in candidates {
                guard let image = try? await image(named: candidate, in: tx) else { continue }
                for child in image.dockerImageManifests ?? [] where !candidates.contains(child.digest) {
                    candidates.append(child.digest)
                }
            }
            let matches = candidates.filter { Self.digest($0, matches: id) }
            guard let match = matches.first, let image = try? await image(named: match, in: tx) else {
                throw WharfError(.notFound, "imagestreamimage.\(ImageAPIGroup.name) \"\(name)\" not found",
                                 resource: "imagestreamimage", name: name)
            }
            var meta = ObjectMeta(name: name, namespace: namespace)
            meta.creationTimestamp = image.metadata.creationTimestamp
            meta.annotations = stream.metadata.annotations
            return ImageStreamImage(metadata: meta, image: image)
        }
    }
}
