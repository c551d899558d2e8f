import Foundation
import BlobStoreFilesystem
public import Hummingbird
import Logging
import MetadataStoreSQLite
import NIOCore
import WharfHTTP
import WharfImageAPI
import WharfRegistry
import WharfStorage

/// The composition root: the only place that knows which storage backends exist.
public enum WharfServer {
    /// Builds the embedded profile (SQLite metadata and filesystem blobs under the data directory) and the application.
    /// `onRunning` receives the bound port once the server listens.
    public static func makeApplication(
        _ configuration: WharfConfiguration, logger: Logger = Logger(label: "wharfd"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let directory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let blobs = try await FilesystemBlobStore(root: directory)
        let metadata = try SQLiteMetadataStore(path: directory + "/metadata.sqlite")
        let api = ImageAPI(metadata: metadata, registryHostname: configuration.effectiveRegistryHostname)
        let registry = Registry(blobs: blobs, metadata: metadata, images: api)
        let router = WharfRouter.make(registry: registry, api: api)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "wharf"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}
