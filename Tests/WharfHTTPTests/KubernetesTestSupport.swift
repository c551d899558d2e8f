import Foundation
import HTTPTypes
import HummingbirdTesting
import WharfModel

extension Wire {
    static let api = "/apis/image.openshift.io/v1"

    /// Sends a JSON object (written as a Swift dictionary literal in JSON text).
    @discardableResult
    func json(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, contentType: String = "application/json",
              headers: [String: String] = [:]) async throws -> TestResponse {
        var all = headers
        if body != nil { all["Content-Type"] = contentType }
        return try await send(method, path.hasPrefix("/") ? path : "\(Self.api)/\(path)", headers: all, body: body.map { Array($0.utf8) })
    }

    @discardableResult
    func createStream(_ namespace: String, _ name: String, spec: String = "{}") async throws -> TestResponse {
        try await json(.post, "namespaces/\(namespace)/imagestreams",
                       #"{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#)
    }

    /// Posts a mapping of image `image` (with `reference`) to `stream:tag`.
    @discardableResult
    func map(_ namespace: String, _ stream: String, tag: String, image: String, reference: String, managed: Bool = false) async throws -> TestResponse {
        let annotations = managed ? #","annotations":{"openshift.io/image.managed":"true"}"# : ""
        return try await json(.post, "namespaces/\(namespace)/imagestreammappings", #"""
            {"kind":"ImageStreamMapping","apiVersion":"image.openshift.io/v1","metadata":{"name":"\#(stream)"},"tag":"\#(tag)",
             "image":{"metadata":{"name":"\#(image)"\#(annotations)},"dockerImageReference":"\#(reference)"}}
            """#)
    }
}

extension TestResponse {
    func value(_ path: String) -> Any? {
        var current: Any? = json
        for key in path.split(separator: ".") {
            if let index = Int(key), let array = current as? [Any] {
                current = array.indices.contains(index) ? array[index] : nil
            } else {
                current = (current as? [String: Any])?[String(key)]
            }
        }
        return current
    }

    var resourceVersion: String? { value("metadata.resourceVersion") as? String }
    var reason: String? { json["reason"] as? String }
    /// The lines of a watch response, decoded.
    var events: [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

enum Digests {
    static func named(_ seed: Character) -> String { "sha256:" + String(repeating: seed, count: 64) }
}
