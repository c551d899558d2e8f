import Foundation
import NIOCore
import Testing
import WharfModel
@testable import BlobStoreS3

@Suite("The S3 calls against a real S3 server (moto), signed with SigV4", .serialized)
struct S3ClientTests {
    static func client(_ server: MotoServer, style: String = "path", prefix: String = "") throws -> S3Client {
        let location = try S3Location(parsing: "s3://wharf-test\(prefix)?endpoint=\(server.endpoint)&region=us-east-1&style=\(style)")
        return S3Client(location: location, credentials: .init(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey))
    }

    static func read(_ client: S3Client, _ key: String, range: ClosedRange<Int64>? = nil) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await client.getObject(key, range: range) { bytes += $0.readableBytesView }
        return bytes
    }

    @Test("Objects: put, head, get (whole and a range), delete; a missing one is nil or blobUnknown")
    func objects() async throws {
        try await MotoServer.with { server in
            let client = try Self.client(server, prefix: "/some/prefix")
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await client.putObject("blobs/sha256/ab/x y+z", ByteBuffer(bytes: bytes))
            #expect(try await client.headObject("blobs/sha256/ab/x y+z") == 100_000)
            #expect(try await Self.read(client, "blobs/sha256/ab/x y+z") == bytes)
            #expect(try await Self.read(client, "blobs/sha256/ab/x y+z", range: 10...19) == Array(bytes[10...19]))
            try await client.deleteObject("blobs/sha256/ab/x y+z")
            #expect(try await client.headObject("blobs/sha256/ab/x y+z") == nil)
            await #expect(throws: WharfError.self) { _ = try await Self.read(client, "blobs/sha256/ab/x y+z") }
        }
    }

    @Test("Multipart: parts of 5 MiB and a short last one join into one object; an aborted upload leaves none")
    func multipart() async throws {
        try await MotoServer.with { server in
            let client = try Self.client(server)
            let id = try await client.createMultipartUpload("big")
            let first = [UInt8](repeating: 1, count: 5 << 20), last = [UInt8](repeating: 2, count: 1000)
            let etags = [try await client.uploadPart("big", uploadID: id, number: 1, ByteBuffer(bytes: first)),
                         try await client.uploadPart("big", uploadID: id, number: 2, ByteBuffer(bytes: last))]
            try await client.completeMultipartUpload("big", uploadID: id, parts: [(1, etags[0]), (2, etags[1])])
            #expect(try await client.headObject("big") == Int64(first.count + last.count))
            #expect(try await Self.read(client, "big", range: Int64(first.count - 1)...Int64(first.count)) == [1, 2])
            let aborted = try await client.createMultipartUpload("gone")
            _ = try await client.uploadPart("gone", uploadID: aborted, number: 1, ByteBuffer(bytes: last))
            try await client.abortMultipartUpload("gone", uploadID: aborted)
            #expect(try await client.headObject("gone") == nil)
        }
    }

    @Test("A refusal is `unavailable`, with S3's error code in the message")
    func refusals() async throws {
        try await MotoServer.with { server in
            let client = S3Client(location: S3Location(bucket: "no-such-bucket", endpoint: server.endpoint, region: "us-east-1",
                                                       virtualHosted: false),
                                  credentials: .init(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey))
            do {
                try await client.putObject("k", ByteBuffer(string: "x"))
                Issue.record("a put to a missing bucket succeeded")
            } catch let error as WharfError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("NoSuchBucket"))
            }
        }
    }

    @Test("--blob-store parses into a location; bad ones say what is wrong")
    func locations() throws {
        let custom = try S3Location(parsing: "s3://blobs/wharf/?endpoint=http://127.0.0.1:9000&region=eu-west-1")
        #expect(custom == S3Location(bucket: "blobs", prefix: "wharf", endpoint: URL(string: "http://127.0.0.1:9000")!, region: "eu-west-1",
                                     virtualHosted: false))
        #expect(custom.hostAndPath(of: "k") == ("127.0.0.1:9000", "/blobs/wharf/k"))
        let aws = try S3Location(parsing: "s3://blobs?region=eu-west-1")
        #expect(aws.hostAndPath(of: "k") == ("blobs.s3.eu-west-1.amazonaws.com", "/k"))
        for bad in ["http://blobs", "s3://", "s3://b?endpoint=ftp://x", "s3://b?style=odd", "s3://b?colour=red"] {
            #expect(throws: WharfError.self, "\(bad)") { try S3Location(parsing: bad) }
        }
    }
}
