import Logging
import TidemarkPolicy
import TidemarkProviders

/// The provider for a Target, for every command that talks to targets.
enum ProviderFactory {
    /// `observe` sees the HTTP status of every request attempt (nil: no response).
    static func make(for target: PolicyDocument<TargetSpec>, logger: Logger,
                     observe: (@Sendable (Int?) -> Void)? = nil, connection: ConnectionOptions = ConnectionOptions()) throws(ProviderError) -> any Provider {
        for warning in BasicCredentials.fileWarnings(target.spec.credentials) { Output.error("warning: target \(target.name): \(warning)") }
        return switch target.spec.provider {
        case .cloudsigma: try CloudSigmaProvider.make(for: target, logger: logger, observe: observe, connection: connection)
        case .scheduledBackup: try ScheduledBackupProvider.make(for: target, logger: logger, observe: observe, connection: connection)
        case .danube: try DanubeProvider.make(for: target, logger: logger, observe: observe, connection: connection)
        case .freezer: try FreezerProvider.make(for: target, logger: logger, observe: observe, connection: connection)
        }
    }
}
