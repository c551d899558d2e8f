import Foundation
import Logging
import ServiceLifecycle

/// Ends the process `grace` after a graceful shutdown begins, with status 0, in case a request under way never
/// finishes; the shutdown itself ends sooner when every request does.
///
/// It must be the last service of its group: a group tells its services of a shutdown in reverse order, each after
/// the one before has finished, so the last one hears first. It arms the deadline and finishes at once. The deadline
/// waits on a thread of its own, so that stuck tasks cannot hold it up.
struct ShutdownDeadline: Service {
    let grace: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        let (grace, logger) = (grace, logger)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18)
            logger.warning("requests were still under way when the shutdown grace ended; exiting", metadata: ["grace": "\(grace)"])
            exit(0)
        }
    }
}
