/// A view of one tag of a stream and its current image (`<stream>:<tag>`).
public struct ImageStreamTag: Codable, Sendable {
    public var kind = "ImageStreamTag"
    public var apiVersion = ImageAPIGroup.version
    public var metadata: ObjectMeta
    public var tag: TagReference?
    public var generation: Int64
    public var lookupPolicy: LookupPolicy
    public var conditions: [TagEventCondition]?
    public var image: Image

    public init(metadata: ObjectMeta, tag: TagReference?, generation: Int64, lookupPolicy: LookupPolicy, image: Image) {
        self.metadata = metadata
        self.tag = tag
        self.generation = generation
        self.lookupPolicy = lookupPolicy
        self.image = image
    }

    enum CodingKeys: String, CodingKey {
        case kind, apiVersion, metadata, tag, generation, lookupPolicy, conditions, image
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        tag = try c.decodeIfPresent(TagReference.self, forKey: .tag)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation) ?? 0
        lookupPolicy = try c.decodeIfPresent(LookupPolicy.self, forKey: .lookupPolicy) ?? LookupPolicy()
        conditions = try c.decodeIfPresent([TagEventCondition].self, forKey: .conditions)
        image = try c.decodeIfPresent(Image.self, forKey: .image) ?? Image(metadata: ObjectMeta())
    }

    /// `tag` is written as `null` when the tag has no spec entry.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(tag, forKey: .tag)
        try c.encode(generation, forKey: .generation)
        try c.encode(lookupPolicy, forKey: .lookupPolicy)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encode(image, forKey: .image)
    }
}

/// A view of one image of a stream (`<stream>@<digest or prefix>`).
public struct ImageStreamImage: Codable, Sendable {
    public var kind = "ImageStreamImage"
    public var apiVersion = ImageAPIGroup.version
    public var metadata: ObjectMeta
    public var image: Image

    public init(metadata: ObjectMeta, image: Image) {
        self.metadata = metadata
        self.image = image
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        image = try c.decodeIfPresent(Image.self, forKey: .image) ?? Image(metadata: ObjectMeta())
    }
}
