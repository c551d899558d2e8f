/// The one error type that services and storage backends throw.
///
/// `code` is a plain enum, so the HTTP layer maps every case exhaustively, once per surface
/// (an OCI error body on `/v2/`, a Kubernetes `Status` on `/apis/`). `message` is safe to show
/// to clients; `cause` is for logs only and is never sent.
public struct WharfError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // OCI distribution codes.
        case nameInvalid, nameUnknown
        case blobUnknown, blobUploadUnknown, blobUploadInvalid, rangeNotSatisfiable, rangeInvalid
        case digestInvalid, sizeInvalid
        case manifestUnknown, manifestInvalid, manifestBlobUnknown, manifestTooLarge
        case tagInvalid, paginationNumberInvalid
        case unauthorized, denied, unsupported, tooManyRequests
        // Kubernetes-style object codes.
        case notFound, alreadyExists, conflict, invalid, badRequest, methodNotAllowed, unsupportedMediaType, expired
        // Infrastructure.
        case unavailable, `internal`
    }

    public var code: Code
    public var message: String
    /// Structured detail sent to clients (the OCI `detail` member).
    public var detail: [String: String]
    /// The Kubernetes resource, object name and API group this error is about (`details.kind`, `.name`, `.group`).
    public var resource: String?
    public var name: String?
    public var group: String?
    /// Field-level causes of a validation failure (Kubernetes `details.causes`).
    public var causes: [FieldCause]
    /// Response headers the error calls for (`Retry-After`), kept apart from what the body renders.
    public var headers: [String: String] = [:]
    /// The underlying error, logged and never sent.
    public var cause: (any Error)?
    public var location: String

    public init(
        _ code: Code, _ message: String, detail: [String: String] = [:], resource: String? = nil, name: String? = nil,
        group: String? = nil, causes: [FieldCause] = [], cause: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.group = group
        self.code = code
        self.message = message
        self.detail = detail
        self.resource = resource
        self.name = name
        self.causes = causes
        self.cause = cause
        self.location = "\(file):\(line)"
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

/// One field-level validation failure, in the shape of a Kubernetes `StatusCause`.
public struct FieldCause: Sendable, Equatable, Codable {
    public enum Reason: String, Sendable, Codable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case forbidden = "FieldValueForbidden"
        case notFound = "FieldValueNotFound"
        case tooLong = "FieldValueTooLong"
        case notSupported = "FieldValueNotSupported"
        case duplicate = "FieldValueDuplicate"
        case internalError = "InternalError"
    }
    public var reason: Reason
    public var message: String
    public var field: String

    public init(_ reason: Reason, field: String, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public static func required(_ field: String) -> FieldCause {
        FieldCause(.required, field: field, message: "Required value")
    }

    public static func invalid(_ field: String, value: String, _ detail: String) -> FieldCause {
        FieldCause(.invalid, field: field, message: "Invalid value: \"\(value)\": \(detail)")
    }
}
