import AMQP
import Foundation
import Postgres

/// The probe's configuration from the environment; a missing or malformed value stops
/// start-up with a message naming the variable.
struct ProbeSettings {
    let database: PostgresConfiguration
    let broker: AMQPConfiguration
    let schema: String
    let queue: String
    let routingKey: String
    let handlerDelay: Duration
    let concurrency: Int

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    init(environment: [String: String]) throws {
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw Problem(description: "\(name) is required") }
            return value
        }
        do {
            database = try PostgresConfiguration(url: required("SHIPBOARD_DATABASE_URL"))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "SHIPBOARD_DATABASE_URL is malformed: \(error)")
        }
        do {
            broker = try AMQPConfiguration(url: required("SHIPBOARD_AMQP_URL"))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "SHIPBOARD_AMQP_URL is malformed: \(error)")
        }
        schema = try required("PROBE_SCHEMA")
        queue = try required("PROBE_QUEUE")
        routingKey = try required("PROBE_ROUTING_KEY")
        guard let delay = Int(environment["PROBE_HANDLER_DELAY_MS"] ?? "0"), delay >= 0 else {
            throw Problem(description: "PROBE_HANDLER_DELAY_MS must be a non-negative integer")
        }
        handlerDelay = .milliseconds(delay)
        guard let concurrency = Int(environment["PROBE_CONCURRENCY"] ?? "4"), (1...64).contains(concurrency) else {
            throw Problem(description: "PROBE_CONCURRENCY must be an integer in 1...64")
        }
        self.concurrency = concurrency
    }
}
