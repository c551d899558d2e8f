public import WharfModel
import WharfStorage

extension ImageAPI {
    /// The blobs and images a stream references (reference §7): every layer and config of every image in its tag
    /// history, and the children of manifest lists. Deleted images appear with `imageMissing: true`.
    public func imageStreamLayers(namespace: String, name: String) async throws -> ImageStreamLayers {
        try await metadata.read { tx in
            let stream = try await existingStream(namespace: namespace, name: name, in: tx)
            var blobs: [String: ImageStreamLayers.Blob] = [:]
            var images: [String: ImageStreamLayers.ImageBlobs] = [:]
            for digest in stream.historyImages {
                guard let image = try? await image(named: digest, in: tx) else {
                    images[digest] = .init(layers: [], config: nil, imageMissing: true, manifests: nil)
                    continue
                }
                for layer in image.dockerImageLayers ?? [] { blobs[layer.name] = .init(size: layer.size, mediaType: layer.mediaType) }
                let config = image.dockerImageManifests == nil ? image.dockerImageMetadata?.id : nil
                if let config, !config.isEmpty { blobs[config] = .init(size: nil, mediaType: MediaType.ociConfig) }
                images[digest] = .init(layers: (image.dockerImageLayers ?? []).map(\.name), config: config, imageMissing: false,
                                       manifests: image.dockerImageManifests?.map(\.digest))
            }
            return ImageStreamLayers(metadata: stream.metadata, blobs: blobs, images: images)
        }
    }

    /// The namespaces that hold image streams, each dated by its oldest stream.
    public func namespaces() async throws -> [Namespace] {
        let streams = try await metadata.read { try await $0.objects.list(kind: Kind.imageStream, namespace: nil) }
        var created: [String: Time] = [:]
        for stored in streams {
            let stream = try ObjectCodec.decode(ImageStream.self, from: stored.document)
            let time = stream.metadata.creationTimestamp ?? Time(secondsSince1970: 0)
            created[stored.key.namespace] = min(created[stored.key.namespace] ?? time, time)
        }
        return created.keys.sorted().map { name in
            var meta = ObjectMeta(name: name)
            meta.creationTimestamp = created[name]
            meta.uid = name
            return Namespace(metadata: meta)
        }
    }
}
