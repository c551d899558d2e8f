// labelSelector and fieldSelector query parameters, parsed and matched against an object's labels and fields.
import CLibFuzzer
import FuzzSupport
import WharfImageAPI
import WharfModel

@_cdecl("FuzzSelectors_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

let labels = ["app": "ruby", "tier": "web", "example.com/team": "a-b.c_d"]
let fields = ["metadata.name", "metadata.namespace"]

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    do {
        let selector = try LabelSelector(parsing: text)
        _ = selector.matches(labels)
        _ = selector.matches([:])
    } catch {
        require(error is WharfError, "\(type(of: error)) thrown: \(error)")
        requireSmall(error)
    }
    do {
        let selector = try FieldSelector(parsing: text, supported: fields)
        _ = selector.matches { $0 == "metadata.name" ? "ruby" : "fuzz" }
        _ = selector.required("metadata.name")
    } catch {
        require(error is WharfError, "\(type(of: error)) thrown: \(error)")
        requireSmall(error)
    }
    return 0
}
