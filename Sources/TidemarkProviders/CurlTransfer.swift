import CCurl
import Foundation

/// One request on a libcurl easy handle: its options, what it has received, and who waits for its end.
///
/// Built on the caller's thread, then touched only by `CurlLoop`'s thread until `finish` hands the outcome over.
final class CurlTransfer: @unchecked Sendable {
    enum Outcome: Sendable {
        case completed(HTTPResponse)
        case tooLarge
        /// libcurl's code and message, and whether any byte of the request was sent.
        case failed(CURLcode, String, sent: Bool)
    }

    let handle: UnsafeMutableRawPointer
    var continuation: CheckedContinuation<Outcome, Never>?
    private let maxBodyBytes: Int
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var body = Data()
    private var headers: [String: String] = [:]
    private var tooLarge = false

    init(_ request: HTTPRequest, timeout: TimeInterval, maxBodyBytes: Int, trust: CurlTrust) {
        handle = curl_easy_init()
        self.maxBodyBytes = maxBodyBytes
        errorBuffer.initialize(to: 0)
        let milliseconds = Int(timeout * 1000)
        set(CURLOPT_URL, request.url.absoluteString)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        set(CURLOPT_FOLLOWLOCATION, 1)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_ACCEPT_ENCODING, "")
        set(CURLOPT_BUFFERSIZE, 64 << 10)
        // Connecting within the timeout, no second without a byte for as long, the whole exchange within four times it.
        set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        set(CURLOPT_LOW_SPEED_LIMIT, 1)
        set(CURLOPT_LOW_SPEED_TIME, max(1, Int(timeout.rounded(.up))))
        set(CURLOPT_TIMEOUT_MS, milliseconds * 4)
        switch trust {
        case .system: break
        case .authority(let file): set(CURLOPT_CAINFO, file)
        case .none:
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        setMethod(request)
        // An empty `Expect:` keeps libcurl from waiting for a `100 Continue` before larger bodies.
        for line in request.headers.map({ "\($0.key): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        tidemark_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headerList)
        tidemark_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        let me = Unmanaged.passUnretained(self).toOpaque()
        tidemark_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, curlReceiveBody)
        tidemark_curl_set_pointer(handle, CURLOPT_WRITEDATA, me)
        tidemark_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, curlReceiveHeader)
        tidemark_curl_set_pointer(handle, CURLOPT_HEADERDATA, me)
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func set(_ option: CURLoption, _ value: Int) {
        tidemark_curl_set_long(handle, option, value)
    }

    /// libcurl copies string options, so the Swift string's buffer need not outlive the call.
    private func set(_ option: CURLoption, _ value: String) {
        tidemark_curl_set_pointer(handle, option, value)
    }

    private func setMethod(_ request: HTTPRequest) {
        switch request.method {
        case "GET": set(CURLOPT_HTTPGET, 1)
        case "HEAD": set(CURLOPT_NOBODY, 1)
        case "POST": set(CURLOPT_POST, 1)
        default: set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        guard request.body != nil || request.method == "POST" else { return }
        let body = request.body ?? Data()
        tidemark_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        // Copied by libcurl; an empty body still needs a pointer.
        guard !body.isEmpty else { return set(CURLOPT_COPYPOSTFIELDS, "") }
        body.withUnsafeBytes { bytes in _ = tidemark_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress) }
    }

    /// A header line: a status line starts a new response (after a redirect or a `100 Continue`), a Content-Length
    /// beyond the cap ends the transfer before its body. False aborts it.
    fileprivate func receive(headerLine line: UnsafeRawBufferPointer) -> Bool {
        let bytes = line.bindMemory(to: UInt8.self)
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll()
            return true
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }
        let name = Self.trimmed(bytes[..<colon])
        let value = Self.trimmed(bytes[(colon + 1)...])
        headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        if name.utf8.count == 14, name.lowercased() == "content-length", let length = Int(value) {
            guard length <= maxBodyBytes else {
                tooLarge = true
                return false
            }
            // The whole body in one allocation, not grown (and copied) by doubling as it arrives.
            body.reserveCapacity(length)
        }
        return true
    }

    /// The text of a header's name or value without the spaces, tabs and line end around it.
    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// A piece of the body; false, which aborts the transfer, once the body would pass the cap.
    fileprivate func receive(body piece: UnsafeRawBufferPointer) -> Bool {
        guard body.count + piece.count <= maxBodyBytes else {
            tooLarge = true
            body = Data()
            return false
        }
        if let start = piece.baseAddress { body.append(start.assumingMemoryBound(to: UInt8.self), count: piece.count) }
        return true
    }

    /// Called by the loop once libcurl is done with the transfer.
    func finish(_ result: CURLcode) {
        let outcome: Outcome
        if tooLarge {
            outcome = .tooLarge
        } else if result == CURLE_OK {
            var status = 0
            tidemark_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
            outcome = .completed(HTTPResponse(status: status, headers: headers, body: body))
        } else {
            var sent = 0
            tidemark_curl_get_long(handle, CURLINFO_REQUEST_SIZE, &sent)
            let detail = String(cString: errorBuffer)
            outcome = .failed(result, detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail, sent: sent > 0)
        }
        continuation?.resume(returning: outcome)
        continuation = nil
    }
}

/// Which certificates an HTTPS transfer trusts.
enum CurlTrust: Sendable {
    /// The system's certificate authorities.
    case system
    /// Only the authorities in this PEM file.
    case authority(String)
    /// Any certificate: for a local test server only.
    case none
}

private let curlReceiveBody: curl_write_callback = { bytes, size, count, transfer in
    deliver(bytes, size * count, to: transfer) { $0.receive(body: $1) }
}

private let curlReceiveHeader: curl_write_callback = { bytes, size, count, transfer in
    deliver(bytes, size * count, to: transfer) { $0.receive(headerLine: $1) }
}

/// Hands libcurl's bytes to the transfer; the count it returns tells libcurl to go on (all taken) or to abort (0).
private func deliver(
    _ bytes: UnsafeMutablePointer<CChar>?, _ count: Int, to transfer: UnsafeMutableRawPointer?,
    _ receive: (CurlTransfer, UnsafeRawBufferPointer) -> Bool
) -> Int {
    receive(Unmanaged<CurlTransfer>.fromOpaque(transfer!).takeUnretainedValue(), UnsafeRawBufferPointer(start: bytes, count: count))
        ? count : 0
}
