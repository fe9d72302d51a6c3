import TidemarkJSON

/// An error in CloudSigma's format: a list of `{"error_point", "error_type", "error_message"}` with a status.
struct APIError: Error {
    var status: Int
    var errors: [JSON]

    init(status: Int, type: String, message: String, point: String? = nil) {
        self.status = status
        self.errors = [Self.entry(type: type, message: message, point: point)]
    }

    init(validation errors: [JSON]) {
        self.status = 400
        self.errors = errors
    }

    /// The answer: the list of errors with the status.
    var response: EmulatorResponse { .json(status, .array(errors)) }

    static func entry(type: String, message: String, point: String?) -> JSON {
        ["error_point": point.map(JSON.string) ?? .null, "error_type": .string(type), "error_message": .string(message)]
    }

    static func validation(_ message: String, at point: String?) -> JSON {
        entry(type: "validation", message: message, point: point)
    }

    static func notFound(_ what: String) -> APIError {
        APIError(status: 404, type: "notexist", message: "\(what) does not exist")
    }
}
