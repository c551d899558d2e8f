public import Hummingbird
public import HummingbirdTesting
public import WharfServer

/// Starts Wharf for tests: in process through the router, or on a live ephemeral port.
public enum WharfTestServer {
    /// The registry hostname test servers put in image references.
    public static let registryHostname = "registry.test:5000"
    /// The secret of the bootstrap admin token of test servers.
    public static let adminToken = "wharf_test-admin-token"

    /// An application on `storage` (in memory by default), listening on an ephemeral port when run live, with the
    /// users of an `htpasswd` file if one is named, and any other settings `configure` makes (short timeouts, say).
    public static func makeApplication(storage: WharfConfiguration.Storage = .inMemory, dataDirectory: String = "./wharf-test-data",
                                       htpasswd: String? = nil, configure: (inout WharfConfiguration) -> Void = { _ in }) async throws
        -> some ApplicationProtocol
    {
        try await makeObservedApplication(storage: storage, dataDirectory: dataDirectory, htpasswd: htpasswd, configure: configure).application
    }

    /// An application as `makeApplication` makes it, and how many watches are open on it now.
    public static func makeObservedApplication(storage: WharfConfiguration.Storage = .inMemory, dataDirectory: String = "./wharf-test-data",
                                               htpasswd: String? = nil, configure: (inout WharfConfiguration) -> Void = { _ in }) async throws
        -> (application: some ApplicationProtocol, openWatches: @Sendable () -> Int)
    {
        var configuration = WharfConfiguration(port: 0, dataDirectory: dataDirectory, registryHostname: registryHostname, storage: storage,
                                               adminToken: adminToken)
        configuration.htpasswd = htpasswd
        configure(&configuration)
        let (router, openWatches, _) = try await WharfServer.makeRouterCountingWatches(configuration)
        let application = Application(router: router, server: try WharfServer.serverBuilder(configuration),
                                      configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return (application, openWatches)
    }

    /// Runs `body` against a fresh in-memory Wharf through the router (no sockets).
    public static func withRouter<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await makeApplication().test(.router, body)
    }
}
