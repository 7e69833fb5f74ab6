import AMQP

// TEMPORARY until workstream A lands `AMQPDelivery.isLive` and `AMQPConsumer.pause()/resume()`
// (see /work/f3-plan.md): same names and signatures, so this file is deleted at the merge.
extension AMQPDelivery {
    var isLive: Bool { get async { true } }
}

extension AMQPConsumer {
    func pause() async {}
    func resume() async {}
}
