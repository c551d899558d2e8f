public import WharfModel
import WharfStorage

/// One page of a sorted listing: the items and whether more follow.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool

    /// The items after `last` (exclusive), at most `limit` of them.
    init(sorted all: [Item], after last: String?, limit: Int?, key: (Item) -> String) {
        var rest = all[...]
        if let last { rest = rest.drop { key($0) <= last } }
        if let limit {
            items = Array(rest.prefix(limit))
            hasMore = rest.count > limit
        } else {
            items = Array(rest)
            hasMore = false
        }
    }
}

/// The referrers of a subject, as an image index.
public struct Referrers: Sendable {
    public var index: ImageIndex
    /// Whether an `artifactType` filter was applied.
    public var filtered: Bool
}

extension Registry {
    /// The tags of `repository`, sorted, paginated with `n` and `last`. `nameUnknown` when the repository does not exist.
    public func tags(in repository: RepositoryName, limit: Int?, after last: String?) async throws -> Page<String> {
        try await metadata.read { tx in
            let tags = try await tx.tags.tags(in: repository)
            // Tags imply the stream; only an empty list needs the existence check.
            if tags.isEmpty, try await !images.streamExists(repository, in: tx) {
                throw WharfError(.nameUnknown, "repository name not known to registry", detail: ["name": repository.description])
            }
            return Page(sorted: tags, after: last, limit: limit) { $0 }
        }
    }

    /// The repositories `include` accepts, sorted, paginated with `n` and `last`.
    public func catalog(limit: Int?, after last: String?, including include: (RepositoryName) -> Bool = { _ in true }) async throws -> Page<String> {
        let repositories = try await metadata.read { tx in try await images.repositories(in: tx) }
        return Page(sorted: repositories.filter(include).map(\.description), after: last, limit: limit) { $0 }
    }

    /// The manifests of `repository` whose subject is `subject`, optionally only those of `artifactType`.
    public func referrers(of subject: Digest, in repository: RepositoryName, artifactType: String?) async throws -> Referrers {
        let records = try await metadata.read { try await $0.manifests.referrers(of: subject, in: repository) }
        let descriptors = records
            .filter { artifactType == nil || $0.artifactType == artifactType }
            .map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size, annotations: $0.annotations, artifactType: $0.artifactType) }
        return Referrers(index: ImageIndex(mediaType: MediaType.ociIndex, manifests: descriptors), filtered: artifactType != nil)
    }
}
