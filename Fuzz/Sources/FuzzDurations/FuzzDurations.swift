// Durations and times: the watch's `timeout` (a Go duration) and `timeoutSeconds` parameters, and RFC 3339 timestamps.
// The input's first line is `timeout`, the rest `timeoutSeconds` (when not empty).
import CLibFuzzer
import Foundation
import FuzzSupport
@testable import WharfHTTP
import WharfModel

@_cdecl("FuzzDurations_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let (timeout, rest) = FuzzInput.split(input.bytes)
    let seconds = String(decoding: rest, as: UTF8.self)
    let text = input.text
    if let duration = GoDuration(text) {
        require(text.hasPrefix("-") ? duration.nanoseconds <= 0 : duration.nanoseconds >= 0, "duration \(text) is \(duration.nanoseconds) ns")
    }
    var query = "watch=true&timeout=\(encoded(timeout.isEmpty ? text : timeout))"
    if !seconds.isEmpty { query += "&timeoutSeconds=\(encoded(seconds))" }
    let request = fuzzRequest(method: .get, path: "/apis/image.openshift.io/v1/imagestreams?\(query)")
    do {
        let chosen = try ListQuery.watchTimeout(request)
        require(chosen >= .seconds(1) && chosen <= ListQuery.maxWatchTimeout, "a watch timeout of \(chosen) from \(query)")
    } catch {
        require(error is WharfError, "\(type(of: error)) thrown: \(error)")
        requireSmall(error)
    }
    if let stamp = RFC3339.parse(text) {
        // What parses prints as a timestamp that parses to the same second.
        require(RFC3339.parse(RFC3339.format(stamp)) == stamp, "\(text) is \(stamp) s but prints as \(RFC3339.format(stamp))")
        require(Time(rfc3339: text)?.secondsSince1970 == stamp, "Time and RFC3339 disagree on \(text)")
    }
    return 0
}
