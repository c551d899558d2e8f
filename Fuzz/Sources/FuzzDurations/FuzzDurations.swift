// Durations and times: the watch's `timeout` (a Go duration) and `timeoutSeconds` parameters, and RFC 3339 timestamps.
import CLibFuzzer
import FuzzSupport
@testable import WharfHTTP
import WharfModel

@_cdecl("FuzzDurations_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    if let seconds = ImageAPIRoutes.goDurationSeconds(text) {
        require(seconds >= 0, "duration \(text) is \(seconds) s")
    }
    if let seconds = RFC3339.parse(text) {
        // What parses prints as a timestamp that parses to the same second.
        require(RFC3339.parse(RFC3339.format(seconds)) == seconds, "\(text) is \(seconds) s but prints as \(RFC3339.format(seconds))")
        require(Time(rfc3339: text)?.secondsSince1970 == seconds, "Time and RFC3339 disagree on \(text)")
    }
    return 0
}
