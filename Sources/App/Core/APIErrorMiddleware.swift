import Fluent
import Foundation
import Vapor

/// Turns every error into the one JSON shape of API.md, so clients parse a single format.
///
/// Internal errors are logged with the request id and answered with a generic message: no
/// SQL, driver names or stack traces reach a client.
struct APIErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let apiError = Self.apiError(for: error, request: request)
            if apiError.status.code >= 500 {
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                request.logger.debug("request refused", metadata: ["code": "\(apiError.code)"])
            }
            if WebErrorPages.wantsPage(request) { return try await WebErrorPages.unmatchedPage(apiError, for: request) }
            return try Self.render(apiError, for: request)
        }
    }

    static func render(_ error: APIError, for request: Request) throws -> Response {
        let response = Response(status: error.status, headers: error.headers)
        try response.content.encode(ErrorEnvelope(error: .init(code: error.code, message: error.message, details: error.details)))
        return response
    }

    /// Maps any error to the API's vocabulary.
    static func apiError(for error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DecodingError:
            return decodingFailure(error)
        case is RouteNotFound, is UnmatchedRoute:
            let allowed = request.application.routeMethodIndex?.methods(for: request.url.path) ?? []
            // No route has this path, or one with this very method does (its parameter named nothing): 404.
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { return fromStatus(.notFound, headers: [:]) }
            return APIError(
                .methodNotAllowed, code: "method_not_allowed", message: "This address answers only " + allowed.joined(separator: ", ") + ".",
                details: ["allowed_methods": .array(allowed.map { .string($0) })], headers: ["Allow": allowed.joined(separator: ", ")])
        case let error as any AbortError:
            return fromStatus(error.status, headers: error.headers)
        case let error where DatabaseBusy.matches(error):
            return DatabaseBusy.apiError
        case is CancellationError:
            // Vapor cancels a handler whose client hung up; its transaction rolled back and the
            // answer reaches nobody. nginx's 499 says so in the access log, without an alarm.
            return .clientClosedRequest
        default:
            if let outage = DatabaseOutage.apiError(for: error) { return outage }
            return APIError(
                .internalServerError, code: "internal_error",
                message: "Something went wrong on our side (request \(request.id)). It has been logged.")
        }
    }

    /// Malformed JSON is a 400; well-formed JSON with a wrong type or a missing field is a 422
    /// naming the field.
    static func decodingFailure(_ error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .validationFailed(["body": "is not valid JSON"], status: .badRequest)
        case .typeMismatch(let type, let context) where context.codingPath.isEmpty:
            return .validationFailed(["body": "must be a JSON \(type is [Any].Type ? "array" : "object")"], status: .badRequest)
        case .typeMismatch(let type, let context):
            return .validationFailed([fieldName(context.codingPath): "must be \(describe(type))"])
        case .valueNotFound(_, let context):
            return .validationFailed([fieldName(context.codingPath): "must not be null"])
        case .keyNotFound(let key, let context):
            return .validationFailed([fieldName(context.codingPath + [key]): "is required"])
        case .dataCorrupted(let context):
            return .validationFailed([fieldName(context.codingPath): "has an invalid value"])
        @unknown default:
            return .validationFailed(["body": "could not be read"], status: .badRequest)
        }
    }

    private static func fromStatus(_ status: HTTPResponseStatus, headers: HTTPHeaders) -> APIError {
        switch status {
        case .notFound:
            return APIError(status, code: "not_found", message: "Nothing was found at this address.")
        case .unauthorized:
            return .unauthenticated
        case .forbidden:
            return .forbidden()
        case .payloadTooLarge:
            return APIError(status, code: "payload_too_large", message: "The request body is too large.")
        case .unsupportedMediaType:
            return APIError(status, code: "unsupported_media_type", message: "Send the request body as application/json.")
        case .methodNotAllowed:
            return APIError(status, code: "method_not_allowed", message: "This method is not allowed here.")
        case .badRequest:
            return .validationFailed(["body": "could not be read"], status: .badRequest)
        default:
            let code = status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            return APIError(status, code: status.code >= 500 ? "internal_error" : code, message: status.reasonPhrase)
        }
    }

    /// `["address", "city"]` → `address.city`, in the API's snake_case.
    static func fieldName(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "body" }
        return path.map { key in key.intValue.map(String.init) ?? snakeCased(key.stringValue) }.joined(separator: ".")
    }

    private static func snakeCased(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase, !result.isEmpty { result += "_" }
            result += character.lowercased()
        }
        return result
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: "of another type"
        }
    }
}

extension APIError {
    /// The client closed the connection before its answer was ready.
    static let clientClosedRequest = APIError(
        HTTPResponseStatus(statusCode: 499, reasonPhrase: "Client Closed Request"), code: "client_closed_request",
        message: "The request was abandoned by the client before it finished; nothing was changed.")
}

/// The JSON envelope of every error response.
struct ErrorEnvelope: Content {
    struct Body: Codable {
        let code: String
        let message: String
        let details: [String: JSONValue]
    }

    let error: Body
}
