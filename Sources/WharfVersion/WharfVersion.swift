/// What Wharf this is: the release and the git commit it was built from. The one place the version is written.
public enum WharfVersion {
    /// The release, as semantic versioning writes it.
    public static let version = "0.1.0"

    /// The full commit hash of the checkout the binary was built from, recorded by the GitCommit plugin when the
    /// build sees a new commit or an edited source; `unknown` when built outside a git checkout.
    public static var commit: String { builtCommit.isEmpty ? "unknown" : builtCommit }

    /// `clean` when the build had no uncommitted changes to tracked files, `dirty` when it had, `unknown` outside git.
    public static var treeState: String { builtTreeState.isEmpty ? "unknown" : builtTreeState }

    /// What `--version` prints: `0.1.0 (commit 1a2b3c4…, clean)`.
    public static var description: String { "\(version) (commit \(commit), \(treeState))" }
}
