import Foundation
import Logging
import WharfModel
import WharfStorage

/// Refuses password logins of one user name from one source address after `limit` wrong passwords in `window`
/// seconds, until the oldest of them is a window old.
///
/// Only passwords are throttled: a token (valid, expired or revoked) is recognised before the throttle is asked, and an
/// unknown one cannot be guessed, so a client holding a valid token is never locked out. The failures live in the
/// metadata store (one `LoginFailures` object per user and source, at most `limit` times each), so every replica counts
/// the same failures and a restart forgets none; records whose failures are all a window old are purged.
struct LoginThrottle: Sendable {
    static let limit = 20
    static let window: Int64 = 60
    static let kind = "LoginFailures"

    let metadata: any MetadataStore
    let now: @Sendable () -> Time
    let logger: Logger

    /// The stored failures of one user from one source.
    struct Failures: Codable {
        var user: String
        var source: String
        var times: [Int64]
    }

    /// Throws `tooManyRequests`, with `Retry-After`, while `user` is locked out from `source`. Returns whether any
    /// failure is on record, for `clear`.
    func check(user: String, source: String) async throws -> Bool {
        let key = Self.key(user: user, source: source)
        guard let failures = try await metadata.read({ try await $0.objects.get(key) }).flatMap(Self.decode) else { return false }
        let now = self.now().secondsSince1970
        let recent = failures.times.filter { now - $0 < Self.window }
        if recent.count >= Self.limit {
            let retry = max(1, recent[recent.count - Self.limit] + Self.window - now)
            var error = WharfError(.tooManyRequests, "too many failed logins for user \"\(user)\" from this address; try again in \(retry) seconds")
            error.headers["Retry-After"] = String(retry)
            throw error
        }
        return true
    }

    /// Counts a wrong password, and logs a warning when it locks the user out from the source.
    func recordFailure(user: String, source: String) async throws {
        let key = Self.key(user: user, source: source)
        let now = self.now().secondsSince1970
        let (before, after) = try await metadata.transaction { tx -> (Int, Int) in
            var failures = try await tx.objects.get(key).flatMap(Self.decode) ?? Failures(user: user, source: source, times: [])
            let recent = failures.times.filter { now - $0 < Self.window }
            failures.times = Array((recent + [now]).suffix(Self.limit))
            try await tx.objects.put(StoredObject(key: key, uid: "", resourceVersion: 0, document: try AccessControl.encode(failures)))
            return (recent.count, failures.times.count)
        }
        if before < Self.limit, after >= Self.limit {
            logger.warning("login locked out after too many wrong passwords", metadata: [
                "user": "\(user)", "source": "\(source)", "failures": "\(after)", "window": "\(Self.window)s",
            ])
        }
    }

    /// Forgets the failures of `user` from `source`, after a right password.
    func clear(user: String, source: String) async throws {
        _ = try await metadata.transaction { try await $0.objects.delete(Self.key(user: user, source: source)) }
    }

    /// Deletes the records whose failures are all a window old, returning how many; `WharfServer` runs it every ten minutes.
    /// Safe on every replica at once.
    func purgeStale() async throws -> Int {
        let now = self.now().secondsSince1970
        func stale(_ stored: StoredObject) -> Bool {
            (Self.decode(stored)?.times.allSatisfy { now - $0 >= Self.window }) ?? true
        }
        let keys = try await metadata.read { try await $0.objects.list(kind: Self.kind, namespace: nil) }.filter(stale).map(\.key)
        guard !keys.isEmpty else { return 0 }
        return try await metadata.transaction { tx in
            var purged = 0
            for key in keys {
                if let stored = try await tx.objects.get(key), stale(stored), try await tx.objects.delete(key) { purged += 1 }
            }
            return purged
        }
    }

    static func key(user: String, source: String) -> ObjectKey {
        ObjectKey(kind: kind, name: TokenSecret.hash("\(user)\u{0}\(source)"))
    }

    static func decode(_ stored: StoredObject) -> Failures? {
        AccessControl.decode(Failures.self, stored)
    }
}
