/* The machine's floor for scripts/bench: a minimal C HTTP/1.1 client with LoadGate's native
 * engine's system calls and nothing else (no parsing, no metrics, no Swift), so that the bench can
 * tell what an open model costs on this machine from what LoadGate adds to it.
 *
 *   closed: N keep-alive connections to 127.0.0.1:PORT, each sends its next request when a reply
 *           arrives (edge-triggered epoll, one recv and one send per request);
 *   open:   every WINDOW_US (or at the next due start, if later) one pass sends every request due,
 *           then reads the replies that arrived since the last pass (epoll_wait 0, one recv each),
 *           then sleeps with clock_nanosleep (LoadGate's deferred-read pass, same order, same
 *           timer slack; scripts/bench passes LoadGate's window, 700 us).
 *
 * It assumes each reply arrives in one segment (nginx's tiny /health/live answer does) and counts
 * replies, not their content: a reference for CPU per request, not a load tester. Loopback only;
 * stops by itself after SECONDS. Prints: "<requests> <cpu seconds> <start lateness p99 in µs>"
 * (open model: each send against its intended start, as LoadGate measures it; 0 when closed).
 * Usage: bench_reference_client PORT CONNECTIONS SECONDS [RATE [WINDOW_US]]  (RATE 0: closed) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int compare_lateness(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static const char request[] = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: reference\r\nAccept: */*\r\n\r\n";

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s PORT CONNECTIONS SECONDS [RATE [WINDOW_US]]\n", argv[0]); return 2; }
    int port = atoi(argv[1]), connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    long rate = argc > 4 ? atol(argv[4]) : 0;
    long long window = (argc > 5 ? atoll(argv[5]) : 700) * 1000LL;
    if (connections < 1 || connections > 4096 || seconds <= 0 || seconds > 600 || rate < 0) return 2;
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    int epoll = epoll_create1(0), fds[4096], free_list[4096], free_count = 0;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < connections; i++) {
        int one = 1;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fds[i], (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
        struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.u32 = (unsigned)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &event);
        free_list[free_count++] = i;
    }
    static char buffer[65536];
    static long long lateness[4000000];
    long lateness_count = 0;
    struct epoll_event events[256];
    long long replies = 0, start = now_ns(), end = start + (long long)(seconds * 1e9);
    if (rate == 0) {
        for (int i = 0; i < connections; i++) send(fds[i], request, sizeof request - 1, MSG_DONTWAIT);
        while (now_ns() < end) {
            int ready = epoll_wait(epoll, events, 256, 100);
            for (int e = 0; e < ready; e++) {
                int i = (int)events[e].data.u32;
                if (recv(fds[i], buffer, sizeof buffer, MSG_DONTWAIT) <= 0) continue;
                replies++;
                send(fds[i], request, sizeof request - 1, MSG_DONTWAIT);
            }
        }
    } else {
        long long interval = 1000000000LL / rate, next = start;
        for (int last_pass = 0; !last_pass;) {
            last_pass = next >= end;
            long long now = now_ns(), pass = now + window;
            while (!last_pass && next <= now && next < end && free_count > 0) {
                send(fds[free_list[--free_count]], request, sizeof request - 1, MSG_DONTWAIT);
                if (lateness_count < 4000000) lateness[lateness_count++] = now - next;
                next += interval;
            }
            int ready = epoll_wait(epoll, events, 256, 0);
            for (int e = 0; e < ready; e++) {
                int i = (int)events[e].data.u32;
                if (recv(fds[i], buffer, sizeof buffer, MSG_DONTWAIT) <= 0) continue;
                replies++;
                free_list[free_count++] = i;
            }
            if (pass < next) pass = next;
            if (last_pass) pass = now + 20000000LL;  /* one last pass 20 ms on reads the last replies */
            struct timespec until = {(time_t)(pass / 1000000000LL), (long)(pass % 1000000000LL)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            if (last_pass) {
                ready = epoll_wait(epoll, events, 256, 0);
                for (int e = 0; e < ready; e++)
                    if (recv(fds[events[e].data.u32], buffer, sizeof buffer, MSG_DONTWAIT) > 0) replies++;
            }
        }
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    long long p99 = 0;
    if (lateness_count > 0) {
        qsort(lateness, (size_t)lateness_count, sizeof lateness[0], compare_lateness);
        p99 = lateness[lateness_count * 99 / 100];
    }
    printf("%lld %.6f %lld\n", replies, cpu, p99 / 1000);
    return 0;
}
