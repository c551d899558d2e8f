// Authentication: Authorization headers, htpasswd lines (with their bcrypt hashes) and the WWW-Authenticate
// challenge built from a request's Host. The first byte chooses which; the rest is the header, line or host.
import CLibFuzzer
import Foundation
import FuzzSupport
import HTTPTypes
@testable import WharfAccess
@testable import WharfHTTP
import WharfModel

@_cdecl("FuzzAuth_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { wharf_fuzz_main(argc, argv) }

/// The htpasswd file each input is written to (one per process: libFuzzer runs inputs one at a time).
let htpasswdPath = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-fuzz-htpasswd-\(getpid())").path

/// Whether `value` is a challenge `Bearer k="v",k="v"…` whose quoted strings are closed and hold no bare quote.
func isWellFormedChallenge(_ value: String) -> Bool {
    guard value.hasPrefix("Bearer ") else { return false }
    var rest = Substring(value.dropFirst(7))
    while !rest.isEmpty {
        guard let equals = rest.firstIndex(of: "="), rest[..<equals].allSatisfy({ $0.isLetter }) else { return false }
        rest = rest[rest.index(after: equals)...]
        guard rest.first == "\"" else { return false }
        rest = rest.dropFirst()
        var closed = false
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == "\\" { rest = rest.dropFirst(); continue }
            if character == "\"" { closed = true; break }
        }
        guard closed else { return false }
        if rest.isEmpty { break }
        guard rest.first == "," else { return false }
        rest = rest.dropFirst()
    }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (variant, rest) = FuzzInput(data, size).variant(of: 3)
    let text = String(decoding: rest, as: UTF8.self)
    switch variant {
    case 0:
        guard let name = HTTPField.Name("Authorization") else { return 0 }
        var headers = HTTPFields()
        headers[name] = text
        do { _ = try Credentials(fuzzRequest(method: .get, path: "/v2/", headers: headers)) } catch {
            require(error is WharfError, "\(type(of: error)) thrown: \(error)")
            requireSmall(error)
        }
    case 1:
        // The line is the file; the password tried is the text after the last newline, for user "admin".
        _ = FileManager.default.createFile(atPath: htpasswdPath, contents: Data(rest))
        let password = text.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        _ = blocking { () async -> Bool in
            // Costs above 6 are refused here: a valid hash of cost 14 alone takes seconds under the sanitizers.
            let file = Htpasswd(path: htpasswdPath, maximumCost: 6)
            _ = await file.reload()
            return await file.verify(user: "admin", password: password)
        }
    default:
        // The HTTP parser lets through any valid field value as a Host.
        guard HTTPField.isValidValue(text) else { return 0 }
        let request = fuzzRequest(method: .get, path: "/v2/fuzz/ruby/manifests/latest", authority: text)
        let challenge = TokenEndpoint.challenge(for: request, scheme: "http", scope: "repository:fuzz/ruby:pull")
        require(isWellFormedChallenge(challenge), "Host \(text.debugDescription) gives the challenge \(challenge.debugDescription)")
    }
    return 0
}
