/* The ceiling for bench/imap.sh: libcurl connects and logs in (CONNECT_ONLY), then one
 * pipelined "UID FETCH 1:* (BODY.PEEK[])" of the whole folder is read to its tagged OK with no
 * parsing at all. Prints: raw <letters> <seconds> <bytes>.
 *
 *   imap_raw URL USER PASSWORD LETTERS
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static CURL *curl;
static curl_socket_t sock;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void wait_for(short events) {
  struct pollfd p = {sock, events, 0};
  if (poll(&p, 1, 30000) <= 0) {
    fprintf(stderr, "imap_raw: timeout\n");
    exit(1);
  }
}

static void send_all(const char *text) {
  size_t length = strlen(text), offset = 0;
  while (offset < length) {
    size_t sent = 0;
    CURLcode code = curl_easy_send(curl, text + offset, length - offset, &sent);
    if (code == CURLE_AGAIN) { wait_for(POLLOUT); continue; }
    if (code != CURLE_OK) { fprintf(stderr, "imap_raw: send: %d\n", code); exit(1); }
    offset += sent;
  }
}

/* Reads until a line starting with `tag` followed by a space; returns the bytes read. */
static long long read_until(const char *tag) {
  static char buffer[1 << 18];
  char window[64] = "\n";
  size_t window_length = 1, tag_length = strlen(tag);
  long long total = 0;
  char needle[40];
  snprintf(needle, sizeof needle, "\n%s ", tag);
  for (;;) {
    size_t got = 0;
    CURLcode code = curl_easy_recv(curl, buffer, sizeof buffer, &got);
    if (code == CURLE_AGAIN) { wait_for(POLLIN); continue; }
    if (code != CURLE_OK || got == 0) { fprintf(stderr, "imap_raw: recv: %d\n", code); exit(1); }
    total += got;
    /* Look for the tagged line in what straddles the previous chunk and in this one. */
    char joined[128];
    size_t head = got < 60 ? got : 60;
    memcpy(joined, window, window_length);
    memcpy(joined + window_length, buffer, head);
    if (memmem(joined, window_length + head, needle, tag_length + 2)) return total;
    if (memmem(buffer, got, needle, tag_length + 2)) return total;
    size_t keep = got < 40 ? got : 40;
    memcpy(window, buffer + got - keep, keep);
    window_length = keep;
  }
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: imap_raw URL USER PASSWORD LETTERS\n"); return 2; }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  double start = now();
  curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
  curl_easy_setopt(curl, CURLOPT_USERNAME, argv[2]);
  curl_easy_setopt(curl, CURLOPT_PASSWORD, argv[3]);
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) { fprintf(stderr, "imap_raw: %s\n", curl_easy_strerror(code)); return 1; }
  curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &sock);
  send_all("R1 EXAMINE INBOX\r\n");
  read_until("R1");
  send_all("R2 UID FETCH 1:* (BODY.PEEK[])\r\n");
  long long bytes = read_until("R2");
  double seconds = now() - start;
  send_all("R3 LOGOUT\r\n");
  read_until("R3");
  curl_easy_cleanup(curl);
  printf("raw %s %.4f %lld\n", argv[4], seconds, bytes);
  return 0;
}
