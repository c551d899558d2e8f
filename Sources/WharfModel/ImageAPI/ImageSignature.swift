/// A signature of an Image, named `<image name>@<signature name>` (reference §8).
public struct ImageSignature: Codable, Sendable, Equatable {
    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var lastProbeTime: Time?
        public var lastTransitionTime: Time?
        public var reason: String?
        public var message: String?
    }

    public struct Issuer: Codable, Sendable, Equatable {
        public var organization: String?
        public var commonName: String?
        public var publicKeyID: String?
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var type: String
    /// The signature, base64-encoded.
    public var content: String
    public var conditions: [Condition]?
    public var imageIdentity: String?
    public var signedClaims: [String: String]?
    public var created: Time?
    public var issuedBy: Issuer?
    public var issuedTo: Issuer?

    enum CodingKeys: String, CodingKey {
        case kind, apiVersion, metadata, type, content, conditions, imageIdentity, signedClaims, created, issuedBy, issuedTo
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        conditions = try c.decodeIfPresent([Condition].self, forKey: .conditions)
        imageIdentity = try c.decodeIfPresent(String.self, forKey: .imageIdentity)
        signedClaims = try c.decodeIfPresent([String: String].self, forKey: .signedClaims)
        created = try c.decodeIfPresent(Time.self, forKey: .created)
        issuedBy = try c.decodeIfPresent(Issuer.self, forKey: .issuedBy)
        issuedTo = try c.decodeIfPresent(Issuer.self, forKey: .issuedTo)
    }
}
