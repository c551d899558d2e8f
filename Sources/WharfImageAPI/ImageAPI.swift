import Foundation
public import WharfModel
public import WharfStorage

/// The image API's use cases (`image.openshift.io/v1`): Images, ImageStreams, mappings and the views over them.
///
/// Every write bumps the global resourceVersion, records a watch event and keeps the registry's tag index in the same
/// transaction as the ImageStream it derives from. Errors are `WharfError` with Kubernetes semantics
/// (`notFound`, `alreadyExists`, `invalid` with field causes, `badRequest`, `conflict`).
public struct ImageAPI: Sendable {
    public private(set) var metadata: any MetadataStore
    /// The host (and port) clients pull from: the prefix of every `dockerImageReference` Wharf hands out.
    public let registryHostname: String
    let now: @Sendable () -> Time
    let watches: WatchHub
    /// The host clients outside the cluster pull from, when it differs: `status.publicDockerImageRepository`.
    public let publicHostname: String?
    /// About how many past events watchers may resume from; older resourceVersions get 410 Expired.
    let eventRetention: Int64
    /// Whether the caller may read images of stream `name` in `namespace` (`get imagestreams/layers` there), for spec
    /// tags that copy from another namespace. The HTTP layer sets it on a per-request copy; without it, references
    /// across namespaces are refused, so that a spec tag can never reveal images its author may not pull.
    public var sourceAccess: SourceAccess?

    public typealias SourceAccess = @Sendable (_ namespace: String, _ name: String) async throws -> Bool

    /// `watchPollInterval` is how soon watches see commits of other processes sharing the store (their own process's
    /// commits wake them at once).
    public init(metadata: any MetadataStore, registryHostname: String, publicHostname: String? = nil, eventRetention: Int64 = 10_000,
                watchPollInterval: Duration = .seconds(1), now: @escaping @Sendable () -> Time = ImageAPI.systemTime) {
        self.metadata = metadata
        self.watches = WatchHub(metadata: metadata, pollInterval: watchPollInterval)
        self.registryHostname = registryHostname
        self.publicHostname = publicHostname
        self.eventRetention = eventRetention
        self.now = now
    }

    public static let systemTime: @Sendable () -> Time = {
        Time(secondsSince1970: Int64(Date().timeIntervalSince1970))
    }

    /// The same API over a store that rolls every write back (`dryRun=All`): it answers as the write would have.
    public var dryRun: ImageAPI {
        var copy = self
        copy.metadata = DryRunMetadataStore(metadata)
        return copy
    }

    /// `<registry host>/<namespace>/<name>`: the stream's `status.dockerImageRepository`.
    public func dockerImageRepository(namespace: String, name: String) -> String {
        "\(registryHostname)/\(namespace)/\(name)"
    }
}

/// Kinds as stored in the object store.
enum Kind {
    static let image = "Image"
    static let imageStream = "ImageStream"
}
