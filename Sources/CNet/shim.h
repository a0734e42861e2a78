// Linux socket, epoll and timer calls for the workers' event loops (the native HTTP/1.1 engine's
// sockets; both engines' timers), wrapped where Swift cannot call them directly: epoll_event is a
// packed struct on x86-64 (Swift would import it with the wrong layout), fcntl is variadic, and
// SOCK_NONBLOCK, eventfd and timerfd are not exported by Glibc's Swift module.
// Header-only: nothing to link but libc.
#ifndef LOADGATE_CNET_SHIM_H
#define LOADGATE_CNET_SHIM_H
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

/* An address to connect to, resolved once (IPv4 or IPv6). */
typedef struct lg_address {
    struct sockaddr_storage storage;
    socklen_t length;
    int family;
} lg_address;

/* Parses a numeric IPv4/IPv6 address (no DNS) with a port. Returns 0, or -1 if `host` is not one. */
static inline int lg_address_numeric(const char *host, int port, lg_address *out) {
    memset(out, 0, sizeof(*out));
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->length = sizeof(struct sockaddr_in);
        out->family = AF_INET;
        return 0;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->storage;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->length = sizeof(struct sockaddr_in6);
        out->family = AF_INET6;
        return 0;
    }
    return -1;
}

/* Starts a non-blocking TCP connect with TCP_NODELAY. Returns the descriptor (connect may still be
 * in progress: wait for EPOLLOUT, then lg_socket_error), or -1 with the errno in *error. */
static inline int lg_tcp_connect(const lg_address *address, int *error) {
    int fd = socket(address->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { *error = errno; return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (const struct sockaddr *)&address->storage, address->length) < 0 && errno != EINPROGRESS) {
        *error = errno;
        close(fd);
        return -1;
    }
    *error = 0;
    return fd;
}

/* The pending error of a socket (SO_ERROR): 0 once a non-blocking connect succeeded. */
static inline int lg_socket_error(int fd) {
    int value = 0;
    socklen_t length = sizeof(value);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) < 0) return errno;
    return value;
}

/* Closes with an immediate reset (SO_LINGER 0): used for connections abandoned mid-response. */
static inline void lg_close_reset(int fd) {
    struct linger linger = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger));
    close(fd);
}

static inline int lg_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* Edge-triggered interest in input, output and hang-up; `token` comes back with each event. */
static inline int lg_epoll_add(int epfd, int fd, uint64_t token, int edge) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | (edge ? EPOLLET : 0);
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

static inline int lg_epoll_add_input(int epfd, int fd, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN;
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

static inline int lg_epoll_remove(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

/* Waits for events; fills tokens[i] and flags[i] (EPOLLIN=1, EPOLLOUT=4, EPOLLERR=8, EPOLLHUP=16,
 * EPOLLRDHUP=0x2000). Returns the count, 0 on timeout or EINTR. */
static inline int lg_epoll_wait(int epfd, uint64_t *tokens, uint32_t *flags, int capacity, int timeout_ms) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epfd, events, capacity, timeout_ms);
    if (count < 0) return 0;
    for (int i = 0; i < count; i++) { tokens[i] = events[i].data.u64; flags[i] = events[i].events; }
    return count;
}

static inline int lg_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
static inline void lg_eventfd_signal(int fd) { uint64_t one = 1; ssize_t ignored = write(fd, &one, 8); (void)ignored; }
static inline void lg_eventfd_drain(int fd) { uint64_t value; ssize_t ignored = read(fd, &value, 8); (void)ignored; }

/* Sends two buffers (request head and body) in one call, without SIGPIPE on a closed peer. */
static inline ssize_t lg_send2(int fd, const void *a, size_t alength, const void *b, size_t blength) {
    struct iovec parts[2] = {{(void *)a, alength}, {(void *)b, blength}};
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = parts;
    message.msg_iovlen = (b && blength) ? 2 : 1;
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

/* Asks the kernel to stamp received data with its arrival time (SO_TIMESTAMPNS, CLOCK_REALTIME). */
static inline void lg_enable_rx_timestamps(int fd) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
}

/* recv that also returns when the kernel received the last segment read (CLOCK_REALTIME
 * nanoseconds in *arrived, 0 when the kernel gave none). Bytes, 0 at end of stream, -1 with errno. */
static inline ssize_t lg_recv_stamped(int fd, void *buffer, size_t length, int64_t *arrived) {
    struct iovec part = {buffer, length};
    union { char bytes[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } control;
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);
    *arrived = 0;
    ssize_t count = recvmsg(fd, &message, 0);
    if (count > 0) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(c), sizeof(stamp));
                *arrived = (int64_t)stamp.tv_sec * 1000000000LL + stamp.tv_nsec;
            }
        }
    }
    return count;
}

/* Nanoseconds to add to a CLOCK_REALTIME stamp to read it on CLOCK_MONOTONIC. */
static inline int64_t lg_realtime_to_monotonic_offset(void) {
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    return ((int64_t)mono.tv_sec - (int64_t)real.tv_sec) * 1000000000LL + ((int64_t)mono.tv_nsec - (int64_t)real.tv_nsec);
}

/* The event loop's precise wake-up: a CLOCK_MONOTONIC timerfd in the native epoll set, or passed to
 * curl_multi_poll as an extra descriptor (curl's timeout has only millisecond resolution). Glibc's
 * Swift module does not export <sys/timerfd.h>, so the calls are wrapped here. */
#include <sys/timerfd.h>
#include <time.h>
static inline int lg_timer_create(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC); }
/* Sleeps until a CLOCK_MONOTONIC instant (clock_nanosleep, TIMER_ABSTIME; restarted on EINTR). */
static inline void lg_sleep_until(long long monotonic_nanos) {
    struct timespec until = {(time_t)(monotonic_nanos / 1000000000LL), (long)(monotonic_nanos % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {}
}
/* The calling thread's timer slack (prctl PR_SET_TIMERSLACK): how late the kernel may fire its
 * timers to coalesce wake-ups. The default, 50 µs, would all be start lateness of an open model. */
#include <sys/prctl.h>
static inline void lg_set_timer_slack(unsigned long nanos) { (void)prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0); }
static inline int lg_timer_arm_absolute(int fd, long long monotonic_nanos) {
    struct itimerspec spec = {{0, 0}, {(time_t)(monotonic_nanos / 1000000000LL), (long)(monotonic_nanos % 1000000000LL)}};
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1; /* 0 would disarm */
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}
#endif
