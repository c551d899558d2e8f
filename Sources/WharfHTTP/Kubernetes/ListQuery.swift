import Hummingbird
import WharfImageAPI

/// Reads LIST and WATCH options from the query string.
enum ListQuery {
    /// `labelSelector`, `fieldSelector` (only the `fields` given; others are `badRequest`), `limit` and `continue`.
    static func options(_ request: Request, fields: [String]) throws -> ListOptions {
        var options = ListOptions()
        if let text = request.query("labelSelector") { options.labelSelector = try LabelSelector(parsing: text) }
        if let text = request.query("fieldSelector") { options.fieldSelector = try FieldSelector(parsing: text, supported: fields) }
        if let text = request.query("limit"), let limit = Int(text), limit > 0 { options.limit = limit }
        options.continueToken = request.query("continue")
        return options
    }
}
