import Foundation
public import WharfModel
public import WharfStorage

/// Who may do what: bearer tokens (and their users), RBAC roles and bindings, and the decisions over them.
///
/// Tokens and bindings live in the metadata store, so a revocation or a new binding takes effect at once on every
/// replica. Errors are `WharfError`: `unauthorized` for bad credentials, `denied` for a refused request.
public struct AccessControl: Sendable {
    public private(set) var metadata: any MetadataStore
    let now: @Sendable () -> Time
    let throttle = LoginThrottle()
    let policy = PolicyCache()
    let htpasswd: Htpasswd?

    /// `htpasswd` names a file of users with bcrypt passwords, reloaded when it changes.
    public init(metadata: any MetadataStore, htpasswd: String? = nil,
                now: @escaping @Sendable () -> Time = { Time(secondsSince1970: Int64(Date().timeIntervalSince1970)) }) {
        self.metadata = metadata
        self.htpasswd = htpasswd.map(Htpasswd.init(path:))
        self.now = now
    }

    /// The same access control over a store that rolls every write back (`dryRun=All`).
    public var dryRun: AccessControl {
        var copy = self
        copy.metadata = DryRunMetadataStore(metadata)
        return copy
    }

    /// The user behind Basic credentials: an htpasswd user and password, or any user name with a token as the
    /// password (as `docker login -p <token>` sends). `unauthorized` otherwise.
    public func user(forBasic username: String, password: String, source: String) async throws -> UserInfo {
        try throttle.check(source)
        if let htpasswd, htpasswd.verify(user: username, password: password) { return .authenticated(username) }
        return try await user(forToken: password, source: source)
    }

    /// A bearer token for Basic credentials, for the registry token endpoint: a token password is returned as it is;
    /// an htpasswd password gets a new token for the user that expires in an hour.
    public func token(forBasic username: String, password: String, source: String) async throws -> String {
        try throttle.check(source)
        if let htpasswd, htpasswd.verify(user: username, password: password) {
            let name = "login-\(UUID().uuidString.prefix(13).lowercased())"
            let expiry = Time(secondsSince1970: now().secondsSince1970 + 3600)
            let token = try await createToken(AccessToken(name: name, spec: .init(user: username, expirationTimestamp: expiry)),
                                              by: .authenticated(username))
            return token.status?.token ?? ""
        }
        _ = try await user(forToken: password, source: source)
        return password
    }

    /// The stored kinds of tokens: by name, and by the hash of their secret.
    enum Kind {
        static let token = "Token"
        static let tokenHash = "TokenHash"
    }

    /// The user behind a bearer token secret; `unauthorized` when it is unknown or expired. Failed attempts from
    /// `source` are counted, and too many in a minute are `tooManyRequests`. A token looked up before is served from
    /// memory for as long as the policy revision (which every revocation bumps) stays the same.
    public func user(forToken secret: String, source: String) async throws -> UserInfo {
        try throttle.check(source)
        let hash = TokenSecret.hash(secret)
        let generation = metadata.generation
        let grant = try await metadata.read { tx -> PolicyCache.Grant? in
            let revision = try await policy.revision(in: tx, generation: generation)
            if let cached = policy.grant(forHash: hash, at: revision) { return cached }
            guard let stored = try await tx.objects.get(ObjectKey(kind: Kind.tokenHash, name: hash)),
                  let token = try? JSONDecoder().decode(AccessToken.self, from: Data(stored.document)),
                  TokenSecret.equal(stored.key.name, hash) else { return nil }
            let grant = PolicyCache.Grant(user: .authenticated(token.spec.user, groups: token.spec.groups ?? []),
                                          expiry: token.spec.expirationTimestamp)
            policy.remember(grant, forHash: hash, at: revision)
            return grant
        }
        guard let grant else {
            throttle.recordFailure(source)
            throw WharfError(.unauthorized, "authentication required: the token is not valid")
        }
        if let expiry = grant.expiry, expiry <= now() {
            throttle.recordFailure(source)
            throw WharfError(.unauthorized, "authentication required: the token has expired")
        }
        return grant.user
    }

    /// Whether `user` may do `attributes`: some role bound to the user (cluster-wide, or in the request's namespace)
    /// has a rule that allows it.
    public func allows(_ user: UserInfo, _ attributes: ResourceAttributes) async throws -> Bool {
        let generation = metadata.generation
        return try await metadata.read { tx in try await policy.snapshot(in: tx, generation: generation).allows(user, attributes) }
    }

    /// Throws unless `user` may do `attributes`: `unauthorized` for anonymous callers, `denied` for others.
    public func require(_ user: UserInfo, _ attributes: ResourceAttributes) async throws {
        guard try await allows(user, attributes) else { throw Self.refusal(user, attributes) }
    }

    /// The Kubernetes-style refusal: `User "x" cannot get resource "imagestreams" in API group "…" in the namespace "ns"`.
    public static func refusal(_ user: UserInfo, _ attributes: ResourceAttributes) -> WharfError {
        var message = "User \"\(user.username)\" cannot \(attributes.verb) resource \"\(attributes.qualifiedResource)\" in API group \"\(attributes.group ?? "")\""
        message += attributes.namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return WharfError(user.isAnonymous ? .unauthorized : .denied, message, resource: attributes.resource, name: attributes.name)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ stored: StoredObject) -> T? {
        try? JSONDecoder().decode(type, from: Data(stored.document))
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
