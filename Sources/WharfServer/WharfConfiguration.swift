public import WharfAccess
public import WharfHTTP

/// How `wharfd` runs. Every setting has a default, so no configuration is needed.
///
/// Command-line flags override environment variables, which override these defaults:
/// - `host` (`WHARF_HOST`, default `127.0.0.1`) and `port` (`WHARF_PORT`, default 5000): where to listen.
/// - `dataDirectory` (`WHARF_DATA_DIR`, default `./wharf-data`): metadata (`metadata.sqlite`) and blobs (`blobs/`, `uploads/`).
/// - `blobStore` (`WHARF_BLOB_STORE`, default none: the data directory): an S3 bucket or another directory for blobs
///   (`BlobStoreLocation`).
/// - `databaseURL` (`WHARF_DATABASE_URL`, default none: SQLite in the data directory): metadata in PostgreSQL.
/// - `blobRedirect` (`WHARF_BLOB_REDIRECT=1`, default off): blob GETs are redirected to presigned URLs of an S3 store.
/// - `registryHostname` (`WHARF_REGISTRY_HOSTNAME`, default `<host>:<port>`): the host in every `dockerImageReference`.
/// - `publicHostname` (`WHARF_PUBLIC_HOSTNAME`, default none): the host in `status.publicDockerImageRepository`.
/// - `htpasswd` (`WHARF_HTPASSWD`): users with bcrypt passwords, reloaded when the file changes.
/// - `tlsCertificate`, `tlsKey` (`WHARF_TLS_CERT`, `WHARF_TLS_KEY`): PEM files; with both, HTTPS instead of HTTP.
/// - `timeouts` (`WHARF_HEADER_READ_TIMEOUT`, `WHARF_IDLE_TIMEOUT`, `WHARF_BODY_STALL_TIMEOUT`, in seconds; defaults
///   30, 120 and 60): how long a connection may keep the server waiting (`ConnectionTimeouts`).
/// - `shutdownGrace` (`WHARF_SHUTDOWN_GRACE`, in seconds, default 30): on SIGTERM or SIGINT, how long requests under way
///   may take to finish before `wharfd` exits anyway.
/// - `rateLimit` (`WHARF_RATE_LIMIT`, requests a second, default none): each user's (and each anonymous address's)
///   requests beyond it, after a burst of one second's worth, are refused with 429 and `Retry-After`.
/// - `adminTokenFile` (`WHARF_ADMIN_TOKEN_FILE`, default none: `<dataDirectory>/admin.token` is written on the first
///   start): the admin's token secret, shared by the replicas of a fleet (`AdminTokenFile`).
/// - `trustedProxies` (`WHARF_TRUSTED_PROXIES`, addresses and CIDR blocks, default none): load balancers whose
///   `X-Forwarded-For` names the client, for the login throttle, the rate limit and the audit record.
public struct WharfConfiguration: Sendable {
    /// Where metadata and blobs live.
    public enum Storage: Sendable {
        /// SQLite metadata and filesystem blobs under `dataDirectory`: the default.
        case embedded
        /// Everything in memory, lost at exit: for tests.
        case inMemory
    }

    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var registryHostname: String?
    public var publicHostname: String?
    public var storage: Storage
    /// Where the embedded storage keeps blobs, when not in the data directory.
    public var blobStore: BlobStoreLocation?
    /// A PostgreSQL database (`postgres://user:password@host:port/database`) for the metadata instead of SQLite in the
    /// data directory, which many `wharfd` processes may share.
    public var databaseURL: String?
    /// Whether blob GETs are answered with a 307 to a presigned URL of an S3 `blobStore`, valid this long; `nil` (the
    /// default) to serve the bytes through `wharfd`.
    public var blobRedirect: Duration?
    /// The bootstrap admin token's secret, instead of a random one (for tests).
    public var adminToken: String?
    /// The file that holds (or receives) the admin's token secret; `nil` for the embedded default.
    public var adminTokenFile: String?
    /// An htpasswd file of users with bcrypt passwords.
    public var htpasswd: String?
    /// PEM files of a certificate chain and its key: with both, `wharfd` serves HTTPS.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How long a connection may keep the server waiting for its client.
    public var timeouts = ConnectionTimeouts()
    /// How long requests under way may take to finish after a graceful shutdown begins (watches end at once).
    public var shutdownGrace = Duration.seconds(30)
    /// Requests a second each caller may make; `nil` for no limit.
    public var rateLimit: Double?
    /// The proxies whose `X-Forwarded-For` is believed; none by default.
    public var trustedProxies = TrustedProxies.none
    /// A port on 127.0.0.1 that serves `/metrics` without authorization; none by default.
    public var metricsPort: Int?

    public init(host: String = "127.0.0.1", port: Int = 5000, dataDirectory: String = "./wharf-data", registryHostname: String? = nil,
                publicHostname: String? = nil, storage: Storage = .embedded, adminToken: String? = nil) {
        self.adminToken = adminToken
        self.publicHostname = publicHostname
        self.storage = storage
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.registryHostname = registryHostname
    }

    /// The hostname image references use: the configured one, else the listen address.
    public var effectiveRegistryHostname: String { registryHostname ?? "\(host):\(port)" }
}
