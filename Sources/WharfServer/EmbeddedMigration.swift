import BlobStoreFilesystem
import BlobStoreS3
import Foundation
public import Logging
import MetadataStorePostgres
import MetadataStoreSQLite
import PostgresNIO
import WharfModel
import WharfStorage

/// `wharfd migrate`: moves an embedded installation (SQLite and blobs under one data directory) to PostgreSQL, to
/// another blob store (S3 or a shared directory), or both.
///
/// Blobs go first, each streamed through an upload of the target store, which verifies its digest; blobs the target
/// has already are skipped, so a migration that stopped midway can run again. The metadata goes second, in one
/// PostgreSQL transaction, into an empty database (a database that holds Wharf objects is refused). The data
/// directory is left as it was. `wharfd` must not be running on it: the SQLite store's lock refuses a second opener.
public enum EmbeddedMigration {
    public static func run(from dataDirectory: String, databaseURL: String?, blobStore: BlobStoreLocation?, logger: Logger,
                           say: (String) -> Void) async throws {
        guard databaseURL != nil || blobStore != nil else {
            throw WharfError(.invalid, "wharfd migrate needs --database-url, --blob-store, or both")
        }
        let directory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        let database = directory + "/metadata.sqlite"
        guard FileManager.default.fileExists(atPath: database) else {
            throw WharfError(.invalid, "\(directory) holds no Wharf data (no metadata.sqlite)")
        }
        let source = try SQLiteMetadataStore(path: database)
        if let blobStore {
            let target: any BlobStore = switch blobStore {
            case .directory(let root): try await FilesystemBlobStore(root: root)
            case .s3(let location): S3BlobStore(client: S3Client(location: location, credentials: try BlobStoreLocation.credentials()))
            }
            let blobs = try await FilesystemBlobStore(root: directory)
            let (copied, skipped, bytes) = try await blobs.copyBlobs(to: target) { digest, size in
                logger.debug("blob copied", metadata: ["digest": "\(digest)", "size": "\(size)"])
            }
            say("blobs: \(copied) copied (\(bytes) bytes), \(skipped) already there")
        }
        if let databaseURL {
            let dump = try await source.dump()
            let store = try await WharfServer.postgres(databaseURL, logger: logger)
            try await store.load(dump)
            say("metadata: \(dump.objects.count) objects, \(dump.manifests.count) manifests, \(dump.blobLinks.count) blob links, "
                + "\(dump.tags.values.reduce(0) { $0 + $1.count }) tags and \(dump.uploads.count) uploads copied; resourceVersion \(dump.resourceVersion)")
        }
        say("done: start every replica with the same --database-url and --blob-store, and --admin-token-file \(directory)/admin.token")
    }
}
