/// A bearer token (`tokens`, group `wharf.dev/v1`): a name, the user it acts as, and an optional expiry.
/// The secret is shown once, in `status.token` of the create response; only its hash is stored.
public struct AccessToken: Codable, Sendable, Equatable {
    public struct Spec: Codable, Sendable, Equatable {
        public var user: String
        public var groups: [String]?
        public var expirationTimestamp: Time?

        public init(user: String, groups: [String]? = nil, expirationTimestamp: Time? = nil) {
            self.user = user
            self.groups = groups
            self.expirationTimestamp = expirationTimestamp
        }

        /// `user` may be left out: the token is then the caller's own.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            user = try c.decodeIfPresent(String.self, forKey: .user) ?? ""
            groups = try c.decodeIfPresent([String].self, forKey: .groups)
            expirationTimestamp = try c.decodeIfPresent(Time.self, forKey: .expirationTimestamp)
        }

        enum CodingKeys: String, CodingKey { case user, groups, expirationTimestamp }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var token: String?
        public init(token: String?) { self.token = token }
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec) ?? Spec(user: "")
        status = try c.decodeIfPresent(Status.self, forKey: .status)
    }

    enum CodingKeys: String, CodingKey { case kind, apiVersion, metadata, spec, status }

    public init(name: String, spec: Spec) {
        self.kind = "Token"
        self.apiVersion = AccessGroup.version
        self.metadata = ObjectMeta(name: name)
        self.spec = spec
    }
}

/// Wharf's own API group for identities.
public enum AccessGroup {
    public static let name = "wharf.dev"
    public static let version = "wharf.dev/v1"
}
