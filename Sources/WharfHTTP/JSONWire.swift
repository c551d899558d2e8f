import HTTPTypes
import Foundation
import Hummingbird
import WharfImageAPI
import WharfModel

/// JSON as Wharf writes it: sorted keys, unescaped slashes.
enum JSONWire {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Wharf's wire types encode without failing; an empty object is the safe fallback.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
                                       headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: encode(value))))
    }

    /// A list whose items are already JSON: the same bytes as encoding the decoded list, without decoding it.
    static func response(_ list: EncodedList) throws -> Response {
        let envelope = encode(ObjectList<Int>(kind: list.kind, metadata: list.metadata, items: []))
        // The envelope holds fixed keys and quoted strings (where a quote is escaped), so this occurs once.
        guard let items = envelope.firstRange(of: Array(#""items":["#.utf8))?.upperBound else {
            throw WharfError(.internal, "cannot encode \(list.kind)")
        }
        var body = ByteBuffer()
        body.reserveCapacity(envelope.count + list.items.reduce(list.items.count) { $0 + $1.count })
        body.writeBytes(envelope[..<items])
        for (index, item) in list.items.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeBytes(item)
        }
        body.writeBytes(envelope[items...])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
