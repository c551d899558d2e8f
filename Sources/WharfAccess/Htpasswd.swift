import Foundation
import Synchronization

/// Users and bcrypt password hashes from an htpasswd file (`user:$2y$…` lines), reloaded when the file changes.
/// Lines with other hash schemes are ignored. Successful checks are remembered for a minute, so registry clients that
/// send Basic credentials on every request do not pay for bcrypt each time.
final class Htpasswd: Sendable {
    let path: String
    private struct State {
        var modified: Date?
        var hashes: [String: String] = [:]
        var recent: [String: Date] = [:]
    }
    private let state = Mutex(State())

    init(path: String) { self.path = path }

    /// Whether `password` is `user`'s.
    func verify(user: String, password: String) -> Bool {
        reloadIfChanged()
        let cacheKey = TokenSecret.hash("\(user)\u{0}\(password)")
        let (hash, remembered) = state.withLock { state -> (String?, Bool) in
            let recent = state.recent[cacheKey].map { Date().timeIntervalSince($0) < 60 } ?? false
            return (state.hashes[user], recent)
        }
        guard let hash else { return false }
        if remembered { return true }
        guard Bcrypt.verify(password, against: hash) else { return false }
        state.withLock { state in
            if state.recent.count > 10_000 { state.recent.removeAll() }
            state.recent[cacheKey] = Date()
        }
        return true
    }

    private func reloadIfChanged() {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        guard state.withLock({ $0.modified != modified }) else { return }
        var hashes: [String: String] = [:]
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let hash = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                if hash.hasPrefix("$2") { hashes[String(line[..<colon])] = hash }
            }
        }
        state.withLock { state in
            state.modified = modified
            state.hashes = hashes
            state.recent.removeAll()
        }
    }
}
