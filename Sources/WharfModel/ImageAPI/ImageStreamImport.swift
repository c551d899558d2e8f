/// A request to import images from other registries into a stream (create-only, reference §9).
public struct ImageStreamImport: Codable, Sendable {
    public struct Spec: Codable, Sendable {
        public var `import`: Bool?
        public var repository: RepositoryImportSpec?
        public var images: [ImageImportSpec]?
    }

    public struct RepositoryImportSpec: Codable, Sendable {
        public var from: ObjectReference?
        public var importPolicy: TagImportPolicy?
        public var referencePolicy: TagReferencePolicy?
        public var includeManifest: Bool?
    }

    public struct ImageImportSpec: Codable, Sendable {
        public var from: ObjectReference?
        public var to: LocalReference?
        public var importPolicy: TagImportPolicy?
        public var referencePolicy: TagReferencePolicy?
        public var includeManifest: Bool?
    }

    public struct LocalReference: Codable, Sendable { public var name: String? }

    public struct Status: Codable, Sendable {
        public var `import`: ImageStream?
        public var repository: RepositoryImportStatus?
        public var images: [ImageImportStatus]?

        public init(import stream: ImageStream?, repository: RepositoryImportStatus?, images: [ImageImportStatus]?) {
            self.import = stream
            self.repository = repository
            self.images = images
        }
    }

    public struct RepositoryImportStatus: Codable, Sendable {
        public var status: ImportOutcome
        public var images: [ImageImportStatus]?

        public init(status: ImportOutcome, images: [ImageImportStatus]?) {
            self.status = status
            self.images = images
        }
    }

    public struct ImageImportStatus: Codable, Sendable {
        public var status: ImportOutcome
        public var tag: String?

        public init(status: ImportOutcome, tag: String?) {
            self.status = status
            self.tag = tag
        }
    }

    /// A `meta/v1` Status describing one import's outcome.
    public struct ImportOutcome: Codable, Sendable {
        public var metadata: [String: String] = [:]
        public var status: String
        public var message: String?
        public var reason: String?
        public var code: Int?

        public init(status: String, message: String?, reason: String?, code: Int?) {
            self.status = status
            self.message = message
            self.reason = reason
            self.code = code
        }
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?
}
