#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WharfAccess
import WharfModel

/// `--admin-token-file`: where the replicas of a fleet share the admin's token secret.
///
/// If the file exists, its content (without surrounding white space) is the secret: 32 to 1,024 printable ASCII characters, and the
/// bootstrap admin token is made with it, or must already have it. If it does not exist, the process that creates the
/// admin identity writes the new secret there, readable only by its owner (0600), creating the file exclusively.
struct AdminTokenFile {
    static let minimumLength = 32
    static let maximumLength = 1024
    let path: String

    /// The secret the file holds, or `nil` when there is no file. Throws `unavailable` for an unreadable or short one.
    func secret() throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Read at most a little more than any secret needs, so a wrong path (a device, a large file) costs nothing.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.read(upToCount: Self.maximumLength + 64) else {
            throw WharfError(.unavailable, "cannot read the admin token file \(path)")
        }
        try? handle.close()
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (Self.minimumLength...Self.maximumLength).contains(secret.utf8.count), secret.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw WharfError(.unavailable, "the admin token file \(path) must hold one secret of \(Self.minimumLength) to \(Self.maximumLength) "
                + "printable characters without spaces (at least \(Self.minimumLength) characters)")
        }
        return secret
    }

    /// Makes sure the admin identity exists with the file's secret: creates it (writing a new secret to the file when
    /// there is none), or checks that the existing admin token is the file's. Returns the secret when this call made it.
    ///
    /// Replicas may start at the same instant on an empty database: one of them creates the admin (the others find it
    /// there, or lose the race to create it) and writes the file; the others wait up to `patience` for the file to
    /// appear, then check it as any later start does. None fails, and there is one admin.
    func bootstrap(_ access: AccessControl, patience: Duration = .seconds(30)) async throws -> String? {
        var secret = try secret()
        if secret == nil {
            if let created = try await Self.createAdmin(access, secret: nil) {
                try create(created)
                return created
            }
            secret = try await waitForFile(patience)
            guard secret != nil else {
                throw WharfError(.unavailable, "the admin identity exists but \(path) does not: copy the admin token there, as the other replicas have it")
            }
        }
        if try await Self.createAdmin(access, secret: secret) == nil {
            let user = try? await access.user(forToken: secret!, source: "admin-token-file")
            guard user?.username == BuiltinRoles.adminUser else {
                throw WharfError(.unavailable, "the secret in \(path) is not the admin's token in this database")
            }
        }
        return nil
    }

    /// The admin's new secret, or `nil` when the admin exists already (made by another process, perhaps a moment ago).
    static func createAdmin(_ access: AccessControl, secret: String?) async throws -> String? {
        do {
            return try await access.bootstrapAdmin(secret: secret)
        } catch let error as WharfError where error.code == .alreadyExists {
            return nil
        }
    }

    /// The file's secret once another process has written it, checking every 100 ms for `patience`; `nil` if it never came.
    private func waitForFile(_ patience: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            // A file being written may be short for a moment: only a complete secret counts.
            if let secret = try? secret() { return secret }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try secret()
    }

    private func create(_ secret: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw WharfError(.unavailable, "cannot create the admin token file \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array((secret + "\n").utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw WharfError(.unavailable, "cannot write the admin token file \(path)")
        }
    }
}
