// Manifests and indexes as pushed to PUT /v2/<name>/manifests/<reference>: the first line of the input is the
// Content-Type, the rest the body.
import CLibFuzzer
import FuzzSupport
import WharfModel

@_cdecl("FuzzManifests_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (contentType, body) = FuzzInput.split(FuzzInput(data, size).bytes)
    for algorithm in Digest.Algorithm.allCases {
        do {
            let payload = try ManifestPayload(bytes: body, contentType: contentType.isEmpty ? nil : contentType, digestAlgorithm: algorithm)
            require(payload.bytes == body, "the manifest's bytes changed")
            require(payload.digest.algorithm == algorithm, "digest \(payload.digest) is not \(algorithm)")
        } catch {
            requireSmall(error)
        }
    }
    return 0
}
