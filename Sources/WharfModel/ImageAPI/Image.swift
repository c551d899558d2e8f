/// An Image: cluster-scoped, named by its manifest digest, immutable in content.
public struct Image: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var dockerImageReference: String?
    public var dockerImageMetadata: DockerImageMetadata?
    public var dockerImageMetadataVersion: String?
    public var dockerImageManifest: String?
    public var dockerImageLayers: [ImageLayer]?
    public var signatures: [ImageSignature]?
    public var dockerImageSignatures: [String]?
    public var dockerImageManifestMediaType: String?
    public var dockerImageConfig: String?
    public var dockerImageManifests: [ImageManifestReference]?

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    /// `metadata` may be absent (the seed document's image has none).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        dockerImageReference = try c.decodeIfPresent(String.self, forKey: .dockerImageReference)
        dockerImageMetadata = try c.decodeIfPresent(DockerImageMetadata.self, forKey: .dockerImageMetadata)
        dockerImageMetadataVersion = try c.decodeIfPresent(String.self, forKey: .dockerImageMetadataVersion)
        dockerImageManifest = try c.decodeIfPresent(String.self, forKey: .dockerImageManifest)
        dockerImageLayers = try c.decodeIfPresent([ImageLayer].self, forKey: .dockerImageLayers)
        signatures = try c.decodeIfPresent([ImageSignature].self, forKey: .signatures)
        dockerImageSignatures = try c.decodeIfPresent([String].self, forKey: .dockerImageSignatures)
        dockerImageManifestMediaType = try c.decodeIfPresent(String.self, forKey: .dockerImageManifestMediaType)
        dockerImageConfig = try c.decodeIfPresent(String.self, forKey: .dockerImageConfig)
        dockerImageManifests = try c.decodeIfPresent([ImageManifestReference].self, forKey: .dockerImageManifests)
    }

    /// Annotations the integrated registry sets on the images it stores (reference §1.3).
    public enum Annotation {
        public static let managed = "openshift.io/image.managed"
        public static let manifestBlobStored = "image.openshift.io/manifestBlobStored"
        public static let layersOrder = "image.openshift.io/dockerLayersOrder"
    }
}

/// One layer of an Image, base layer first.
public struct ImageLayer: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var mediaType: String

    public init(name: String, size: Int64, mediaType: String) {
        self.name = name
        self.size = size
        self.mediaType = mediaType
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        size = try c.decodeIfPresent(Int64.self, forKey: .size) ?? 0
        mediaType = try c.decodeIfPresent(String.self, forKey: .mediaType) ?? ""
    }
}

/// One child of a manifest-list Image.
public struct ImageManifestReference: Codable, Sendable, Equatable {
    public var digest: String
    public var mediaType: String
    public var manifestSize: Int64
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(digest: String, mediaType: String, manifestSize: Int64, architecture: String, os: String, variant: String?) {
        self.digest = digest
        self.mediaType = mediaType
        self.manifestSize = manifestSize
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }
}
