// Range request headers of blob GETs and Content-Range headers of upload chunks. The first 8 bytes of the input are
// the blob's size, the rest the header.
import CLibFuzzer
import FuzzSupport
@testable import WharfHTTP

@_cdecl("FuzzRanges_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    let sizeBytes = bytes.prefix(8)
    let blobSize = sizeBytes.reduce(Int64(0)) { $0 << 8 | Int64($1) } & Int64.max
    let header = String(decoding: bytes.dropFirst(8), as: UTF8.self)
    for size in [blobSize, 0, 1, 10, Int64.max] {
        if case .partial(let range) = ByteRange.request(header, size: size) {
            require(range.lowerBound >= 0 && range.upperBound < size, "range \(range) of a \(size)-byte blob from \(header)")
        }
    }
    if case .some(.some(let chunk)) = ByteRange.chunk(header) {
        require(chunk.start >= 0 && chunk.length >= 0, "chunk \(chunk) from \(header)")
        require(chunk.start <= Int64.max - chunk.length, "chunk \(chunk) ends past Int64.max")
    }
    return 0
}
