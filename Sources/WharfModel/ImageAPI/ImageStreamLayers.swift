/// The layers of every image a stream references (`imagestreams/<name>/layers`, reference §7).
public struct ImageStreamLayers: Codable, Sendable {
    public struct Blob: Codable, Sendable {
        public var size: Int64?
        public var mediaType: String
        public init(size: Int64?, mediaType: String) {
            self.size = size
            self.mediaType = mediaType
        }
    }

    public struct ImageBlobs: Codable, Sendable {
        public var layers: [String]
        public var config: String?
        public var imageMissing: Bool
        public var manifests: [String]?
        public init(layers: [String], config: String?, imageMissing: Bool, manifests: [String]?) {
            self.layers = layers
            self.config = config
            self.imageMissing = imageMissing
            self.manifests = manifests
        }
    }

    public var kind = "ImageStreamLayers"
    public var apiVersion = ImageAPIGroup.version
    public var metadata: ObjectMeta
    public var blobs: [String: Blob]
    public var images: [String: ImageBlobs]

    public init(metadata: ObjectMeta, blobs: [String: Blob], images: [String: ImageBlobs]) {
        self.metadata = metadata
        self.blobs = blobs
        self.images = images
    }
}
