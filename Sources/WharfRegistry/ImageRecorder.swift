public import WharfImageAPI
public import WharfModel
public import WharfStorage

/// What the registry asks of the image API, inside the registry's own metadata transaction.
public protocol ImageRecorder: Sendable {
    /// The host clients pull from; the prefix of `dockerImageReference`.
    var registryHostname: String { get }
    /// Records a pushed manifest's Image, creating the stream if missing, and tags it when `tag` is given.
    func recordPush(_ image: Image, repository: RepositoryName, tag: String?, in tx: any MetadataTransaction) async throws
    /// Removes a tag; `false` when there was no such tag.
    func removeTag(_ tag: String, from repository: RepositoryName, in tx: any MetadataTransaction) async throws -> Bool
    /// Removes an image from the stream's tag history.
    func removeImage(_ image: Digest, from repository: RepositoryName, in tx: any MetadataTransaction) async throws
    func streamExists(_ repository: RepositoryName, in tx: any MetadataTransaction) async throws -> Bool
    /// What `digest` is to the images in the stream's tag history: a manifest (with its media type), a blob (layer or
    /// config), or nothing. This lets a stream serve images tagged into it from other streams (reference registry §2.3).
    func reference(to digest: Digest, in repository: RepositoryName, in tx: any MetadataTransaction) async throws -> StreamReference?
    func repositories(in tx: any MetadataTransaction) async throws -> [RepositoryName]
}

extension ImageAPI: ImageRecorder {}
