#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOPosix
import Synchronization
import WharfModel

/// Users and bcrypt password hashes from an htpasswd file (`user:$2y$…` lines). Lines with other hash schemes
/// (`$apr1$` MD5, `{SHA}`, crypt, plain text) are ignored, with a warning naming the user each time the file is read. `reload` reads the file again when it changed; `AccessControl` calls it before every authentication, so
/// that it can revoke the tokens of users the file no longer names. It looks at the file at most once per `recheck`
/// interval, and then on NIO's thread pool, so that no request waits for a `stat` or a read on its event loop.
/// Successful checks are remembered for a minute, so registry clients that send Basic credentials on every request do
/// not pay for bcrypt each time; bcrypt itself runs on the thread pool too (`PasswordHash`).
///
/// A bcrypt hash whose cost is above `maximumCost` (17 by default, the most `htpasswd -B -C` writes) is ignored with a
/// warning: every login of that user would hold a thread of the pool for minutes (cost 31 takes days).
final class Htpasswd: Sendable {
    let path: String

    /// What identifies one version of the file: a rewrite in place changes the time or size, a rename the inode.
    private struct Version: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }

    private struct State {
        var version: Version?
        var read = false
        var checked: Time?
        var hashes: [String: String] = [:]
        var credentials: [String: String] = [:]
        var recent: [String: Date] = [:]
    }
    private let state = Mutex(State())

    let recheck: Duration
    let logger: Logger
    let maximumCost: Int

    /// The clock that decides when the file is due for a look.
    let now: @Sendable () -> Time

    init(path: String, recheck: Duration = .seconds(1), logger: Logger = Logger(label: "wharf.access"), maximumCost: Int = 17,
         now: @escaping @Sendable () -> Time = { Time(secondsSince1970: Int64(Date().timeIntervalSince1970)) }) {
        self.now = now
        self.maximumCost = maximumCost
        self.path = path
        self.recheck = recheck
        self.logger = logger
    }

    /// Reads the file again if it changed since the last read (or was never read), and returns each user's credential
    /// (see `credential(of:)`) then; `nil` when nothing changed or the file was looked at less than `recheck` ago. A
    /// missing or unreadable file names no users.
    func reload() async -> [String: String]? {
        let now = self.now()
        let (due, known) = state.withLock { state -> (Bool, Version?) in
            // A clock set back makes the file due at once rather than never.
            if state.read, let checked = state.checked, now >= checked, Duration.seconds(now.secondsSince1970 - checked.secondsSince1970) < recheck {
                return (false, state.version)
            }
            state.checked = now
            return (true, state.read ? state.version : nil)
        }
        guard due else { return nil }
        let path = self.path
        let found = try? await NIOThreadPool.singleton.runIfActive { () -> (Version?, String?)? in
            let version = Self.version(of: path)
            if let known, version == known { return nil }
            return (version, try? String(contentsOfFile: path, encoding: .utf8))
        }
        guard let (version, text) = found else { return nil }
        var hashes: [String: String] = [:]
        for (number, line) in (text?.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) ?? []).enumerated() {
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                logger.warning("htpasswd line ignored: it has no colon", metadata: ["file": "\(path)", "line": "\(number + 1)"])
                continue
            }
            let user = String(line[..<colon].prefix(100))
            let hash = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if hash.hasPrefix("$2"), let cost = Self.bcryptCost(of: hash), cost > maximumCost {
                logger.warning("htpasswd line ignored: its bcrypt cost is above \(maximumCost)",
                               metadata: ["file": "\(path)", "line": "\(number + 1)", "user": "\(user)", "cost": "\(cost)"])
            } else if hash.hasPrefix("$2") {
                hashes[String(line[..<colon])] = hash
            } else {
                logger.warning("htpasswd line ignored: only bcrypt hashes ($2y$, $2b$, $2a$; htpasswd -B) are accepted",
                               metadata: ["file": "\(path)", "line": "\(number + 1)", "user": "\(user)",
                                          "scheme": "\(hash.hasPrefix("$apr1$") ? "apr1 (MD5)" : hash.hasPrefix("{SHA}") ? "SHA-1" : "crypt or plain text")"])
            }
        }
        let credentials = hashes.mapValues(TokenSecret.hash)
        state.withLock { state in
            state.version = version
            state.read = true
            state.hashes = hashes
            state.credentials = credentials
            state.recent.removeAll()
        }
        return credentials
    }

    /// Forgets the last read, so that the next `reload` reads the file and reports it again.
    func invalidate() {
        state.withLock { state in
            state.read = false
            state.checked = nil
        }
    }

    /// A fingerprint of `user`'s password hash (its SHA-256), which changes with the password; `nil` for an unknown user.
    func credential(of user: String) -> String? {
        state.withLock { $0.credentials[user] }
    }

    /// Whether the file names `user`.
    func knows(_ user: String) -> Bool {
        state.withLock { $0.hashes[user] != nil }
    }

    /// Whether `password` is `user`'s.
    func verify(user: String, password: String) async -> Bool {
        let cacheKey = TokenSecret.hash("\(user)\u{0}\(password)")
        let (hash, remembered) = state.withLock { state -> (String?, Bool) in
            let recent = state.recent[cacheKey].map { Date().timeIntervalSince($0) < 60 } ?? false
            return (state.hashes[user], recent)
        }
        guard let hash else { return false }
        if remembered { return true }
        guard await PasswordHash.verify(password, against: hash) else { return false }
        state.withLock { state in
            if state.recent.count > 10_000 { state.recent.removeAll() }
            state.recent[cacheKey] = Date()
        }
        return true
    }

    /// The cost of a bcrypt hash `$2?$NN$…`, or `nil` when it has none in that place (bcrypt then refuses the hash).
    static func bcryptCost(of hash: String) -> Int? {
        let fields = hash.utf8.split(separator: UInt8(ascii: "$"), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        return Int(String(Substring(fields[2]).prefix(while: { $0 != "$" })))
    }

    private static func version(of path: String) -> Version? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Version(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                       seconds: Int(status.st_mtim.tv_sec), nanoseconds: Int(status.st_mtim.tv_nsec))
    }
}
