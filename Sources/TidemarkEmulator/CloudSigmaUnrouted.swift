import Hummingbird

/// The cloudsigma API's answer to a request no route takes: 405 under its resources (404 for a GET too deep), else 404.
struct CloudSigmaUnrouted: RouterMiddleware {
    let backupSchedulersEnabled: Bool

    func handle(
        _ request: Request, context: CloudSigmaRequestContext,
        next: (Request, CloudSigmaRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return answer(method: request.method.rawValue, path: request.uri.path).httpResponse
        }
    }

    private func answer(method: String, path: String) -> EmulatorResponse {
        let components = path.dropFirst(CloudSigmaAccount.apiRoot.count).split(separator: "/")
        let notAllowed = APIError(status: 405, type: "validation", message: "Method \(method) is not allowed here")
        switch components.first {
        case "backupschedulers" where backupSchedulersEnabled:
            return notAllowed.response
        case "drives", "snapshots", "tags":
            return method == "GET" ? APIError.notFound("Resource").response : notAllowed.response
        default:
            return APIError.notFound("Resource /\(components.joined(separator: "/"))/").response
        }
    }
}
