import Hummingbird
import TidemarkJSON

extension Response {
    /// The status, a JSON content type and the first half of the body (`{"dropped": true}` if empty), then the connection closes.
    func cutOffHalfway() -> Response {
        let dropped: JSON = ["dropped": true]
        let body = body.contentLength == 0 ? ResponseBody(byteBuffer: ByteBuffer(string: dropped.description)) : body
        let length = body.contentLength ?? 0
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(contentLength: length) { writer in
                try await body.write(HalfBodyWriter(base: writer, remaining: Swift.max(1, length / 2)))
            })
    }
}

/// Passes on the first `remaining` bytes of a body, then fails, which closes the connection.
private struct HalfBodyWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    var remaining: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        let passed = Swift.min(remaining, buffer.readableBytes)
        try await base.write(buffer.getSlice(at: buffer.readerIndex, length: passed)!)
        remaining -= passed
        if remaining == 0 { throw ConnectionCutOff() }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        throw ConnectionCutOff()
    }
}

private struct ConnectionCutOff: Error {}
