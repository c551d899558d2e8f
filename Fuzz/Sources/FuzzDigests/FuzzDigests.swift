// Digests, references, tags and repository names, and the /v2/ and /apis/ paths that carry them.
import CLibFuzzer
import FuzzSupport
@testable import WharfHTTP
import WharfModel

@_cdecl("FuzzDigests_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    // A digest that parses prints as the text it came from; so does a repository name.
    if let digest = Digest(text) { require(digest.description == text, "digest \(text) printed as \(digest)") }
    if let name = try? RepositoryName(parsing: text) { require(name.description == text, "name \(text) printed as \(name)") }
    switch Result(catching: { () throws(WharfError) in try Reference.parse(text) }) {
    case .success(let reference): require(reference.description == text, "reference \(text) printed as \(reference)")
    case .failure(let error): requireSmall(error)
    }
    if let tag = Tag(text) { require(tag.value == text, "tag \(text) kept as \(tag.value)") }
    do { _ = try OCIRoute.parse(path: "/v2/" + text) } catch { requireSmall(error) }
    do { _ = try APIRoute.parse(path: APIRoute.prefix + "/" + text) } catch { requireSmall(error) }
    do { _ = try APIRoute.parse(path: text) } catch { requireSmall(error) }
    return 0
}
