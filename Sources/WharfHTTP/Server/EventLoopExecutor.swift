import NIOCore

/// A task executor that runs jobs on a NIO event loop.
///
/// `WharfHTTP1Channel` serves each connection on its own event loop with this executor, so the request the loop
/// has just read (and each body part of a streamed upload) resumes its handler on the same thread: no hand-over to
/// another thread and no wake-up per part. File I/O still runs on NIOFileSystem's thread pool; SQLite statements run
/// inline, as they did on the cooperative pool (they are short; a commit's fsync is the longest).
///
/// NIO itself (2.101) offers an event loop only as a `SerialExecutor` (`EventLoop.executor`, for actors), not as a
/// `TaskExecutor`, which is what `withTaskExecutorPreference` takes; so these dozen lines stay until it does.
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
