import Foundation
public import Logging
public import WharfModel
public import WharfStorage

/// Who may do what: bearer tokens (and their users), RBAC roles and bindings, and the decisions over them.
///
/// Tokens and bindings live in the metadata store, so a revocation or a new binding takes effect at once on every
/// replica. Errors are `WharfError`: `unauthorized` for bad credentials, `denied` for a refused request.
public struct AccessControl: Sendable {
    public private(set) var metadata: any MetadataStore
    let now: @Sendable () -> Time
    let throttle: LoginThrottle
    let policy = PolicyCache()
    let loginTokens = LoginTokenCache()
    let htpasswd: Htpasswd?
    let logger: Logger

    /// `htpasswd` names a file of users with bcrypt passwords, reloaded when it changes: it is looked at no more than
    /// once per `htpasswdRecheck` by `now`, the clock that also decides token expiry and throttling.
    public init(metadata: any MetadataStore, htpasswd: String? = nil, htpasswdRecheck: Duration = .seconds(1),
                logger: Logger = Logger(label: "wharf.access"),
                now: @escaping @Sendable () -> Time = { Time(secondsSince1970: Int64(Date().timeIntervalSince1970)) }) {
        self.metadata = metadata
        self.htpasswd = htpasswd.map { Htpasswd(path: $0, recheck: htpasswdRecheck, logger: logger, now: now) }
        self.now = now
        self.logger = logger
        throttle = LoginThrottle(metadata: metadata, now: now, logger: logger)
    }

    /// The same access control over a store that rolls every write back (`dryRun=All`).
    public var dryRun: AccessControl {
        var copy = self
        copy.metadata = DryRunMetadataStore(metadata)
        return copy
    }

    /// The user behind Basic credentials: any user name with a token as the password (as `docker login -p <token>`
    /// sends), or an htpasswd user and password. `unauthorized` otherwise; `tooManyRequests` while the user name is
    /// locked out from `source` for wrong passwords (a valid token is accepted all the same).
    public func user(forBasic username: String, password: String, source: String) async throws -> UserInfo {
        try await syncHtpasswd()
        if let user = try await tokenUser(password) { return user }
        try await checkPassword(username, password, source: source)
        return .authenticated(username)
    }

    /// A bearer token for Basic credentials, for the registry token endpoint: a token password is returned as it is;
    /// an htpasswd password gets a login token for the user that expires in an hour (see `loginToken`).
    public func token(forBasic username: String, password: String, source: String) async throws -> String {
        try await syncHtpasswd()
        if try await tokenUser(password) != nil { return password }
        try await checkPassword(username, password, source: source)
        return try await loginToken(for: username, password: password)
    }

    /// The stored kinds of tokens: by name, and by the hash of their secret.
    enum Kind {
        static let token = "Token"
        static let tokenHash = "TokenHash"
    }

    /// The user behind a bearer token secret; `unauthorized` when it is unknown, expired, or a login token whose user
    /// left the htpasswd file or changed password. Tokens are not throttled (`source` is not counted): they cannot be
    /// guessed.
    public func user(forToken secret: String, source: String) async throws -> UserInfo {
        try await syncHtpasswd()
        guard let user = try await tokenUser(secret) else { throw WharfError(.unauthorized, "authentication required: the token is not valid") }
        return user
    }

    /// The user of the token whose secret is `secret`; `nil` when there is none, `unauthorized` when it may no longer
    /// be used. A token looked up before is served from memory for as long as the policy revision (which every
    /// revocation bumps) stays the same.
    func tokenUser(_ secret: String) async throws -> UserInfo? {
        let hash = TokenSecret.hash(secret)
        let generation = metadata.generation
        let grant = try await metadata.read { tx -> PolicyCache.Grant? in
            let revision = try await policy.revision(in: tx, generation: generation)
            if let cached = policy.grant(forHash: hash, at: revision) { return cached }
            guard let stored = try await tx.objects.get(ObjectKey(kind: Kind.tokenHash, name: hash)),
                  let token = try? JSONDecoder().decode(AccessToken.self, from: Data(stored.document)),
                  TokenSecret.equal(stored.key.name, hash) else { return nil }
            let grant = PolicyCache.Grant(user: .authenticated(token.spec.user, groups: token.spec.groups ?? []),
                                          expiry: token.spec.expirationTimestamp, credential: token.metadata.annotations?[Self.credentialAnnotation])
            policy.remember(grant, forHash: hash, at: revision)
            return grant
        }
        guard let grant else { return nil }
        if let expiry = grant.expiry, expiry <= now() {
            throw WharfError(.unauthorized, "authentication required: the token has expired; log in again")
        }
        if let credential = grant.credential, htpasswd?.credential(of: grant.user.username) != credential {
            throw WharfError(.unauthorized, "authentication required: the token is revoked: its user was removed from the htpasswd file "
                             + "or changed password; log in again")
        }
        return grant.user
    }

    /// Checks an htpasswd password, under the login throttle: wrong passwords of a user the file names are counted
    /// per source.
    private func checkPassword(_ username: String, _ password: String, source: String) async throws {
        let refused = WharfError(.unauthorized, "authentication required: invalid user name or password")
        guard let htpasswd, htpasswd.knows(username) else { throw refused }
        let hadFailures = try await throttle.check(user: username, source: source)
        guard await htpasswd.verify(user: username, password: password) else {
            try await throttle.recordFailure(user: username, source: source)
            throw refused
        }
        if hadFailures { try await throttle.clear(user: username, source: source) }
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
        if let url = attributes.nonResourceURL {
            return WharfError(user.isAnonymous ? .unauthorized : .denied, "User \"\(user.username)\" cannot \(attributes.verb) path \"\(url)\"")
        }
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
