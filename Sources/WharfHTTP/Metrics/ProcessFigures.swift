import Foundation

/// The process figures Go's Prometheus client exports, read from `/proc/self` when asked (Linux).
struct ProcessFigures {
    var residentBytes: Double?
    var openFDs: Double?
    var cpuSeconds: Double?

    /// The figures now; each is `nil` where `/proc/self` does not tell it.
    static func read() -> ProcessFigures {
        var figures = ProcessFigures()
        #if os(Linux)
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Double(fields[1]) { figures.residentBytes = pages * page }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            figures.openFDs = Double(entries.count)
        }
        // The command name (field 2) is in parentheses and may hold spaces: the fields after its `)` start at 3.
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // utime and stime are fields 14 and 15, so 11 and 12 after the `)`.
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]), ticks > 0 {
                figures.cpuSeconds = (user + system) / ticks
            }
        }
        #endif
        return figures
    }

    /// The figures in the Prometheus text format.
    var text: String {
        var out = ""
        func add(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        add("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes)
        add("process_open_fds", "gauge", "Number of open file descriptors.", openFDs)
        add("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", cpuSeconds)
        return out
    }
}
