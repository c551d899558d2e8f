import Foundation
public import WharfModel

/// Derives an Image's layers and `dockerImageMetadata` from its manifest and config (reference §2.3).
public enum ImageMetadata {
    /// Fills `image` from `manifest` and, for image manifests, the config blob's bytes.
    ///
    /// - Image manifests: layers base first, `Id` = config digest, `Size` = config length + distinct layer sizes,
    ///   and Created, Author, Architecture, Config, ContainerConfig, Container, DockerVersion, Comment, Parent
    ///   from the config when it is an image config.
    /// - Indexes: `Id` = the image name, `Created` = `now`, and `dockerImageManifests` from the entries.
    public static func fill(_ image: inout Image, manifest: ManifestPayload, config: [UInt8]?, now: Time) {
        image.dockerImageManifestMediaType = manifest.mediaType
        image.dockerImageMetadataVersion = "1.0"
        var annotations = image.metadata.annotations ?? [:]
        switch manifest.content {
        case .index(let index):
            var metadata = DockerImageMetadata(id: image.metadata.name ?? manifest.digest.description)
            metadata.created = now
            image.dockerImageMetadata = metadata
            image.dockerImageLayers = nil
            image.dockerImageManifests = index.manifests.map {
                ImageManifestReference(digest: $0.digest.description, mediaType: $0.mediaType, manifestSize: $0.size,
                                       architecture: $0.platform?.architecture ?? "", os: $0.platform?.os ?? "",
                                       variant: $0.platform?.variant)
            }
        case .image(let manifest):
            image.dockerImageLayers = manifest.layers.map { ImageLayer(name: $0.digest.description, size: $0.size, mediaType: $0.mediaType) }
            annotations[Image.Annotation.layersOrder] = "ascending"
            var metadata = DockerImageMetadata(id: manifest.config.digest.description)
            if let config, MediaType.imageConfigs.contains(manifest.config.mediaType),
               let parsed = try? JSONDecoder().decode(ImageConfig.self, from: Data(config)) {
                metadata.created = parsed.created.flatMap { Time(rfc3339: $0) }
                metadata.author = parsed.author
                metadata.architecture = parsed.architecture
                metadata.config = parsed.config
                metadata.containerConfig = parsed.containerConfig ?? DockerConfig()
                metadata.container = parsed.container
                metadata.dockerVersion = parsed.dockerVersion
                metadata.comment = parsed.comment
                metadata.parent = parsed.parent
            }
            var seen: Set<Digest> = [manifest.config.digest]
            var size = Int64(config?.count ?? Int(manifest.config.size))
            for layer in manifest.layers where seen.insert(layer.digest).inserted {
                let (sum, overflow) = size.addingReportingOverflow(layer.size)
                size = overflow ? Int64.max : sum
            }
            metadata.size = size
            image.dockerImageMetadata = metadata
        }
        image.metadata.annotations = annotations
    }
}
