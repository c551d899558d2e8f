/// A request to tag an image into an existing image stream (create-only).
public struct ImageStreamMapping: Codable, Sendable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var image: Image
    public var tag: String

    public init(metadata: ObjectMeta, image: Image, tag: String) {
        self.metadata = metadata
        self.image = image
        self.tag = tag
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        image = try c.decodeIfPresent(Image.self, forKey: .image) ?? Image(metadata: ObjectMeta())
        tag = try c.decodeIfPresent(String.self, forKey: .tag) ?? ""
    }
}
