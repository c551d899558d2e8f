import Foundation
import Logging
import Synchronization
import WharfModel
import WharfStorage

/// Login tokens: the tokens the registry token endpoint mints for htpasswd users.
///
/// A login token expires in an hour and carries the fingerprint of the password hash it was minted from (the
/// `wharf.dev/htpasswd-credential` annotation, never listed): it stops working as soon as the htpasswd file no longer
/// gives the user that password. Expired login tokens are purged whenever a new one is minted.
extension AccessControl {
    static let credentialAnnotation = "wharf.dev/htpasswd-credential"
    static let loginLifetime: Int64 = 3600
    static let bootstrapTokenName = "admin-bootstrap"
    static let htpasswdUsersKey = ObjectKey(kind: "HtpasswdUsers", name: "current")

    /// A login token for an htpasswd user whose password was just checked: the one this process minted last for the
    /// same user and password while it still works and has more than half its hour left, else a new one. So the
    /// registry commands of one user (each asks the token endpoint) share a token instead of each minting its own.
    func loginToken(for username: String, password: String) async throws -> String {
        let key = TokenSecret.hash("\(username)\u{0}\(password)")
        if let secret = loginTokens.secret(for: key, usableUntil: Time(secondsSince1970: now().secondsSince1970 + Self.loginLifetime / 2)),
           (try? await tokenUser(secret))?.username == username {
            return secret
        }
        let expiry = Time(secondsSince1970: now().secondsSince1970 + Self.loginLifetime)
        var token = AccessToken(name: "login-\(UUID().uuidString.prefix(13).lowercased())", spec: .init(user: username, expirationTimestamp: expiry))
        token.metadata.annotations = htpasswd?.credential(of: username).map { [Self.credentialAnnotation: $0] }
        let secret = try await createToken(token, by: .authenticated(username)).status?.token ?? ""
        loginTokens.remember(secret, expiry: expiry, for: key)
        try await purgeExpiredLoginTokens()
        return secret
    }

    /// Deletes the login tokens that have expired.
    func purgeExpiredLoginTokens() async throws {
        let now = self.now()
        func expired(_ stored: StoredObject) -> AccessToken? {
            guard let token = Self.decode(AccessToken.self, stored), token.metadata.annotations?[Self.credentialAnnotation] != nil,
                  let expiry = token.spec.expirationTimestamp, expiry <= now else { return nil }
            return token
        }
        guard try await metadata.read({ try await $0.objects.list(kind: Kind.token, namespace: nil) }).contains(where: { expired($0) != nil })
        else { return }
        try await metadata.transaction { tx in
            for stored in try await tx.objects.list(kind: Kind.token, namespace: nil) {
                if let token = expired(stored) { try await Self.remove(token, named: stored.key.name, in: tx) }
            }
        }
    }

    /// Forgets the wrong passwords that no longer count (all older than the throttle's window); returns how many
    /// user-and-source records were deleted.
    public func purgeStaleLoginFailures() async throws -> Int {
        try await throttle.purgeStale()
    }

    /// Reads the htpasswd file again when it changed, and revokes the tokens its change takes away: every token of a
    /// user it no longer names (whoever made it; the bootstrap admin's excepted), and the login tokens of a user whose
    /// password changed. The users last seen are stored with the tokens, so whichever replica, or restarted process,
    /// first sees the change revokes, once.
    func syncHtpasswd() async throws {
        guard let htpasswd, let users = await htpasswd.reload() else { return }
        do {
            let revoked = try await revokeTokens(forChangesTo: users)
            if !revoked.isEmpty {
                logger.notice("revoked the tokens of users removed from the htpasswd file or whose password changed", metadata: [
                    "tokens": "\(revoked.joined(separator: ","))",
                ])
            }
        } catch {
            htpasswd.invalidate()
            throw error
        }
    }

    /// Revokes what `syncHtpasswd` says for the change from the stored users to `users`, and stores `users`. Returns the
    /// names of the revoked tokens.
    private func revokeTokens(forChangesTo users: [String: String]) async throws -> [String] {
        let key = Self.htpasswdUsersKey
        let stored = try await metadata.read { try await $0.objects.get(key) }.flatMap { Self.decode([String: String].self, $0) }
        guard stored != users else { return [] }
        return try await metadata.transaction { tx in
            var revoked: [String] = []
            if let previous = try await tx.objects.get(key).flatMap({ Self.decode([String: String].self, $0) }) {
                let removed = Set(previous.keys).subtracting(users.keys)
                let changed = Set(previous.keys.filter { users[$0] != nil && users[$0] != previous[$0] })
                if !removed.isEmpty || !changed.isEmpty {
                    for stored in try await tx.objects.list(kind: Kind.token, namespace: nil) where stored.key.name != Self.bootstrapTokenName {
                        guard let token = Self.decode(AccessToken.self, stored) else { continue }
                        let login = token.metadata.annotations?[Self.credentialAnnotation] != nil
                        if removed.contains(token.spec.user) || login && changed.contains(token.spec.user) {
                            try await Self.remove(token, named: stored.key.name, in: tx)
                            revoked.append(stored.key.name)
                        }
                    }
                }
            }
            try await tx.objects.put(StoredObject(key: key, uid: "", resourceVersion: 0, document: try Self.encode(users)))
            if !revoked.isEmpty { try await PolicyCache.bumpRevision(to: try await tx.objects.nextResourceVersion(), in: tx) }
            return revoked
        }
    }
}

/// The login tokens this process minted, by a hash of the user and password they were minted for, so that the token
/// endpoint can hand the same one out again. Only an economy: a token from here is checked against the store before
/// it is handed out, and another replica simply mints its own.
final class LoginTokenCache: Sendable {
    private let entries = Mutex<[String: (secret: String, expiry: Time)]>([:])
    private static let capacity = 10_000

    func secret(for key: String, usableUntil time: Time) -> String? {
        entries.withLock { entries in entries[key].flatMap { $0.expiry > time ? $0.secret : nil } }
    }

    func remember(_ secret: String, expiry: Time, for key: String) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = (secret, expiry)
        }
    }
}
