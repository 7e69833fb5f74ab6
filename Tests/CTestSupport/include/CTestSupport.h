#ifndef SHIPBOARD_CTESTSUPPORT_H
#define SHIPBOARD_CTESTSUPPORT_H

// Linux calls the fault harness needs that Swift's Glibc module does not show (they are
// declared only with _GNU_SOURCE). Each returns what the call returns, errno set on -1.

/// Moves the calling thread (only it) into the network namespace open at `descriptor`
/// (e.g. /run/netns/NAME): sockets it creates afterwards live in that namespace.
int shipboard_enter_network_namespace(int descriptor);

/// A non-blocking, close-on-exec eventfd (a counter that wakes a poll()).
int shipboard_eventfd(void);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC, not asking for the peer's address.
int shipboard_accept_nonblocking(int listener);

#endif
