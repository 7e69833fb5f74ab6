import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads a Server-Sent Events response as it arrives (URLSession's data delegate, which works
/// on Linux where byte streams do not): each complete event's fields, then the end.
final class EventStreamReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Event: Equatable {
        var id: String?
        var event: String?
        var data: String
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private var buffer = ""
    private let lock = NSLock()
    private(set) var status = 0

    override init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Starts reading `url` with `headers`; the stream ends when the server ends the response.
    func start(_ url: URL, headers: [String: String]) -> URLSessionDataTask {
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        let task = session.dataTask(with: request)
        task.resume()
        return task
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        buffer += String(decoding: data, as: UTF8.self)
        var complete: [Event] = []
        while let end = buffer.range(of: "\n\n") {
            let block = String(buffer[..<end.lowerBound])
            buffer.removeSubrange(..<end.upperBound)
            var event = Event(data: "")
            var isComment = true
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { continue }
                isComment = false
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
            }
            if !isComment { complete.append(event) }
        }
        lock.unlock()
        for event in complete { continuation.yield(event) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        continuation.finish()
        session.finishTasksAndInvalidate()
    }
}
