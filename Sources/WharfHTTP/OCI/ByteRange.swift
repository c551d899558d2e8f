import HTTPTypes
/// Parsing of the byte-range headers the registry protocol uses.
enum ByteRange {
    /// A `Range: bytes=a-b | a- | -n` request header against a blob of `size` bytes.
    enum Request: Equatable {
        case whole
        case partial(ClosedRange<Int64>)
        case unsatisfiable
    }

    /// Multi-range and malformed headers yield `.whole`, as RFC 9110 allows.
    static func request(_ header: String?, size: Int64) -> Request {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = Int64(last), end >= start else { return .whole }
        return .partial(start...min(end, size - 1))
    }

    /// A chunk's `Content-Range: <start>-<end>` (also accepting `bytes <start>-<end>/<total>`): start and length.
    static func chunk(_ header: String?) -> (start: Int64, length: Int64)?? {
        guard let header else { return .some(nil) }
        var text = Substring(header)
        if text.hasPrefix("bytes ") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, end >= start - 1, end < Int64.max else {
            return nil
        }
        return .some((start, end - start + 1))
    }
}
