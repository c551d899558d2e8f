#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import WharfModel

/// The embedded profile's data directory, readable only by its owner: the directory, `blobs/` and `uploads/` are
/// 0700; `metadata.sqlite` (which holds token hashes), its `-wal`, `-shm` and `.lock` files, and `admin.token` are
/// 0600. The stores create what they create with those modes; `prepare` and `tighten` take away what an older version
/// or an operator left looser, with a warning for each.
enum DataDirectory {
    static let directories = ["", "/blobs", "/uploads"]
    static let files = ["/metadata.sqlite", "/metadata.sqlite-wal", "/metadata.sqlite-shm", "/metadata.sqlite.lock", "/admin.token"]

    /// Creates `path` (0700) when missing, and tightens what already exists, before the stores open it.
    static func prepare(_ path: String, logger: Logger) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw WharfError(.unavailable, "cannot create the data directory \(path)", cause: error)
        }
        tighten(path, logger: logger)
    }

    /// Takes group and other permissions away from every directory and file above that exists under `path`.
    static func tighten(_ path: String, logger: Logger) {
        for directory in directories { tighten(path + directory, to: 0o700, logger: logger) }
        for file in files { tighten(path + file, to: 0o600, logger: logger) }
    }

    private static func tighten(_ path: String, to mode: mode_t, logger: Logger) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return }
        let old = status.st_mode & 0o777
        if chmod(path, old & mode) == 0 {
            logger.warning("tightened permissions that let others read Wharf's data", metadata: [
                "path": "\(path)", "mode": "\(String(old, radix: 8))", "now": "\(String(old & mode, radix: 8))",
            ])
        } else {
            logger.warning("others may read Wharf's data, and its permissions could not be tightened", metadata: [
                "path": "\(path)", "mode": "\(String(old, radix: 8))", "errno": "\(errno)",
            ])
        }
    }
}
