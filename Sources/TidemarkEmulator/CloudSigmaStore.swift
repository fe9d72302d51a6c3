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

    /// Carries out `operation`, answering 204 with no body (or the API's error).
    func answerNoContent(_ operation: @Sendable (inout CloudSigmaAccount) throws(APIError) -> Void) -> EmulatorResponse {
        answer { account throws(APIError) in
            try operation(&account)
            return .noContent
        }
    }
}
