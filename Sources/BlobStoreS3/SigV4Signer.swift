import Crypto
public import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), the signing S3 and every S3-compatible store require, written here
/// because no package in our mirror provides it. Tested against AWS's SigV4 test suite (`Tests/BlobStoreS3Tests`).
///
/// Contract: `sign` adds `X-Amz-Date` (and `X-Amz-Security-Token` with temporary credentials) and then the
/// `Authorization` header to a request whose `Host` header is set; every header present at that moment is signed.
/// Paths are given decoded and are percent-encoded here, once; query items are given decoded too. S3 signs the path
/// as it is (`normalizesPath: false`); other AWS services remove `.` and `..` segments and repeated slashes first.
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// The standard AWS variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Credentials? {
            guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
            else { return nil }
            return Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// A request as the signer sees it.
    public struct Request: Sendable, Equatable {
        public var method: String
        /// The decoded path, starting with `/`.
        public var path: String
        /// Decoded query items, in any order.
        public var query: [(name: String, value: String)]
        /// Headers in the order sent; a name may repeat.
        public var headers: [(name: String, value: String)]
        /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
                    payloadHash: String = SigV4Signer.emptyPayloadHash) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }

        public static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.path == b.path && a.payloadHash == b.payloadHash
                && a.query.elementsEqual(b.query, by: ==) && a.headers.elementsEqual(b.headers, by: ==)
        }
    }

    public static let emptyPayloadHash = hex(SHA256.hash(data: Data()))

    public let credentials: Credentials
    public let region: String
    public let service: String
    public let normalizesPath: Bool

    public init(credentials: Credentials, region: String, service: String = "s3", normalizesPath: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath ?? (service != "s3")
    }

    /// `request` prepared, then signed with an `Authorization` header.
    public func sign(_ request: Request, at date: Date) -> Request {
        var request = prepare(request, at: date)
        request.headers.append(("Authorization", authorization(for: request, at: date)))
        return request
    }

    /// `request` with the headers signing adds: `X-Amz-Date`, and with temporary credentials `X-Amz-Security-Token`,
    /// unless they are there already.
    public func prepare(_ request: Request, at date: Date) -> Request {
        var request = request
        func has(_ name: String) -> Bool { request.headers.contains { $0.name.lowercased() == name } }
        if !has("x-amz-date") { request.headers.append(("X-Amz-Date", Self.timestamp(date))) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") { request.headers.append(("X-Amz-Security-Token", token)) }
        return request
    }

    /// The `Authorization` header's value for `request`, whose headers (all of them signed) include `X-Amz-Date`.
    public func authorization(for request: Request, at date: Date) -> String {
        let signed = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signed), "
            + "Signature=\(signature(stringToSign(for: request, at: date), at: date))"
    }

    /// The query items that make `request` a presigned URL valid for `expires` (at most 7 days), as S3 takes them.
    public func presignedQuery(for request: Request, at date: Date, expires: Duration) -> [(name: String, value: String)] {
        var request = request
        let seconds = min(604_800, max(1, Int(expires.components.seconds)))
        let signedHeaders = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        request.query += [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(date))"),
                          ("X-Amz-Date", Self.timestamp(date)), ("X-Amz-Expires", String(seconds)), ("X-Amz-SignedHeaders", signedHeaders)]
        if let token = credentials.sessionToken { request.query.append(("X-Amz-Security-Token", token)) }
        request.payloadHash = "UNSIGNED-PAYLOAD"
        return request.query + [("X-Amz-Signature", signature(stringToSign(for: request, at: date), at: date))]
    }

    // MARK: The steps, public so that the test suite can check each one.

    public func canonicalRequest(_ request: Request) -> String {
        let headers = Self.canonicalHeaders(request.headers)
        return [request.method, Self.encodePath(normalizesPath ? Self.normalize(request.path) : request.path), Self.canonicalQuery(request.query),
                headers.map { "\($0.name):\($0.value)\n" }.joined(), headers.map(\.name).joined(separator: ";"), request.payloadHash]
            .joined(separator: "\n")
    }

    public func stringToSign(for request: Request, at date: Date) -> String {
        ["AWS4-HMAC-SHA256", Self.timestamp(date), scope(date), Self.hex(SHA256.hash(data: Data(canonicalRequest(request).utf8)))]
            .joined(separator: "\n")
    }

    func scope(_ date: Date) -> String { "\(Self.day(date))/\(region)/\(service)/aws4_request" }

    func signature(_ stringToSign: String, at date: Date) -> String {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [Self.day(date), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Lower-case names, sorted; values trimmed with inner runs of white space made one space; the values of a name
    /// given more than once joined with commas, in the order sent.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers where name.lowercased() != "authorization" {
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            merged[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (encode($0.name), encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    /// The path without `.` and `..` segments or empty ones, keeping a trailing slash.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let joined = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && joined != "/" ? joined + "/" : joined
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 asks.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    static func day(_ date: Date) -> String { String(timestamp(date).prefix(8)) }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
