import Foundation

/// An exclusive advisory lock (flock) on a file, held by one process at a time.
struct MirrorLock {
    private let descriptor: Int32

    init(path: String) throws(GitError) {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GitError(
                operation: "lock \(path)", message: String(cString: strerror(errno)), remedy: .giveWritableCache)
        }
        guard flock(descriptor, LOCK_EX) == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw GitError(operation: "lock \(path)", message: message)
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
