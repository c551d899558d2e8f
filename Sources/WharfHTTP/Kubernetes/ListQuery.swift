import Hummingbird
import WharfImageAPI
import WharfModel

/// Reads LIST and WATCH options from the query string. Every number is parsed with overflow checks and bounded:
/// text that is not a number in range is `badRequest`, never a trap or a silent default.
enum ListQuery {
    /// `labelSelector`, `fieldSelector` (only the `fields` given; others are `badRequest`), `limit` and `continue`.
    /// A `limit` of zero or less means no limit, as in Kubernetes; one above `maxLimit` is `maxLimit` (a server may
    /// always answer fewer items than asked, with a `continue` token for the rest).
    static func options(_ request: Request, fields: [String]) throws -> ListOptions {
        var options = ListOptions()
        if let text = request.query("labelSelector") { options.labelSelector = try LabelSelector(parsing: text) }
        if let text = request.query("fieldSelector") { options.fieldSelector = try FieldSelector(parsing: text, supported: fields) }
        if let text = request.query("limit") {
            guard let limit = Int64(text) else { throw invalid("limit", text) }
            if limit > 0 { options.limit = Int(min(limit, Int64(maxLimit))) }
        }
        options.continueToken = request.query("continue")
        return options
    }

    static let maxLimit = 100_000

    /// The longest a watch runs; a client that asks for more is cut off then and watches again, as informers do.
    static let maxWatchTimeout = Duration.seconds(3600)
    /// A watch's timeout when the client names none.
    static let defaultWatchTimeout = Duration.seconds(1800)

    /// How long a watch runs: the smaller of `timeoutSeconds` and `timeout` (a Go duration such as `8s`), at least
    /// one second and at most `maxWatchTimeout`; `defaultWatchTimeout` when neither is given.
    static func watchTimeout(_ request: Request) throws -> Duration {
        var seconds: [Int64] = []
        if let text = request.query("timeoutSeconds") {
            guard let value = Int64(text) else { throw invalid("timeoutSeconds", text) }
            seconds.append(value)
        }
        if let text = request.query("timeout") {
            guard let value = GoDuration(text) else { throw invalid("timeout", text, expected: "a duration such as 30s") }
            seconds.append(value.seconds)
        }
        guard let chosen = seconds.min() else { return defaultWatchTimeout }
        return .seconds(min(max(1, chosen), maxWatchTimeout.components.seconds))
    }

    static func invalid(_ parameter: String, _ text: String, expected: String = "an integer") -> WharfError {
        KubernetesError.badRequest("invalid \(parameter) \"\(text.prefix(40))\": expected \(expected) within 64 bits")
    }
}
