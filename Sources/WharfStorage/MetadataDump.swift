public import WharfModel

/// Everything a metadata store holds, as records: what `wharfd migrate` reads from the embedded SQLite store and
/// writes into PostgreSQL. Held in memory whole (metadata is small beside blobs: documents of at most 1 MiB each).
public struct MetadataDump: Sendable {
    public struct BlobLink: Sendable, Equatable {
        public var repository: RepositoryName
        public var digest: Digest
        public var size: Int64

        public init(repository: RepositoryName, digest: Digest, size: Int64) {
            self.repository = repository
            self.digest = digest
            self.size = size
        }
    }

    /// The newest resourceVersion the sequence has given out.
    public var resourceVersion: Int64 = 0
    public var objects: [StoredObject] = []
    public var events: [WatchEvent] = []
    public var blobLinks: [BlobLink] = []
    public var manifests: [ManifestRecord] = []
    public var tags: [RepositoryName: [String: Digest]] = [:]
    public var uploads: [UploadRecord] = []

    public init() {}
}
