import AsyncHTTPClient
import CLICore
import Foundation
import GatewayAPI
import NIOCore
import NIOPosix

/// A command that could not do its job: one line for stderr and the exit status
/// (`CLIExitStatus`). Built from a problem answer, a connection failure or a local check;
/// never carries the token (nothing here ever sees it).
struct CommandFailure: Error, CustomStringConvertible {
    let status: CLIExitStatus
    let description: String
    /// No answer arrived: the outcome of a command is unknown (see `IdempotentRetry`).
    var noAnswer = false

    init(_ description: String, status: CLIExitStatus = .failure, noAnswer: Bool = false) {
        self.description = description
        self.status = status
        self.noAnswer = noAnswer
    }

    /// A response the command could not use: its problem body when it has one (the generated
    /// `Problem` type), else just the status.
    init(status code: Int, body: Data?) {
        let problem = body.flatMap { try? JSONDecoder().decode(Components.Schemas.Problem.self, from: $0) }
        let message = ErrorLine.problemMessage(
            status: code, type: problem?._type, title: problem?.title, detail: problem?.detail, rule: problem?.rule,
            fieldErrors: problem?.errors?.map { ($0.pointer, $0.detail) } ?? [])
        let status = CLIExitStatus(httpStatus: code)
        self.init(status == .ok ? "unexpected answer from the server (HTTP \(code))" : message,
                  status: status == .ok ? .failure : status)
    }

    /// The server could not be reached, or the connection dropped before an answer.
    static func unreachable(_ server: String, _ error: any Error) -> CommandFailure {
        CommandFailure("no answer from \(server): \(ConnectionErrorText.describe(error))", noAnswer: true)
    }
}

/// Connection errors in a few words ("connection refused"), not the nested dumps of
/// NIO and AsyncHTTPClient.
enum ConnectionErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve \(error.host)" }
            return "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "timed out connecting"
            case .readTimeout: return "timed out waiting for the server"
            case .deadlineExceeded: return "timed out waiting for an answer"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return String(describing: error).replacingOccurrences(of: "HTTPClientError.", with: "")
            }
        case is ChannelError:
            return "the connection failed (\(error))"
        default:
            return String(describing: error)
        }
    }
}
