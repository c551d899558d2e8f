// Image API request bodies in JSON, YAML and Kubernetes protobuf, decoded as the routes decode them. The first byte
// chooses the Content-Type and the kind, the rest is the body.
import CLibFuzzer
import FuzzSupport
import HTTPTypes
import Hummingbird
@testable import WharfHTTP
import WharfModel

@_cdecl("FuzzBodies_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

let contentTypes = ["application/json", "application/yaml", KubernetesProtobuf.contentType, "application/json; charset=utf-8",
                    "text/yaml"]

/// Decodes the body as one of the kinds the routes accept (or, for 0, only as a JSON value).
func decode(_ kind: Int, _ request: Request) async throws {
    switch kind {
    case 1: _ = try await KubernetesBody.decode(ImageStream.self, kind: "ImageStream", from: request)
    case 2: _ = try await KubernetesBody.decode(Image.self, kind: "Image", from: request)
    case 3: _ = try await KubernetesBody.decode(ImageStreamMapping.self, kind: "ImageStreamMapping", from: request)
    case 4: _ = try await KubernetesBody.decode(ImageStreamImport.self, kind: "ImageStreamImport", from: request)
    case 5: _ = try await KubernetesBody.decode(ImageSignature.self, kind: "ImageSignature", from: request)
    case 6: _ = try await KubernetesBody.decode(ImageTag.self, kind: "ImageTag", from: request)
    case 7: _ = try await KubernetesBody.decode(ImageStreamTag.self, kind: "ImageStreamTag", from: request)
    default: _ = try await KubernetesBody.value(from: request)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (variant, body) = FuzzInput(data, size).variant(of: contentTypes.count * 8)
    let request = fuzzRequest(path: "/apis/image.openshift.io/v1/namespaces/fuzz/imagestreams?fieldValidation=Strict",
                              headers: [.contentType: contentTypes[variant % contentTypes.count]], body: body)
    let kind = variant / contentTypes.count
    if case .failure(let error) = blocking({ try await decode(kind, request) }) {
        // Bad input is a WharfError (400, 413, 415), which the error mapping renders; anything else would be a 500.
        require(error is WharfError, "\(type(of: error)) thrown: \(error)")
        requireSmall(error)
    }
    return 0
}
