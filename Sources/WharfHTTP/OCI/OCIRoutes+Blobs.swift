import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel
import WharfRegistry

extension OCIRoutes {
    /// GET/HEAD a blob, honouring a single `Range` (206, or 416 with `Content-Range: bytes */size`).
    /// The bytes go out with `sendfile(2)` when the blob is a local file and the connection allows it. With
    /// `--blob-redirect`, a GET is answered with 307 to a presigned URL of the object store, which then serves the
    /// bytes (and the range) itself, as Distribution's `redirect` option does.
    func getBlob(_ digest: Digest, in repository: RepositoryName, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let size = try await registry.blobSize(digest, in: repository)
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes", .eTag: "\"\(digest)\""]
        headers[.dockerContentDigest] = digest.description
        if request.method == .get, let url = registry.blobRedirect(digest) {
            return Response(status: .temporaryRedirect, headers: [.location: url, .dockerContentDigest: digest.description, .contentLength: "0"])
        }
        let status: HTTPResponse.Status
        let range: ClosedRange<Int64>?
        switch ByteRange.request(request.headers[.range], size: size) {
        case .whole:
            (status, range) = (.ok, nil)
        case .partial(let bytes):
            (status, range) = (.partialContent, bytes)
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
        case .unsatisfiable:
            throw WharfError(.rangeInvalid, "requested range is outside the blob", detail: ["blobSize": String(size)])
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? size
        headers[.contentLength] = String(length)
        if request.method == .head || length == 0 { return Response(status: status, headers: headers) }
        let registry = self.registry
        let file = registry.localBlobFile(digest)
        let channel = context.channel
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            let bytes = range.map { $0.lowerBound..<($0.upperBound + 1) } ?? 0..<size
            if let file, try await FileRegionHandler.arm(path: file, range: bytes, on: channel) {
                try await writer.write(ByteBuffer())
            } else {
                try await registry.readBlob(digest, in: repository, range: range) { try await writer.write($0) }
            }
            try await writer.finish(nil)
        })
    }

    /// POST …/blobs/uploads/: a mount (`mount`, `from`), a whole blob (`digest`), or a new session.
    /// A mount needs pull rights on the source; without them it falls back to a new session, as in OpenShift. A mount
    /// without `from` mounts from the first repository linking the blob that the caller may read (the distribution
    /// spec's automatic content discovery), else it is a new session too.
    func startUpload(in repository: RepositoryName, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        if let mount = request.query("mount") {
            let digest = try Digest.parse(mount)
            let sources: [RepositoryName]
            if let from = request.query("from") {
                sources = (try? RepositoryName(parsing: from)).map { [$0] } ?? []
            } else {
                sources = try await registry.repositories(linking: digest)
            }
            for source in sources where try await mayRead(source, context) {
                if try await registry.mount(digest, from: source, into: repository) != nil { return blobCreated(digest, in: repository) }
            }
        } else if let text = request.query("digest") {
            let digest = try Digest.parse(text)
            _ = try await registry.uploadBlob(digest, in: repository, length: request.expectedBodyLength, body: request.body)
            return blobCreated(digest, in: repository)
        }
        return uploadResponse(.accepted, try await registry.startUpload(in: repository), in: repository)
    }

    /// Whether the caller may pull from `repository` (`get imagestreams/layers` there).
    private func mayRead(_ repository: RepositoryName, _ context: WharfRequestContext) async throws -> Bool {
        try await access.allows(context.user, ResourceAttributes(namespace: repository.namespace, verb: "get", resource: "imagestreams",
                                                                 subresource: "layers", name: repository.name))
    }

    /// PATCH a chunk, with or without `Content-Range`.
    func patchUpload(_ id: String, in repository: RepositoryName, _ request: Request) async throws -> Response {
        let chunk = try chunkRange(request)
        let state = try await registry.appendChunk(id, in: repository, start: chunk?.start, length: chunk?.length ?? request.declaredLength,
                                                   body: request.body)
        return uploadResponse(.accepted, state, in: repository)
    }

    /// PUT …?digest= completes an upload, with an optional last chunk.
    func putUpload(_ id: String, in repository: RepositoryName, _ request: Request) async throws -> Response {
        guard let text = request.query("digest") else {
            throw WharfError(.digestInvalid, "the digest query parameter is required to complete an upload")
        }
        let digest = try Digest.parse(text)
        let chunk = try chunkRange(request)
        _ = try await registry.completeUpload(id, in: repository, digest: digest, start: chunk?.start,
                                              length: chunk?.length ?? request.expectedBodyLength, body: request.body)
        return blobCreated(digest, in: repository)
    }

    /// The chunk a PATCH or closing PUT declares in `Content-Range`, checked against `Content-Length`.
    func chunkRange(_ request: Request) throws -> (start: Int64, length: Int64)? {
        guard let chunk = ByteRange.chunk(request.headers[.contentRange]) else {
            throw WharfError(.rangeNotSatisfiable, "malformed Content-Range \"\(request.headers[.contentRange]?.prefix(100) ?? "")\"")
        }
        if let chunk, let declared = request.declaredLength, declared != chunk.length {
            throw WharfError(.sizeInvalid, "Content-Length \(declared) does not match Content-Range length \(chunk.length)")
        }
        return chunk
    }

    func blobCreated(_ digest: Digest, in repository: RepositoryName) -> Response {
        var headers: HTTPFields = [.location: OCIURLBuilder.blob(digest, in: repository), .contentLength: "0"]
        headers[.dockerContentDigest] = digest.description
        return Response(status: .created, headers: headers)
    }

    func uploadResponse(_ status: HTTPResponse.Status, _ state: UploadState, in repository: RepositoryName) -> Response {
        var headers: HTTPFields = [.location: OCIURLBuilder.upload(state.id, in: repository), .range: "0-\(max(0, state.size - 1))"]
        headers[.dockerUploadUUID] = state.id
        if status != .noContent { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers)
    }
}
