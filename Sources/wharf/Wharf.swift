import ArgumentParser
import Foundation
import WharfClient
import WharfModel
import WharfVersion

/// `wharf`: oc-style verbs over Wharf's HTTP APIs.
@main
struct Wharf: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf", abstract: "Work with a Wharf registry and its image API.", version: WharfVersion.description,
        subcommands: [TokenCommand.self, GetCommand.self, TagCommand.self])
}

/// Where the server is and who the caller is.
struct Connection: ParsableArguments {
    @Option(help: "The server's URL (env WHARF_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["WHARF_SERVER"] ?? "http://127.0.0.1:5000"

    @Option(help: "A bearer token (env WHARF_TOKEN; default: the contents of ./wharf-data/admin.token if it exists).")
    var token: String?

    @Flag(help: "Skip TLS certificate verification.")
    var insecureSkipTLSVerify = false

    func client() throws -> WharfClient {
        guard let url = URL(string: server) else { throw ValidationError("--server \(server) is not a URL") }
        let token = token ?? ProcessInfo.processInfo.environment["WHARF_TOKEN"]
            ?? (try? String(contentsOfFile: "wharf-data/admin.token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return WharfClient(server: url, token: token, insecure: insecureSkipTLSVerify)
    }

    /// Runs `body` with a client, shutting it down afterwards and turning API errors into a clean exit.
    func run(_ body: (WharfClient) async throws -> Void) async throws {
        let client = try client()
        do {
            try await body(client)
            try await client.shutdown()
        } catch let error as WharfClientError {
            try? await client.shutdown()
            FileHandle.standardError.write(Data("wharf: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Create, list and revoke bearer tokens.",
                                                    subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print its secret (shown only this once).")
        @OptionGroup var connection: Connection
        @Argument(help: "The token's name.") var name: String
        @Option(help: "The user the token acts as (default: yourself).") var user: String?
        @Option(help: "Lifetime in hours (default: no expiry).") var expiresInHours: Int?

        func run() async throws {
            try await connection.run { client in
                let expiry = expiresInHours.map { Time(secondsSince1970: Int64(Date().timeIntervalSince1970) + Int64($0) * 3600) }
                let token = try await client.createToken(name: name, user: user, expires: expiry)
                print(token.status?.token ?? "")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (without secrets).")
        @OptionGroup var connection: Connection

        func run() async throws {
            try await connection.run { client in
                print(Table.render([["NAME", "USER", "EXPIRES"]] + (try await client.tokens()).map {
                    [$0.metadata.name ?? "", $0.spec.user, $0.spec.expirationTimestamp?.description ?? "<never>"]
                }))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @OptionGroup var connection: Connection
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            try await connection.run { client in
                try await client.deleteToken(name: name)
                print("token \(name) deleted")
            }
        }
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List image streams (oc get is).")
    @OptionGroup var connection: Connection
    @Argument(help: "What to list: is (image streams).") var kind: String
    @Option(name: .shortAndLong, help: "The namespace (default: all).") var namespace: String?

    func run() async throws {
        guard ["is", "imagestream", "imagestreams"].contains(kind) else { throw ValidationError("wharf get knows only image streams (is)") }
        try await connection.run { client in
            let rows = try await client.imageStreams(namespace: namespace).map { stream in
                [stream.metadata.namespace ?? "", stream.metadata.name ?? "", stream.status.dockerImageRepository,
                 (stream.status.tags ?? []).map(\.tag).joined(separator: ",")]
            }
            print(Table.render([["NAMESPACE", "NAME", "IMAGE REPOSITORY", "TAGS"]] + rows))
        }
    }
}

struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag", abstract: "Point a tag at an image (oc tag).",
        discussion: "SOURCE is ns/stream:tag, ns/stream@digest or an external pull spec; DESTINATION is ns/stream:tag.")
    @OptionGroup var connection: Connection
    @Argument var source: String
    @Argument var destination: String
    @Flag(help: "Track the source tag instead of pinning its current image.") var alias = false

    func run() async throws {
        try await connection.run { client in
            try await client.tag(source: source, destination: destination, alias: alias)
            print("Tag \(destination) set \(alias ? "up to track" : "to") \(source).")
        }
    }
}

/// Left-aligned columns, two spaces apart.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (index, cell) in row.enumerated() {
                if index < widths.count { widths[index] = max(widths[index], cell.count) } else { widths.append(cell.count) }
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0) }
                .joined()
        }.joined(separator: "\n")
    }
}
