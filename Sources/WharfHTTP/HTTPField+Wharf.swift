import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let dockerContentDigest = Self("Docker-Content-Digest")!
    static let dockerDistributionAPIVersion = Self("Docker-Distribution-API-Version")!
    static let dockerUploadUUID = Self("Docker-Upload-UUID")!
    static let ociSubject = Self("OCI-Subject")!
    static let ociFiltersApplied = Self("OCI-Filters-Applied")!
    static let link = Self("Link")!
    static let xRequestID = Self("X-Request-Id")!
}

extension Request {
    /// The declared body length, when the client sent `Content-Length`.
    var declaredLength: Int64? { headers[.contentLength].flatMap { Int64($0) } }

    /// The body length to expect: `Content-Length`, else unknown when the body is chunked, else zero.
    var expectedBodyLength: Int64? {
        if let length = declaredLength { return length }
        return headers[.transferEncoding] == nil ? 0 : nil
    }

    /// A query parameter (Hummingbird has already percent-decoded it).
    func query(_ name: String) -> String? {
        uri.queryParameters[Substring(name)].map(String.init)
    }
}

import Foundation
