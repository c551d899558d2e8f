public import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1
import WharfModel

/// The few S3 calls the blob store needs, signed with `SigV4Signer` and sent with AsyncHTTPClient: objects (put,
/// ranged get streamed to a consumer, head, delete) and multipart uploads. Bodies are sent as `UNSIGNED-PAYLOAD`:
/// Wharf digests every blob itself, and hashing each body twice would double the CPU a push costs.
///
/// Errors: a missing object is `nil` (head) or `blobUnknown` (get); anything else S3 refuses, or a store that does
/// not answer, is `unavailable` with S3's error code in the message.
public struct S3Client: Sendable {
    public let location: S3Location
    let signer: SigV4Signer
    let http: HTTPClient
    let timeout: TimeAmount

    public init(location: S3Location, credentials: SigV4Signer.Credentials, http: HTTPClient = .shared, timeout: TimeAmount = .seconds(300)) {
        self.location = location
        signer = SigV4Signer(credentials: credentials, region: location.region)
        self.http = http
        self.timeout = timeout
    }

    public func putObject(_ key: String, _ bytes: ByteBuffer) async throws {
        _ = try await send("PUT", key, body: bytes)
    }

    /// The object's size, or `nil` when there is none.
    public func headObject(_ key: String) async throws -> Int64? {
        let response = try await send("HEAD", key, accept: [200, 404])
        guard response.status == .ok else { return nil }
        return response.headers.first(name: "Content-Length").flatMap { Int64($0) }
    }

    /// An object's answer: its head, then its bytes as they arrive.
    public struct ObjectBody: Sendable {
        /// The bytes this answer carries.
        public var length: Int64
        /// The whole object's size.
        public var total: Int64
        public var body: HTTPClientResponse.Body
    }

