public import WharfModel

/// Identifies an API object. `namespace` is empty for cluster-scoped kinds.
public struct ObjectKey: Hashable, Sendable, Comparable {
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String = "", name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
    }
}

/// An API object as stored: its key, identity, version and JSON document.
public struct StoredObject: Sendable, Equatable {
    public var key: ObjectKey
    public var uid: String
    public var resourceVersion: Int64
    public var document: [UInt8]

    public init(key: ObjectKey, uid: String, resourceVersion: Int64, document: [UInt8]) {
        self.key = key
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.document = document
    }
}

/// One entry of the watch event log.
public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var resourceVersion: Int64
    public var type: EventType
    public var key: ObjectKey
    public var document: [UInt8]

    public init(resourceVersion: Int64, type: EventType, key: ObjectKey, document: [UInt8]) {
        self.resourceVersion = resourceVersion
        self.type = type
        self.key = key
        self.document = document
    }
}

/// A manifest held by a repository. Its bytes live in the BlobStore under `digest`.
public struct ManifestRecord: Sendable, Equatable {
    public var repository: RepositoryName
    public var digest: Digest
    public var mediaType: String
    public var size: Int64
    public var subject: Digest?
    public var artifactType: String?
    public var annotations: [String: String]?
    /// The blobs the manifest references (an image's config and layers), which the repository must keep while the
    /// manifest is there.
    public var blobs: [Digest]

    public init(repository: RepositoryName, digest: Digest, mediaType: String, size: Int64, subject: Digest? = nil,
                artifactType: String? = nil, annotations: [String: String]? = nil, blobs: [Digest] = []) {
        self.repository = repository
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
        self.subject = subject
        self.artifactType = artifactType
        self.annotations = annotations
        self.blobs = blobs
    }
}

/// An upload session.
public struct UploadRecord: Sendable, Equatable {
    public var id: String
    public var repository: RepositoryName
    public var startedAt: Time
    /// When a request last added to it (at least a minute apart, see `Registry.appendChunk`); `startedAt` at first.
    public var lastActivity: Time

    public init(id: String, repository: RepositoryName, startedAt: Time, lastActivity: Time? = nil) {
        self.id = id
        self.repository = repository
        self.startedAt = startedAt
        self.lastActivity = lastActivity ?? startedAt
    }
}
