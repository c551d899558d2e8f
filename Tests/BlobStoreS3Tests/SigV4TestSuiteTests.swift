import Crypto
import Foundation
import Testing
@testable import BlobStoreS3

/// AWS's SigV4 test suite (`aws4_testsuite/`, from botocore's tests, Apache 2.0: see its LICENSE and NOTICE). Each case
/// is a request (`.req`) with the canonical request (`.creq`), string to sign (`.sts`) and `Authorization` (`.authz`)
/// it must produce, for service `service` in us-east-1 at 2015-08-30T12:36:00Z.
@Suite("SigV4 signing: every case of AWS's test suite")
struct SigV4TestSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("aws4_testsuite")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let credentials = SigV4Signer.Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// The session token get-vanilla-with-session-token signs (its `.req` leaves it to the signer to add).
    static let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

    /// Every directory holding a `.req`, by its path under the suite.
    static let cases: [String] = {
        let root = directory.path
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".req") }.map { String($0.dropLast(4)) }.sorted()
    }()

    /// The request of a `.req` file: a request line, headers (a line starting with white space continues the last
    /// one), a blank line, the body.
    static func parse(_ text: String) throws -> SigV4Signer.Request {
        let (head, body): (Substring, Substring)
        if let blank = text.range(of: "\n\n") { (head, body) = (text[..<blank.lowerBound], text[blank.upperBound...]) } else { (head, body) = (text[...], "") }
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count)
        let (path, rawQuery) = target.firstIndex(of: "?").map { (target[..<$0], target[target.index(after: $0)...]) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let query = rawQuery.split(separator: "&").map { item -> (name: String, value: String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]).removingPercentEncoding ?? String(parts[0]), parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? "" : "")
        }
        let hash = SigV4Signer.hex(SHA256.hash(data: Data(body.utf8)))
        return SigV4Signer.Request(method: method, path: String(path), query: query, headers: headers, payloadHash: hash)
    }

    static func expected(_ name: String, _ suffix: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name + suffix), encoding: .utf8)
    }

    @Test("The suite is there")
    func suiteIsPresent() {
        #expect(Self.cases.count >= 30)
    }

    @Test("Canonical request, string to sign and Authorization match", arguments: cases)
    func vector(_ name: String) throws {
        // get-vanilla-with-session-token signs with temporary credentials, whose token the signer adds as a header;
        // post-sts-header-before has the token among its headers already, and post-sts-header-after adds it after
        // signing, which is the plain case.
        var credentials = Self.credentials
        if name.hasSuffix("get-vanilla-with-session-token") { credentials.sessionToken = Self.token }
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let request = signer.prepare(try Self.parse(try Self.expected(name, ".req")), at: Self.date)
        #expect(signer.canonicalRequest(request) == (try Self.expected(name, ".creq")))
        #expect(signer.stringToSign(for: request, at: Self.date) == (try Self.expected(name, ".sts")))
        #expect(signer.authorization(for: request, at: Self.date) == (try Self.expected(name, ".authz")))
    }

    @Test("sign adds X-Amz-Date, the session token, and Authorization over all of them")
    func signAddsHeaders() throws {
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.credentials.secretAccessKey,
                                                    sessionToken: Self.token), region: "us-east-1", service: "service")
        let signed = signer.sign(.init(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")]), at: Self.date)
        #expect(signed.headers.map(\.name) == ["Host", "X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(signed.headers.last?.value == (try Self.expected("get-vanilla-with-session-token/get-vanilla-with-session-token", ".authz")))
    }

    @Test("S3 signs the path as it is, encoded once: no dot segments removed, no slashes merged")
    func s3Paths() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/bucket/my-object//example//photo.user/./a b", headers: [("Host", "h")])
        #expect(signer.canonicalRequest(request).split(separator: "\n")[1] == "/bucket/my-object//example//photo.user/./a%20b")
    }

    /// The examples of the S3 API reference ("Signature Calculations for the Authorization Header" and "Authenticating
    /// Requests: Using Query Parameters"): bucket examplebucket, 2013-05-24.
    static let s3Credentials = SigV4Signer.Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)

    @Test("S3's GET Object example: a signed Range request")
    func s3GetObject() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash),
        ])
        let signed = signer.sign(request, at: Self.s3Date)
        #expect(signed.headers.last?.value == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("S3's presigned URL example: a GET valid for a day")
    func s3Presigned() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com")])
        let query = signer.presignedQuery(for: request, at: Self.s3Date, expires: .seconds(86400))
        #expect(query.last?.name == "X-Amz-Signature")
        #expect(query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(query.first { $0.name == "X-Amz-Credential" }?.value == "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
    }

    @Test("Credentials come from the standard AWS variables")
    func environment() {
        #expect(SigV4Signer.Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"]) == .init(accessKeyID: "k", secretAccessKey: "s"))
        #expect(SigV4Signer.Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k"]) == nil)
        #expect(SigV4Signer.Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"])?.sessionToken == "t")
    }
}
