import HummingbirdBcrypt
import NIOPosix

/// Checks passwords against the bcrypt hashes of htpasswd files, with HummingbirdBcrypt, on NIO's thread pool:
/// bcrypt is slow on purpose (tens of milliseconds at cost 10) and must never hold up an event loop.
enum PasswordHash {
    /// Whether `password` matches `hash`: `$2a$`, `$2b$`, or `$2y$` as Apache's `htpasswd -B` writes it (the same
    /// algorithm as `$2b$`). A password with a NUL byte matches nothing, since C's bcrypt would read it only up to
    /// the NUL.
    static func verify(_ password: String, against hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { verifyHere(password, against: hash) }) ?? false
    }

    /// `verify` on the calling thread.
    static func verifyHere(_ password: String, against hash: String) -> Bool {
        guard !password.utf8.contains(0) else { return false }
        let normalized = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
        return Bcrypt.verify(password, hash: normalized)
    }
}
