import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// The provider for a Target, for every command that talks to targets.
enum ProviderFactory {
    /// `observe` sees the HTTP status of every request attempt (nil: no response).
    static func make(
        for target: PolicyDocument<TargetSpec>, logger: Logger,
        observe: (@Sendable (Int?) -> Void)? = nil, connection: ConnectionOptions = ConnectionOptions()
    ) throws(ProviderError) -> any Provider {
        for warning in BasicCredentials.fileWarnings(target.spec.credentials) { Output.error("warning: target \(target.name): \(warning)") }
        return try ProviderRegistry.definition(for: target.spec.provider).connect(
            target, logger: logger, environment: ProcessInfo.processInfo.environment,
            observe: observe, connection: connection)
    }
}
