import Hummingbird
import TidemarkJSON

/// A response the emulator sends: a status and a JSON body, or no body.
struct EmulatorResponse: ResponseGenerator {
    var status: Int
    var body: JSON?
    var headers: [String: String] = [:]

    static func json(_ status: Int, _ body: JSON) -> EmulatorResponse { EmulatorResponse(status: status, body: body) }
    static let noContent = EmulatorResponse(status: 204, body: nil)

    /// The HTTP response: the JSON body (`text/html` when there is none) and `Retry-After` if set.
    var httpResponse: Response {
        var fields: HTTPFields = [.contentType: body == nil ? "text/html; charset=utf-8" : "application/json; charset=utf-8"]
        if let retryAfter = headers["Retry-After"] { fields[.retryAfter] = retryAfter }
        guard let body else { return Response(status: .init(code: status), headers: fields) }
        return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body.description)))
    }

    func response(from request: Request, context: some RequestContext) -> Response { httpResponse }
}
