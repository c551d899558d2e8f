import Foundation
import Synchronization
import WharfModel
import WharfStorage

/// The options of a LIST or WATCH (reference §11.3–11.4).
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// At most this many items per page; `nil` for all.
    public var limit: Int?
    /// The token of the page to continue from.
    public var continueToken: String?

    public init(labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything, limit: Int? = nil,
                continueToken: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
    }
}

/// A `continue` token: where a LIST's last page ended and the resourceVersion its pages show. It holds everything the
/// next page needs, so any replica answers it and nothing is kept between pages (`ImageAPI.continued`).
///
/// On the wire it is base64url JSON, `{"v":1,"rv":…,"ns":…,"name":…}`. A token that does not decode is `badRequest`
/// (400), as in Kubernetes; one the store can no longer answer consistently is `expired` (410).
struct ContinueToken: Codable, Equatable, Sendable {
    var v = 1
    /// The resourceVersion of the list's first page.
    var rv: Int64
    /// The key of the last object sent: the next page starts after it.
    var ns: String
    var name: String

    init(resourceVersion: Int64, after key: ObjectKey) {
        rv = resourceVersion
        ns = key.namespace
        name = key.name
    }

    /// Throws `badRequest` when the token names a resourceVersion the store has not reached (`current`): only a
    /// forged token does, and a list that claimed it would let a watch from it miss the changes in between.
    func check(against current: Int64) throws {
        guard rv <= current else {
            throw WharfError(.badRequest, "continue key is not valid: its resourceVersion \(rv) is ahead of the store's \(current)")
        }
    }

    /// Whether `key` sorts after the last object sent (lists are ordered by namespace, then name).
    func precedes(_ key: ObjectKey) -> Bool {
        (key.namespace, key.name) > (ns, name)
    }

    var encoded: String {
        let json = (try? JSONEncoder().encode(self)) ?? Data()
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(decoding text: String) throws {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.utf8.count <= 2048, let data = Data(base64Encoded: base64),
              let token = try? JSONDecoder().decode(ContinueToken.self, from: data), token.v == 1, token.rv >= 0 else {
            throw WharfError(.badRequest, "continue key is not valid: start a new list without the continue parameter")
        }
        self = token
    }

    static let expired = WharfError(.expired, "The provided continue parameter is too old to display a consistent list result. "
                                    + "You can start a new list without the continue parameter.")
}
