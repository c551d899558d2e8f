/// A behaviour a storage backend got wrong, naming the check and the source line.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw ConformanceFailure(description: "\(message()) (\(file):\(line))") }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, file: StaticString = #fileID, line: UInt = #line) throws {
    try expect(actual == expected, "\(what): got \(actual), expected \(expected)", file: file, line: line)
}

import WharfModel

/// Runs `body` and checks it throws a `WharfError` with `code`.
func expectError(_ code: WharfError.Code, _ what: String, file: StaticString = #fileID, line: UInt = #line,
                 _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as WharfError {
        try expect(error.code == code, "\(what): threw \(error.code), expected \(code)", file: file, line: line)
        return
    } catch {
        throw ConformanceFailure(description: "\(what): threw \(error), expected WharfError \(code) (\(file):\(line))")
    }
    throw ConformanceFailure(description: "\(what): did not throw, expected \(code) (\(file):\(line))")
}

/// A named check of a conformance suite.
public struct ConformanceCheck<Store: Sendable>: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable (Store) async throws -> Void
    public var description: String { name }
}
