import CCurl
import Foundation
import Synchronization

/// libcurl's multi interface on a thread of its own: every transfer of the process, sharing its connections.
///
/// One thread waits on all sockets at once and calls back only when bytes arrive, where URLSession on Linux drives
/// the same libcurl through a dispatch source per socket and a thread hop per event (docs/PERFORMANCE.md).
final class CurlLoop: @unchecked Sendable {
    static let shared = CurlLoop()

    // `multi` and `running` belong to the loop's thread; other threads hand transfers over through `incoming` and
    // `curl_multi_wakeup`, the one multi call that is safe from any thread.
    private let multi: UnsafeMutableRawPointer
    private let incoming = Mutex<[CurlTransfer]>([])
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init() {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        multi = curl_multi_init()
        let thread = Thread { [self] in run() }
        thread.name = "tidemark-http"
        thread.start()
    }

    /// Starts `transfer`; its continuation is resumed on the loop's thread when it ends.
    func add(_ transfer: CurlTransfer) {
        incoming.withLock { $0.append(transfer) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var active: Int32 = 0
        var left: Int32 = 0
        while true {
            let arrived = incoming.withLock { transfers in
                defer { transfers.removeAll() }
                return transfers
            }
            for transfer in arrived {
                running[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            curl_multi_perform(multi, &active)
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = running.removeValue(forKey: handle)
                else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                transfer.finish(result)
            }
            // libcurl shortens the wait to its own next timer; a new transfer ends it through curl_multi_wakeup.
            curl_multi_poll(multi, nil, 0, 10_000, nil)
        }
    }
}
