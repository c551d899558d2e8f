import Foundation
import Hummingbird
import Testing
import WharfModel
@testable import WharfHTTP
@testable import WharfImageAPI

@Suite("JSONWire writes a list of encoded items as the encoder writes the list")
struct JSONWireTests {
    static func encoded(_ list: EncodedList) async throws -> [UInt8] {
        let response = try JSONWire.response(list)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return collector.bytes
    }

    @Test("The same bytes as encoding the decoded list, with no items, one, or several, and with a continue token",
          arguments: [0, 1, 3])
    func sameBytes(count: Int) async throws {
        let streams = (0..<count).map { n in
            var stream = ImageStream(metadata: ObjectMeta(name: "s\(n)", namespace: "ns"))
            stream.status.dockerImageRepository = "registry.local:5000/ns/s\(n)"
            return stream
        }
        let metadata = ListMeta(resourceVersion: "42", continue: count > 1 ? "a-token" : nil)
        let list = EncodedList(kind: "ImageStreamList", metadata: metadata, items: try streams.map { try ObjectCodec.encode($0) })
        let expected = JSONWire.encode(ObjectList(kind: "ImageStreamList", metadata: metadata, items: streams))
        #expect(try await Self.encoded(list) == expected)
    }
}

/// Collects a response body's bytes.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []
    func write(_ buffer: ByteBuffer) async throws { bytes += buffer.readableBytesView }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
