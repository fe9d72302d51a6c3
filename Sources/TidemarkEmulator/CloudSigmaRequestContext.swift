import Hummingbird
import Logging

/// The context of a cloudsigma request: what the emulator's front door has already read from it.
struct CloudSigmaRequestContext: RequestContext {
    /// The front door's logger and what it read.
    struct Source: RequestContextSource {
        let logger: Logger
        let body: [UInt8]
        let query: [String: String]
    }

    var coreContext: CoreRequestContextStorage
    let body: [UInt8]
    /// The query parameters; of a repeated one, the last.
    let query: [String: String]

    init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
        body = source.body
        query = source.query
    }

    /// The `:uuid` path parameter.
    var uuid: String { parameters.get("uuid") ?? "" }
}
