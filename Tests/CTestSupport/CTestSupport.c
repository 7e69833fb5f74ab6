#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "CTestSupport.h"

int shipboard_enter_network_namespace(int descriptor) {
    return setns(descriptor, CLONE_NEWNET);
}

int shipboard_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int shipboard_accept_nonblocking(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
