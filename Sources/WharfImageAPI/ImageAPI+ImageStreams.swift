import Foundation
public import WharfModel
import WharfStorage

extension ImageAPI {
    /// The stream `namespace/name`; `notFound` (resource `imagestreams`) when absent.
    public func imageStream(namespace: String, name: String) async throws -> ImageStream {
        try await metadata.read { tx in
            guard let stream = try await imageStream(namespace: namespace, name: name, in: tx) else {
                throw KubernetesError.notFound("imagestreams", name)
            }
            return stream
        }
    }

    /// Streams in `namespace`, or in every namespace when `nil`, ordered by namespace then name.
    public func imageStreams(namespace: String?) async throws -> ObjectList<ImageStream> {
        try await metadata.read { tx in
            let items = try await tx.objects.list(kind: Kind.imageStream, namespace: namespace).map { stored in
                decorate(try ObjectCodec.decode(ImageStream.self, from: stored.document))
            }
            return ObjectList(kind: "ImageStreamList", metadata: ListMeta(resourceVersion: String(try await tx.objects.currentResourceVersion())),
                              items: items)
        }
    }

    /// Creates a stream (POST imagestreams): the status sent is discarded, generation starts at 1.
    /// `alreadyExists` when taken; `invalid` for a bad name; `badRequest` when the body's namespace differs.
    public func createImageStream(_ stream: ImageStream, namespace: String) async throws -> ImageStream {
        var stream = stream
        if let given = stream.metadata.namespace, !given.isEmpty, given != namespace {
            throw KubernetesError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if stream.metadata.name?.isEmpty ?? true, let prefix = stream.metadata.generateName, !prefix.isEmpty {
            stream.metadata.name = prefix + Self.randomSuffix()
        }
        let name = stream.metadata.name ?? ""
        try Self.validateStreamName(namespace: namespace, name: name)
        if stream.metadata.resourceVersion?.isEmpty == false {
            throw WharfError(.internal, "resourceVersion should not be set on objects to be created")
        }
        return try await metadata.transaction { tx in
            guard try await imageStream(namespace: namespace, name: name, in: tx) == nil else {
                throw KubernetesError.alreadyExists("imagestreams", name)
            }
            stream.status = ImageStreamStatus()
            stream.spec.tags = stream.spec.tags.map { tags in tags.map { var tag = $0; tag.generation = 1; return tag } }
            return try await insertStream(stream, namespace: namespace, in: tx)
        }
    }

    /// Throws `invalid` with field causes unless `namespace/name` is a valid repository.
    static func validateStreamName(namespace: String, name: String) throws {
        var causes: [FieldCause] = []
        if name.isEmpty {
            causes.append(FieldCause(.required, field: "metadata.name", message: "Required value: name or generateName is required"))
        } else if let problem = RepositoryName.streamNameProblem(name) {
            causes.append(.invalid("metadata.name", value: name, problem))
        }
        if let problem = RepositoryName.namespaceProblem(namespace) {
            causes.append(.invalid("metadata.namespace", value: namespace, problem))
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStream", name, causes) }
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    // MARK: - Internals shared with mappings and pushes

    func imageStream(namespace: String, name: String, in tx: any MetadataTransaction) async throws -> ImageStream? {
        try await tx.objects.get(ObjectKey(kind: Kind.imageStream, namespace: namespace, name: name))
            .map { decorate(try ObjectCodec.decode(ImageStream.self, from: $0.document)) }
    }

    /// Fills the computed fields of a stream read from storage.
    func decorate(_ stream: ImageStream) -> ImageStream {
        var stream = stream
        stream.kind = "ImageStream"
        stream.apiVersion = ImageAPIGroup.version
        stream.status.dockerImageRepository = dockerImageRepository(namespace: stream.metadata.namespace ?? "", name: stream.metadata.name ?? "")
        stream.spec.tags = stream.spec.tags.map { $0.sorted { $0.name < $1.name } }
        stream.status.tags = stream.status.tags.map { $0.sorted { $0.tag < $1.tag } }
        return stream
    }

    func insertStream(_ stream: ImageStream, namespace: String, in tx: any MetadataTransaction) async throws -> ImageStream {
        var stream = stream
        let uid = UUID().uuidString.lowercased()
        stream.metadata.namespace = namespace
        stream.metadata.uid = uid
        stream.metadata.generation = 1
        stream.metadata.creationTimestamp = now()
        stream = decorate(stream)
        return try await save(stream, event: .added, in: tx)
    }

    /// Writes `stream` under a new resourceVersion and rebuilds the registry's tag index for it.
    func save(_ stream: ImageStream, event: WatchEvent.EventType, in tx: any MetadataTransaction) async throws -> ImageStream {
        var stream = decorate(stream)
        let namespace = stream.metadata.namespace ?? "", name = stream.metadata.name ?? ""
        let saved = try await tx.objects.write(ObjectKey(kind: Kind.imageStream, namespace: namespace, name: name),
                                               uid: stream.metadata.uid ?? "", event: event) { resourceVersion in
            stream.metadata.resourceVersion = resourceVersion
            return stream
        }
        if let repository = try? RepositoryName(namespace: namespace, name: name) {
            try await tx.tags.replace(saved.currentImages.compactMapValues(Digest.init), in: repository)
        }
        return saved
    }
}