    /// Opens the object, or the bytes of `range` (inclusive) of it; `nil` when there is none. A range that starts at
    /// or past the end is `rangeNotSatisfiable`; S3 shortens one that only ends past it, which `total` shows.
    public func openObject(_ key: String, range: ClosedRange<Int64>? = nil) async throws -> ObjectBody? {
        let headers = range.map { [("Range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try await send("GET", key, headers: headers, accept: [200, 206, 404, 416], streaming: true)
        switch response.status.code {
        case 404: return nil
        case 416: throw WharfError(.rangeNotSatisfiable, "the range starts past the end of \(key)")
        default: break
        }
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        // Content-Range: bytes 990-999/1000
        let total = response.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } } ?? length
        return ObjectBody(length: length, total: total, body: response.body)
    }

    /// Streams the object (or the bytes of `range`) to `consumer` as they arrive; `blobUnknown` when there is none.
    public func getObject(_ key: String, range: ClosedRange<Int64>? = nil, into consumer: (ByteBuffer) async throws -> Void) async throws {
        guard let object = try await openObject(key, range: range) else {
            throw WharfError(.blobUnknown, "the object \(key) is not in the bucket")
        }
        for try await buffer in object.body { try await consumer(buffer) }
    }

    /// The whole of a small object, at most `limit` bytes (`sizeInvalid` beyond); `nil` when there is none.
    public func objectBytes(_ key: String, limit: Int) async throws -> ByteBuffer? {
        guard let object = try await openObject(key) else { return nil }
        guard object.length <= Int64(limit) else { throw WharfError(.sizeInvalid, "the object \(key) is larger than \(limit) bytes") }
        return try await object.body.collect(upTo: limit)
    }

    /// Copies `source` to `key` inside the bucket, without the bytes passing through this process: one CopyObject up
    /// to 5 GiB, a multipart copy of 1 GiB parts beyond. `size` is the source's.
    public func copyObject(_ source: String, to key: String, size: Int64) async throws {
        let from = [("x-amz-copy-source", SigV4Signer.encodePath("/" + location.bucket + "/" + location.fullKey(source)))]
        guard size > Self.maximumCopySize else {
            let text = try await body(of: try await send("PUT", key, headers: from))
            // S3 may answer 200 with an error in the body.
            if let code = XMLText.first("Code", in: text) { throw Self.unavailable("CopyObject failed: \(code)") }
            return
        }
        let uploadID = try await createMultipartUpload(key)
        do {
            var parts: [(number: Int, etag: String)] = []
            var start: Int64 = 0
            while start < size {
                let end = min(start + Self.copyPartSize, size) - 1
                let text = try await body(of: try await send("PUT", key, query: [("partNumber", String(parts.count + 1)), ("uploadId", uploadID)],
                                                             headers: from + [("x-amz-copy-source-range", "bytes=\(start)-\(end)")]))
                guard let etag = XMLText.first("ETag", in: text) else { throw Self.unavailable("UploadPartCopy answered no ETag") }
                parts.append((parts.count + 1, etag))
                start = end + 1
            }
            try await completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch {
            try? await abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    /// A URL that lets whoever holds it GET `key` for `expires`, without credentials (S3's presigned URL).
    public func presignedURL(_ key: String, expires: Duration, at date: Date = Date()) -> String {
        let (host, path) = location.hostAndPath(of: key)
        let request = SigV4Signer.Request(method: "GET", path: path, headers: [("Host", host)])
        return location.url(host: host, path: path, query: signer.presignedQuery(for: request, at: date, expires: expires))
    }

    /// The largest object one CopyObject copies.
    static let maximumCopySize: Int64 = 5 << 30
    static let copyPartSize: Int64 = 1 << 30

    /// The keys under `prefix` (without the location's prefix), in key order, with their sizes.
    public func listObjects(prefix: String) async throws -> [(key: String, size: Int64)] {
        var found: [(key: String, size: Int64)] = []
        var token: String?
        let strip = location.prefix.isEmpty ? 0 : location.prefix.count + 1
        repeat {
            var query = [("list-type", "2"), ("prefix", location.fullKey(prefix))]
            if let token { query.append(("continuation-token", token)) }
            let text = try await body(of: try await send("GET", "", query: query), limit: 16 << 20)
            for entry in XMLText.all("Contents", in: text) {
                guard let key = XMLText.first("Key", in: entry), let size = XMLText.first("Size", in: entry).flatMap({ Int64($0) }) else { continue }
                found.append((String(key.dropFirst(strip)), size))
            }
            token = XMLText.first("IsTruncated", in: text) == "true" ? XMLText.first("NextContinuationToken", in: text) : nil
        } while token != nil
        return found
    }

    public func deleteObject(_ key: String) async throws {
        _ = try await send("DELETE", key, accept: [200, 204, 404])
    }

    /// Starts a multipart upload of `key`; returns its upload id.
    public func createMultipartUpload(_ key: String) async throws -> String {
        let text = try await body(of: try await send("POST", key, query: [("uploads", "")]))
        guard let id = XMLText.first("UploadId", in: text) else { throw Self.unavailable("CreateMultipartUpload answered no UploadId") }
        return id
    }

    /// Uploads part `number` (1...10,000); returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, _ bytes: ByteBuffer) async throws -> String {
        let response = try await send("PUT", key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: bytes)
        guard let etag = response.headers.first(name: "ETag") else { throw Self.unavailable("UploadPart answered no ETag") }
        return etag
    }

    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws {
        let xml = "<CompleteMultipartUpload>" + parts.map {
            "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(XMLText.escape($0.etag))</ETag></Part>"
        }.joined() + "</CompleteMultipartUpload>"
        let text = try await body(of: try await send("POST", key, query: [("uploadId", uploadID)], body: ByteBuffer(string: xml)))
        // S3 may answer 200 with an error in the body once the parts are joined.
        if let code = XMLText.first("Code", in: text) { throw Self.unavailable("CompleteMultipartUpload failed: \(code)") }
    }

    public func abortMultipartUpload(_ key: String, uploadID: String) async throws {
        _ = try await send("DELETE", key, query: [("uploadId", uploadID)], accept: [200, 204, 404])
    }

    // MARK: Requests

    /// Signs and sends one request; a status outside `accept` is `unavailable` with S3's error code.
    func send(_ method: String, _ key: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
              body: ByteBuffer? = nil, accept: Set<Int> = [200], streaming: Bool = false) async throws -> HTTPClientResponse {
        let (host, path) = location.hostAndPath(of: key)
        var unsigned = SigV4Signer.Request(method: method, path: path, query: query,
                                           headers: [("Host", host), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")] + headers,
                                           payloadHash: "UNSIGNED-PAYLOAD")
        if let body { unsigned.headers.append(("Content-Length", String(body.readableBytes))) }
        let signed = signer.sign(unsigned, at: Date())
        var request = HTTPClientRequest(url: location.url(host: host, path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed.headers where name != "Host" && name != "Content-Length" { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw Self.unavailable("the object store at \(location.endpoint) does not answer: \(error)")
        }
        guard accept.contains(Int(response.status.code)) else {
            let text = (try? await self.body(of: response)) ?? ""
            throw Self.unavailable("the object store refused \(method) \(key): \(response.status.code) \(XMLText.first("Code", in: text) ?? "")")
        }
        return response
    }

    /// The first `limit` bytes (1 MiB) of a response body, as text.
    func body(of response: HTTPClientResponse, limit: Int = 1 << 20) async throws -> String {
        String(buffer: try await response.body.collect(upTo: limit))
    }

    static func unavailable(_ message: String) -> WharfError { WharfError(.unavailable, message) }
}
