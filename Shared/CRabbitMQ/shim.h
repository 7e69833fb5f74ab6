// rabbitmq-c (librabbitmq 0.11: headers at the top of the include path) as seen from Swift.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <poll.h>
#include <sys/eventfd.h>

// amqp_login_with_properties is variadic, which Swift cannot call: PLAIN login with user
// and password, plus client properties (connection name shown in the broker's UI).
static inline amqp_rpc_reply_t shipboard_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max,
    int heartbeat, const amqp_table_t *client_properties, const char *user,
    const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                      client_properties, AMQP_SASL_METHOD_PLAIN, user,
                                      password);
}
