import Hummingbird
import WharfModel

/// Kubernetes' `dryRun` parameter of writes: `All` runs the write through validation and every rule, then stores
/// nothing (`DryRunMetadataStore`); no parameter is a real write; any other value is `badRequest`, so that a dry run
/// is never mistaken for a real one.
enum DryRun {
    static func requested(_ request: Request) throws -> Bool {
        let values = request.uri.queryParameters[values: "dryRun"].map(String.init)
        guard !values.isEmpty else { return false }
        guard values.allSatisfy({ $0 == "All" }) else {
            let bad = values.first { $0 != "All" } ?? ""
            throw WharfError(.badRequest, "dryRun: Unsupported value: \"\(bad.prefix(40))\": supported values: \"All\"")
        }
        return true
    }
}
