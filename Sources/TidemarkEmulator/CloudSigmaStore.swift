/// Serializes requests to one emulated account.
actor CloudSigmaStore {
    private var account: CloudSigmaAccount

    init(configuration: EmulatorConfiguration) throws {
        account = try CloudSigmaAccount(configuration: configuration)
    }

    /// Carries out `operation` on the account; an `APIError` it throws becomes the API's error answer.
    func answer(_ operation: @Sendable (inout CloudSigmaAccount) throws(APIError) -> EmulatorResponse) -> EmulatorResponse {
        do {
            return try operation(&account)
        } catch {
            return error.response
        }
    }
}
