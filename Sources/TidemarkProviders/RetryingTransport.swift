import Foundation
import Logging
import TidemarkProviderModel

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Capped exponential backoff with jitter: a random delay in [½, 1] × min(max, base × 2^attempt).
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(maxDelay, baseDelay * Int(pow(2.0, Double(min(attempt, 30)))))
        return ceiling * Double.random(in: 0.5...1.0)
    }
}

/// Retries 429 (honouring Retry-After), 5xx and dropped connections within a shared retry budget, and logs every
/// request at debug level without credentials. Requests that may have changed something (POST) are retried only
/// when the server asked to be retried (429, 503) or the request was never sent.
public struct RetryingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let policy: RetryPolicy
    public let logger: Logger
    public let budget: RetryBudget
    let sleep: @Sendable (Duration) async -> Void

    public init(
        _ base: any HTTPTransport, policy: RetryPolicy = RetryPolicy(), budget: RetryBudget = RetryBudget(),
        logger: Logger = Logger(label: "tidemark.http"),
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
    ) {
        self.base = base
        self.policy = policy
        self.budget = budget
        self.logger = logger
        self.sleep = sleep
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let idempotent = request.method != "POST"
        budget.recordRequest()
        var attempt = 0
        while true {
            attempt += 1
            let started = ContinuousClock.now
            let outcome: Result<HTTPResponse, TransportError>
            do {
                outcome = .success(try await base.send(request))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = ContinuousClock.now - started
            let last = attempt >= policy.maxAttempts
            switch outcome {
            case .success(let response):
                logger.debug("\(request.summary) -> \(response.status) (\(elapsed.formatted(.units(allowed: [.milliseconds]))))")
                let retryable = response.status == 429 || response.status == 503 || (idempotent && (500...599).contains(response.status))
                guard retryable, !last else { return response }
                guard budget.takeRetry() else {
                    logger.warning("\(request.summary): not retried after status \(response.status): the retry budget is spent")
                    return response
                }
                let delay = Self.retryAfter(response) ?? policy.backoff(afterAttempt: attempt)
                logger.debug("\(request.summary): retrying in \(delay) after status \(response.status)")
                await sleep(min(delay, policy.maxDelay))
            case .failure(let error):
                logger.debug("\(request.summary) failed: \(error.message)")
                let retryable = error.kind == .notSent || (idempotent && error.kind == .interrupted)
                guard retryable, !last else { throw error }
                guard budget.takeRetry() else {
                    throw TransportError(
                        kind: error.kind, request: error.request, message: error.message + "; not retried: the retry budget is spent")
                }
                await sleep(policy.backoff(afterAttempt: attempt))
            }
        }
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ response: HTTPResponse) -> Duration? {
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value) { return .seconds(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSinceNow.rounded(.up))))
    }
}
