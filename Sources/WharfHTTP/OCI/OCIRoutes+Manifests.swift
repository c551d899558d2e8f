import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel
import WharfRegistry

extension OCIRoutes {
    /// GET/HEAD a manifest by tag or digest, exactly as pushed. By tag, a client whose `Accept` excludes the manifest's
    /// media type gets MANIFEST_UNKNOWN, as in distribution; by digest the bytes are served whatever `Accept` says.
    func getManifest(_ reference: Reference, in repository: RepositoryName, _ request: Request) async throws -> Response {
        let manifest = try await registry.manifest(reference, in: repository)
        let accepted = request.headers[values: .accept].flatMap { $0.split(separator: ",") }.map { MediaType.essence(String($0)) }
        let family = manifest.mediaType.split(separator: "/").first.map { "\($0)/*" } ?? "*/*"
        if case .tag = reference, !accepted.isEmpty, !accepted.contains(manifest.mediaType), !accepted.contains("*/*"),
           !accepted.contains(family) {
            throw WharfError(.manifestUnknown, "manifest \(reference) is a \(manifest.mediaType), which the request does not accept",
                             detail: ["reference": reference.description])
        }
        var headers: HTTPFields = [.contentType: manifest.mediaType, .eTag: "\"\(manifest.digest)\""]
        headers[.dockerContentDigest] = manifest.digest.description
        headers[.contentLength] = String(manifest.bytes.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: manifest.bytes)))
    }

    /// PUT a manifest: at most 4 MiB, stored as received. Creating a missing stream needs `create imagestreams`.
    func putManifest(_ reference: Reference, in repository: RepositoryName, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        if let declared = request.declaredLength, declared > Int64(ManifestPayload.maxSize) {
            throw WharfError(.manifestTooLarge, "manifest is larger than \(ManifestPayload.maxSize) bytes")
        }
        var collected: [UInt8] = []
        for try await buffer in request.body {
            collected.append(contentsOf: buffer.readableBytesView)
            if collected.count > ManifestPayload.maxSize {
                throw WharfError(.manifestTooLarge, "manifest is larger than \(ManifestPayload.maxSize) bytes")
            }
        }
        let mayCreate = try await access.allows(context.user, ResourceAttributes(namespace: repository.namespace, verb: "create", resource: "imagestreams"))
        let pushed = try await registry.putManifest(collected, contentType: request.headers[.contentType], in: repository, reference: reference,
                                                    mayCreateStream: mayCreate)
        var headers: HTTPFields = [.location: OCIURLBuilder.manifest(pushed.digest, in: repository), .contentLength: "0"]
        headers[.dockerContentDigest] = pushed.digest.description
        if let subject = pushed.subject { headers[.ociSubject] = subject.description }
        return Response(status: .created, headers: headers)
    }
}
