// Typed, non-variadic wrappers around libcurl's variadic setopt/getinfo calls.
// Swift cannot call C variadic functions, so every option type LoadGate uses gets one
// `static inline` wrapper here; no separate C target is needed.
#ifndef LOADGATE_CCURL_SHIM_H
#define LOADGATE_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*lg_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode lg_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode lg_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode lg_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode lg_easy_setopt_pointer(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode lg_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode lg_easy_setopt_write(CURL *h, CURLoption o, lg_write_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode lg_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode lg_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode lg_easy_getinfo_pointer(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode lg_easy_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode lg_easy_getinfo_certinfo(CURL *h, struct curl_certinfo **v) { return curl_easy_getinfo(h, CURLINFO_CERTINFO, v); }

/* Opens a transfer's socket as libcurl would (CURLOPT_OPENSOCKETFUNCTION), but keeps the errno of
 * a socket that could not be opened in the int `clientp` points at: libcurl reports that case as
 * CURLE_COULDNT_CONNECT with CURLINFO_OS_ERRNO 0, so EMFILE would otherwise read as a connect
 * failure of the target. */
#include <errno.h>
#include <sys/socket.h>
static inline curl_socket_t lg_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    (void)purpose;
    curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
    if (fd == CURL_SOCKET_BAD && clientp) *(int *)clientp = errno;
    return fd;
}
static inline CURLcode lg_easy_keep_socket_errno(CURL *h, int *socket_errno) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, lg_open_socket);
    return rc == CURLE_OK ? curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, (void *)socket_errno) : rc;
}

static inline CURLMcode lg_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/* CURLMsg's result lives in a union Swift imports awkwardly; read it here. */
static inline CURLcode lg_msg_result(const CURLMsg *m) { return m->data.result; }

static inline CURLcode lg_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }

#endif
