import HTTPTypes
import Hummingbird
import NIOCore

/// A Hummingbird request as the server would receive it, for parsers that read one.
public func fuzzRequest(method: HTTPRequest.Method = .post, path: String = "/", authority: String? = "127.0.0.1:5000",
                        headers: HTTPFields = [:], body: [UInt8] = []) -> Request {
    let head = HTTPRequest(method: method, scheme: "http", authority: authority, path: path, headerFields: headers)
    return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
}
