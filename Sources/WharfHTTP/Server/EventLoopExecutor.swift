import NIOCore

/// A task executor that runs jobs on a NIO event loop.
///
/// A route that consumes a large request body runs on its connection's event loop (`WharfRequestContext.onEventLoop`),
/// so each body part the loop reads resumes the route on the same thread: no hand-over to another thread and no
/// wake-up per part, which is where most of the CPU of a streamed upload went.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension WharfRequestContext {
    /// Runs `body` with the connection's event loop as its preferred executor (see `EventLoopExecutor`).
    public func onEventLoop<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await withTaskExecutorPreference(EventLoopExecutor(channel.eventLoop), operation: body)
    }
}
