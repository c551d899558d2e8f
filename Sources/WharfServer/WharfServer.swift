import Foundation
import BlobStoreFilesystem
public import Hummingbird
public import Logging
import MetadataStoreSQLite
import NIOCore
import WharfHTTP
import WharfImageAPI
import WharfRegistry
import WharfStorage

/// The composition root: the only place that knows which storage backends exist.
public enum WharfServer {
    /// Builds the storage the configuration names, the services over it, and the application.
    /// `onRunning` receives the bound port once the server listens.
    public static func makeApplication(
        _ configuration: WharfConfiguration, logger: Logger = Logger(label: "wharfd"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let router = try await makeRouter(configuration)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "wharf"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// The router over the configured storage, with every route registered.
    public static func makeRouter(_ configuration: WharfConfiguration) async throws -> Router<WharfRequestContext> {
        let blobs: any BlobStore
        let metadata: any MetadataStore
        switch configuration.storage {
        case .embedded:
            let directory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            blobs = try await FilesystemBlobStore(root: directory)
            metadata = try SQLiteMetadataStore(path: directory + "/metadata.sqlite")
        case .inMemory:
            blobs = InMemoryBlobStore()
            metadata = InMemoryMetadataStore()
        }
        let api = ImageAPI(metadata: metadata, registryHostname: configuration.effectiveRegistryHostname,
                           publicHostname: configuration.publicHostname)
        let registry = Registry(blobs: blobs, metadata: metadata, images: api)
        return WharfRouter.make(registry: registry, api: api)
    }
}
