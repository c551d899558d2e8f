import Hummingbird
import WharfModel

/// Kubernetes' `dryRun` option of writes: `All` runs the write through validation and every rule, then stores
/// nothing (`DryRunMetadataStore`); no option is a real write; any other value is `badRequest`, so that a dry run is
/// never mistaken for a real one.
enum DryRun {
    /// Whether a write asks for a dry run: `dryRun` in the query or, for a DELETE, in the `DeleteOptions` body that
    /// kubectl sends (a DELETE's body is read here, and nothing else reads it).
    static func requested(_ request: Request) async throws -> Bool {
        var values = request.uri.queryParameters[values: "dryRun"].map(String.init)
        if request.method == .delete, request.expectedBodyLength != 0 {
            switch try await KubernetesBody.value(from: request)["dryRun"] {
            case nil, .null?: break
            case .array(let items)?:
                for item in items {
                    guard let text = item.stringValue else { throw unsupported("not a string") }
                    values.append(text)
                }
            default: throw WharfError(.badRequest, "DeleteOptions.dryRun must be a list of strings")
            }
        }
        guard !values.isEmpty else { return false }
        if let bad = values.first(where: { $0 != "All" }) { throw unsupported(bad) }
        return true
    }

    private static func unsupported(_ value: String) -> WharfError {
        WharfError(.badRequest, "dryRun: Unsupported value: \"\(value.prefix(40))\": supported values: \"All\"")
    }
}
