// PATCH bodies of every patch type, applied to a stored image stream. The first byte chooses the patch type, the
// rest is the patch.
import CLibFuzzer
import Foundation
import FuzzSupport
import HTTPTypes
@testable import WharfHTTP
import WharfImageAPI
import WharfModel

@_cdecl("FuzzPatches_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

let types: [PatchType] = [.merge, .json, .strategic, .apply]

/// An image stream as the server stores it, with spec and status tags and labels for the patches to work on.
let document = try! JSONDecoder().decode(JSONValue.self, from: Data("""
    {"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"ruby","namespace":"fuzz",
    "uid":"5b1c1d3e-0000-4000-8000-000000000001","resourceVersion":"7","generation":2,
    "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":"ruby"},"annotations":{"a":"b"}},
    "spec":{"lookupPolicy":{"local":false},"tags":[{"name":"latest","from":{"kind":"DockerImage","name":"x/y:1"},
    "generation":2,"importPolicy":{},"referencePolicy":{"type":"Source"}}]},
    "status":{"dockerImageRepository":"127.0.0.1:5000/fuzz/ruby","tags":[{"tag":"latest","items":[{"created":
    "2026-01-01T00:00:00Z","dockerImageReference":"127.0.0.1:5000/fuzz/ruby@sha256:\(String(repeating: "a", count: 64))",
    "image":"sha256:\(String(repeating: "a", count: 64))","generation":2}]}]}}
    """.utf8))

let documentSize = try! JSONEncoder().encode(document).count

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (variant, body) = FuzzInput(data, size).variant(of: types.count)
    let type = types[variant]
    let request = fuzzRequest(method: .patch, path: "/apis/image.openshift.io/v1/namespaces/fuzz/imagestreams/ruby",
                              headers: [.contentType: type.rawValue], body: body)
    let outcome = blocking { () async throws -> Int in
        let (patchType, patch) = try await ImageAPIRoutes.patch(request)
        let patched = try Patch.apply(patchType, patch, to: document, sizeLimit: ObjectMeta.maxStoredSize)
        return try JSONEncoder().encode(patched).count
    }
    switch outcome {
    case .success(let size):
        // A patch grows a document by at most itself, or up to the size limit it is applied with.
        let bound = ObjectMeta.maxStoredSize + body.count + documentSize
        require(size <= bound, "a \(body.count)-byte patch made a \(size)-byte document")
    case .failure(let error):
        require(error is WharfError, "\(Swift.type(of: error)) thrown: \(error)")
        requireSmall(error)
    }
    return 0
}
