/// The full view of one tag (`<stream>:<tag>`): its spec, its status and its image (reference §5.7).
public struct ImageTag: Codable, Sendable {
    public var kind = "ImageTag"
    public var apiVersion = ImageAPIGroup.version
    public var metadata: ObjectMeta
    public var spec: TagReference?
    public var status: NamedTagEventList?
    public var image: Image?

    public init(metadata: ObjectMeta, spec: TagReference?, status: NamedTagEventList?, image: Image?) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
        self.image = image
    }

    enum CodingKeys: String, CodingKey { case kind, apiVersion, metadata, spec, status, image }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(TagReference.self, forKey: .spec)
        status = try c.decodeIfPresent(NamedTagEventList.self, forKey: .status)
        image = try c.decodeIfPresent(Image.self, forKey: .image)
    }

    /// `spec`, `status` and `image` are written as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(spec, forKey: .spec)
        try c.encode(status, forKey: .status)
        try c.encode(image, forKey: .image)
    }
}
