/// The parsed view of an OCI image manifest or a Docker schema 2 manifest.
public struct ImageManifest: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?
}

/// The parsed view of an OCI image index or a Docker manifest list.
public struct ImageIndex: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String, manifests: [Descriptor]) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
    }
}
