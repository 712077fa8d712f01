// Native broadcast clients of the bench's `broadcast` section: M framerpc connections (protocol v2,
// docs/protocol.md) in one epoll loop, speaking what bench/broadcast/framerpc-raw-client.ts speaks.
//
// Each connection: the 20-byte preface (role 1, features 0: no compression, no XOR), one
// PushControl.Subscribe CALL for /chat.v1.ChatEvents/MessagePosted (its STATUS must be OK), then one
// Chat.Post CALL per second (request inline, HAS_MESSAGE + END_STREAM; replies read and checked, not
// timed). Client i posts at i/M of every second, so the M posts are spread over the second. The posted
// text is 100 ASCII bytes: "<16 digits: send time, µs of CLOCK_MONOTONIC>:<6 digits: sender>:xx...x";
// the server pushes every post to every client, and each PUSH's latency is the read time minus that
// stamp (server and clients share the host, so one monotonic clock serves both ends).
// Connection credit (section 9) is kept in both directions: a post waits for the server's credit
// (skipped and counted if it has none), and response bytes are granted back every 64 KiB.
//
// Prints JSON lines: {"event":"connected",...} once every connection subscribed (or the connect deadline
// passed), {"event":"measuring"} when the measurement starts, and a last {"event":"result",...}.
// Bounded: connecting within --connect-timeout, then --warmup + --seconds, then exit.
//
// Build: cc -O2 -o broadcast-client broadcast-client.c
// Run:   broadcast-client --port=P --clients=1000 [--warmup=3] [--seconds=20] [--connect-timeout=90] [--batch=200]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "histogram.h"

// Wire constants, docs/protocol.md sections 2, 4, 5, 9, 13 and 14.
#define PREFACE_BYTES 20
#define HEADER_BYTES 10
#define PROTOCOL_VERSION 2
#define ROLE_CLIENT 1
#define ROLE_SERVER 2
#define KIND_PING 0x01
#define KIND_PONG 0x02
#define KIND_GOAWAY 0x03
#define KIND_CALL 0x10
#define KIND_MESSAGE 0x11
#define KIND_HEADERS 0x12
#define KIND_STATUS 0x13
#define KIND_WINDOW 0x15
#define KIND_PUSH 0x20
#define FLAG_END_STREAM 0x04
#define CALL_HAS_MESSAGE 0x01
#define STATUS_HAS_MESSAGE 0x01
#define MAX_FRAME_BYTES (4u << 20)
#define CLIENT_WINDOW 0x7fffffffu
#define GRANT_EVERY_BYTES (64u * 1024)

#define SUBSCRIBE_METHOD "/framerpc.push.v1.PushControl/Subscribe"
#define POST_METHOD "/chat.v1.Chat/Post"
#define TOPIC "/chat.v1.ChatEvents/MessagePosted"
#define SUBSCRIBE_CALL_ID 1
// The posted text, as in bench/broadcast/payload.ts.
#define TEXT_BYTES 100
#define STAMP_DIGITS 16
#define SENDER_DIGITS 6
// ChatMessage{room: "", from: "", text, seq}: the text is field 3 (tag 0x1a), its length one varint byte.
#define TEXT_TAG 0x1a
// PostRequest{room: "", text}: field 2 (tag 0x12).
#define POST_TEXT_TAG 0x12

#define MAX_CLIENTS 15000
#define MIN_READ_SPACE 4096
#define MAX_BUFFER_BYTES (8u << 20)
#define NS_PER_SECOND 1000000000ull

enum phase { PHASE_CONNECTING, PHASE_WARMUP, PHASE_MEASURE };

struct options {
  int port;
  int clients;
  double warmup;
  double seconds;
  double connect_timeout;
  int batch;
};

/** A byte buffer read from [start, end) and appended to at end. */
struct buffer {
  uint8_t *data;
  size_t start, end, cap;
};

struct connection {
  int index;
  int fd;
  int connected;  // TCP connect finished
  int handshaken; // server preface read
  int subscribed; // Subscribe answered OK
  int closed;
  int epollout;
  struct buffer in, out;
  uint32_t next_call_id;
  int64_t send_credit; // the server's connection credit left for our request bytes
  uint64_t owed_grant; // response bytes received and not granted back yet
};

static struct options opt;
static struct histogram histogram;
static enum phase phase = PHASE_CONNECTING;
static struct connection *connections;
static int epoll_fd;
static int opened, subscribed_count, failed, closed_count;
static char first_error[256];
// Measurement counters (reset when the measurement starts).
static uint64_t delivered, malformed, errors, sent, skipped;
static uint64_t all_delivered;
static uint8_t post_template[HEADER_BYTES + 64 + TEXT_BYTES];
static size_t post_bytes;
static size_t post_text_offset; // where the 100 text bytes start in post_template
static uint32_t post_message_bytes;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS_PER_SECOND + (uint64_t)ts.tv_nsec;
}

static double cpu_us(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

static void json_string(const char *text) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static void note_error(const char *format, ...) {
  if (first_error[0]) return;
  va_list args;
  va_start(args, format);
  vsnprintf(first_error, sizeof first_error, format, args);
  va_end(args);
}

/** A failure of the run itself (not of one connection): one result line with "fatal", exit 1. */
static void fatal(const char *format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  printf("{\"event\":\"result\",\"fatal\":");
  json_string(message);
  printf("}\n");
  fflush(stdout);
  exit(1);
}

static void put_u16(uint8_t *at, uint32_t value) {
  at[0] = (uint8_t)(value >> 8);
  at[1] = (uint8_t)value;
}
static void put_u32(uint8_t *at, uint32_t value) {
  at[0] = (uint8_t)(value >> 24);
  at[1] = (uint8_t)(value >> 16);
  at[2] = (uint8_t)(value >> 8);
  at[3] = (uint8_t)value;
}
static uint32_t get_u16(const uint8_t *at) { return ((uint32_t)at[0] << 8) | at[1]; }
static uint32_t get_u32(const uint8_t *at) { return ((uint32_t)at[0] << 24) | ((uint32_t)at[1] << 16) | ((uint32_t)at[2] << 8) | at[3]; }

/** Makes room for `bytes` more at the end of `buffer`, moving unread bytes to the front first. */
static uint8_t *buffer_reserve(struct buffer *buffer, size_t bytes) {
  if (buffer->start == buffer->end) buffer->start = buffer->end = 0;
  if (buffer->cap - buffer->end >= bytes) return buffer->data + buffer->end;
  if (buffer->start > 0) {
    memmove(buffer->data, buffer->data + buffer->start, buffer->end - buffer->start);
    buffer->end -= buffer->start;
    buffer->start = 0;
  }
  if (buffer->cap - buffer->end < bytes) {
    size_t cap = buffer->cap ? buffer->cap : MIN_READ_SPACE;
    while (cap - buffer->end < bytes) cap *= 2;
    if (cap > MAX_BUFFER_BYTES) fatal("a connection buffer would pass %u bytes", MAX_BUFFER_BYTES);
    uint8_t *data = realloc(buffer->data, cap);
    if (!data) fatal("out of memory (buffer of %zu bytes)", cap);
    buffer->data = data;
    buffer->cap = cap;
  }
  return buffer->data + buffer->end;
}

static void append_frame(struct connection *c, uint8_t kind, uint8_t flags, uint32_t stream, const void *payload, uint32_t length) {
  uint8_t *at = buffer_reserve(&c->out, HEADER_BYTES + length);
  put_u32(at, length);
  at[4] = kind;
  at[5] = flags;
  put_u32(at + 6, stream);
  if (length) memcpy(at + HEADER_BYTES, payload, length);
  c->out.end += HEADER_BYTES + length;
}

/** Appends a unary CALL frame (no deadline, no metadata, request inline, END_STREAM); returns its request bytes. */
static size_t build_call(uint8_t *at, uint32_t call_id, const char *method, const uint8_t *message, size_t message_bytes) {
  size_t method_bytes = strlen(method);
  size_t length = 4 + 1 + 1 + method_bytes + 2 + message_bytes;
  put_u32(at, (uint32_t)length);
  at[4] = KIND_CALL;
  at[5] = FLAG_END_STREAM;
  put_u32(at + 6, call_id);
  uint8_t *p = at + HEADER_BYTES;
  put_u32(p, 0); // timeout 0: no deadline
  p[4] = CALL_HAS_MESSAGE;
  p[5] = (uint8_t)method_bytes;
  memcpy(p + 6, method, method_bytes);
  p += 6 + method_bytes;
  put_u16(p, 0); // no metadata
  p += 2;
  memcpy(p, message, message_bytes);
  return HEADER_BYTES + length;
}

/** The Post CALL every send copies: the text's stamp, sender and the call id are patched per send. */
static void build_post_template(void) {
  uint8_t message[2 + TEXT_BYTES];
  message[0] = POST_TEXT_TAG;
  message[1] = TEXT_BYTES;
  memset(message + 2, 'x', TEXT_BYTES);
  message[2 + STAMP_DIGITS] = ':';
  message[2 + STAMP_DIGITS + 1 + SENDER_DIGITS] = ':';
  post_message_bytes = sizeof message;
  post_bytes = build_call(post_template, 0, POST_METHOD, message, sizeof message);
  post_text_offset = post_bytes - TEXT_BYTES;
}

static void put_digits(uint8_t *at, uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; i--) {
    at[i] = (uint8_t)('0' + value % 10);
    value /= 10;
  }
}

/** The send time (ns) of a text starting at `p`, or 0 if it is not a stamp. */
static uint64_t read_stamp_ns(const uint8_t *p) {
  uint64_t micros = 0;
  for (int i = 0; i < STAMP_DIGITS; i++) {
    if (p[i] < '0' || p[i] > '9') return 0;
    micros = micros * 10 + (uint64_t)(p[i] - '0');
  }
  return micros * 1000;
}

static void watch(struct connection *c, int want_out) {
  if (c->epollout == want_out || c->closed) return;
  struct epoll_event event = {.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0), .data = {.ptr = c}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event) != 0) fatal("epoll_ctl: %s", strerror(errno));
  c->epollout = want_out;
}

/** Closes one connection; counted, the run goes on with the others. */
static void lose(struct connection *c, const char *format, ...) {
  if (c->closed) return;
  char message[200];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  note_error("connection %d: %s", c->index, message);
  c->closed = 1;
  if (phase == PHASE_CONNECTING && !c->subscribed) failed++;
  else closed_count++;
  close(c->fd);
}

static void flush(struct connection *c) {
  if (!c->connected || c->closed) return;
  struct buffer *out = &c->out;
  while (out->end > out->start) {
    ssize_t written = write(c->fd, out->data + out->start, out->end - out->start);
    if (written > 0) out->start += (size_t)written;
    else if (written < 0 && errno == EINTR) continue;
    else if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    else {
      lose(c, "write: %s", written < 0 ? strerror(errno) : "wrote nothing");
      return;
    }
  }
  if (out->start == out->end) out->start = out->end = 0;
  watch(c, out->end > out->start);
}

/** Queues client `c`'s post of this moment, if the server's connection credit covers it. */
static void post(struct connection *c, uint64_t now) {
  if (c->closed || !c->subscribed) {
    skipped++;
    return;
  }
  if (c->send_credit < (int64_t)post_message_bytes) {
    skipped++;
    return;
  }
  c->send_credit -= post_message_bytes;
  uint8_t *at = buffer_reserve(&c->out, post_bytes);
  memcpy(at, post_template, post_bytes);
  put_u32(at + 6, c->next_call_id++);
  put_digits(at + post_text_offset, now / 1000, STAMP_DIGITS);
  put_digits(at + post_text_offset + STAMP_DIGITS + 1, (uint64_t)c->index, SENDER_DIGITS);
  c->out.end += post_bytes;
  sent++;
  flush(c);
}

static void check_server_preface(struct connection *c, const uint8_t *p) {
  if (memcmp(p, "FRPC", 4) != 0) fatal("not a framerpc server: preface starts %02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
  if (p[4] != PROTOCOL_VERSION) fatal("server speaks protocol version %u, not %u", p[4], PROTOCOL_VERSION);
  if (p[6] != ROLE_SERVER) fatal("preface role %u, expected a server's (%u)", p[6], ROLE_SERVER);
  if (p[5] & 0x02) fatal("the server requires obfuscation; this client speaks features 0");
  c->send_credit = get_u32(p + 12);
}

/** A STATUS: the Subscribe's must be OK; a Post's is checked for OK and its response bytes granted back. */
static void on_status(struct connection *c, uint32_t stream, const uint8_t *p, uint32_t length) {
  if (length < 8) {
    errors++;
    note_error("STATUS of %u bytes on call %u", length, stream);
    return;
  }
  if (p[0] != 0) {
    errors++;
    note_error("call %u failed with status %u: %.*s", stream, p[0], (int)get_u16(p + 2), (const char *)p + 4);
    if (stream == SUBSCRIBE_CALL_ID) lose(c, "PushControl.Subscribe failed with status %u", p[0]);
    return;
  }
  if (stream == SUBSCRIBE_CALL_ID) {
    c->subscribed = 1;
    subscribed_count++;
    return;
  }
  if (p[1] & STATUS_HAS_MESSAGE) {
    // code, flags, u16 T + text, u16 D + details, metadata block (u16 entries), then the response bytes.
    uint32_t at = 4 + get_u16(p + 2);
    if (at + 2 <= length) at += 2 + get_u16(p + at);
    if (at + 2 <= length) {
      uint32_t entries = get_u16(p + at);
      at += 2;
      for (uint32_t i = 0; i < entries && at < length; i++) {
        at += 1 + p[at];
        if (at + 2 <= length) at += 2 + get_u16(p + at);
      }
    }
    if (at <= length) c->owed_grant += length - at;
  }
}

static void handle_frame(struct connection *c, const uint8_t *header, const uint8_t *p, uint64_t now) {
  uint32_t length = get_u32(header);
  uint8_t kind = header[4];
  uint32_t stream = get_u32(header + 6);
  switch (kind) {
  case KIND_PUSH: {
    // u8 topic length, topic, ChatMessage: tag 0x1a, length 100, the text (stamp first).
    uint32_t message = 1 + (length > 0 ? p[0] : 0);
    if (message + 2 + STAMP_DIGITS > length || p[message] != TEXT_TAG || p[message + 1] != TEXT_BYTES) {
      malformed++;
      return;
    }
    uint64_t stamp = read_stamp_ns(p + message + 2);
    if (stamp == 0 || stamp > now) {
      malformed++;
      return;
    }
    all_delivered++;
    if (phase == PHASE_MEASURE) {
      delivered++;
      histogram_record(&histogram, now - stamp);
    }
    return;
  }
  case KIND_STATUS:
    on_status(c, stream, p, length);
    break;
  case KIND_MESSAGE:
    c->owed_grant += length;
    break;
  case KIND_WINDOW:
    if (length == 4 && stream == 0) c->send_credit += get_u32(p);
    return;
  case KIND_PING:
    if (length == 8) append_frame(c, KIND_PONG, 0, 0, p, 8);
    return;
  case KIND_GOAWAY:
    lose(c, "GOAWAY code %u: %.*s", length >= 2 ? get_u16(p) : 0, length > 6 ? (int)(length - 6) : 0, (const char *)p + 6);
    return;
  case KIND_PONG:
  case KIND_HEADERS:
    return;
  default:
    errors++;
    note_error("unexpected frame kind 0x%02x", kind);
    return;
  }
  if (c->owed_grant >= GRANT_EVERY_BYTES) {
    uint8_t grant[4];
    put_u32(grant, (uint32_t)c->owed_grant);
    append_frame(c, KIND_WINDOW, 0, 0, grant, 4);
    c->owed_grant = 0;
  }
}

static void handle_input(struct connection *c, uint64_t now) {
  struct buffer *in = &c->in;
  if (!c->handshaken) {
    if (in->end - in->start >= 1 && in->data[in->start] == 0x00) {
      lose(c, "the server refused the connection (a GOAWAY instead of its preface)");
      return;
    }
    if (in->end - in->start < PREFACE_BYTES) return;
    check_server_preface(c, in->data + in->start);
    in->start += PREFACE_BYTES;
    c->handshaken = 1;
  }
  while (!c->closed && in->end - in->start >= HEADER_BYTES) {
    const uint8_t *header = in->data + in->start;
    uint32_t length = get_u32(header);
    if (length > MAX_FRAME_BYTES) {
      lose(c, "frame of %u bytes, above maxFrameBytes", length);
      return;
    }
    if (header[5] & 0x03) {
      lose(c, "frame flags 0x%02x: neither compression nor obfuscation was negotiated", header[5]);
      return;
    }
    if (in->end - in->start < HEADER_BYTES + (size_t)length) return;
    in->start += HEADER_BYTES + length;
    handle_frame(c, header, header + HEADER_BYTES, now);
  }
}

static void on_readable(struct connection *c, uint64_t now) {
  for (;;) {
    struct buffer *in = &c->in;
    // Room for a whole frame when its header is in; else at least MIN_READ_SPACE.
    size_t need = MIN_READ_SPACE;
    if (in->end - in->start >= HEADER_BYTES) {
      size_t frame = HEADER_BYTES + get_u32(in->data + in->start);
      if (frame <= MAX_FRAME_BYTES + HEADER_BYTES && frame > in->end - in->start + need) need = frame - (in->end - in->start);
    }
    uint8_t *at = buffer_reserve(in, need);
    size_t space = in->cap - in->end;
    ssize_t got = read(c->fd, at, space);
    if (got > 0) {
      in->end += (size_t)got;
      handle_input(c, now);
      if (c->closed || (size_t)got < space) return;
    } else if (got == 0) {
      lose(c, "the server closed the connection");
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      lose(c, "read: %s", strerror(errno));
      return;
    }
  }
}

/** Starts connecting client `i`: preface and Subscribe are queued at once (the server accepts frames right after a preface). */
static void open_connection(struct connection *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) fatal("socket: %s (raise ulimit -n?)", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS) {
    fatal("connect to 127.0.0.1:%d: %s", opt.port, strerror(errno));
  }
  struct epoll_event event = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data = {.ptr = c}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) != 0) fatal("epoll_ctl: %s", strerror(errno));
  c->epollout = 1;
  c->next_call_id = SUBSCRIBE_CALL_ID + 1;
  uint8_t *at = buffer_reserve(&c->out, PREFACE_BYTES);
  memset(at, 0, PREFACE_BYTES);
  memcpy(at, "FRPC", 4);
  at[4] = PROTOCOL_VERSION;
  at[5] = 0; // features: no compression, no XOR
  at[6] = ROLE_CLIENT;
  put_u32(at + 12, CLIENT_WINDOW);
  put_u32(at + 16, CLIENT_WINDOW);
  c->out.end += PREFACE_BYTES;
  // Topics{repeated string topics = 1}: tag 0x0a, length, the topic path.
  uint8_t topics[2 + sizeof TOPIC - 1];
  topics[0] = 0x0a;
  topics[1] = (uint8_t)(sizeof TOPIC - 1);
  memcpy(topics + 2, TOPIC, sizeof TOPIC - 1);
  at = buffer_reserve(&c->out, HEADER_BYTES + 64 + sizeof topics);
  c->out.end += build_call(at, SUBSCRIBE_CALL_ID, SUBSCRIBE_METHOD, topics, sizeof topics);
  opened++;
}

static void on_connected(struct connection *c) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error) {
    lose(c, "connect: %s", strerror(error));
    return;
  }
  c->connected = 1;
}

static double number_arg(const char *name, const char *value, double min, double max) {
  char *end;
  double number = strtod(value, &end);
  if (*value == '\0' || *end != '\0' || !(number >= min && number <= max)) {
    fprintf(stderr, "broadcast-client: --%s must be a number in [%g, %g], got \"%s\"\n", name, min, max, value);
    exit(2);
  }
  return number;
}

static void parse_args(int argc, char **argv) {
  opt = (struct options){.port = 0, .clients = 100, .warmup = 3, .seconds = 20, .connect_timeout = 90, .batch = 200};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    if (strncmp(arg, "--", 2) != 0 || !eq) {
      fprintf(stderr, "broadcast-client: arguments are --name=value, got \"%s\"\n", arg);
      exit(2);
    }
    size_t name_bytes = (size_t)(eq - arg - 2);
    const char *name = arg + 2, *value = eq + 1;
#define IS(n) (name_bytes == strlen(n) && strncmp(name, n, name_bytes) == 0)
    if (IS("port")) opt.port = (int)number_arg("port", value, 1, 65535);
    else if (IS("clients")) opt.clients = (int)number_arg("clients", value, 1, MAX_CLIENTS);
    else if (IS("warmup")) opt.warmup = number_arg("warmup", value, 0, 600);
    else if (IS("seconds")) opt.seconds = number_arg("seconds", value, 0.1, 600);
    else if (IS("connect-timeout")) opt.connect_timeout = number_arg("connect-timeout", value, 1, 600);
    else if (IS("batch")) opt.batch = (int)number_arg("batch", value, 1, MAX_CLIENTS);
    else {
      fprintf(stderr, "broadcast-client: unknown argument --%.*s\n", (int)name_bytes, name);
      exit(2);
    }
#undef IS
  }
  if (opt.port == 0) {
    fprintf(stderr, "usage: broadcast-client --port=P [--clients=M] [--warmup=S] [--seconds=S] [--connect-timeout=S] [--batch=N]\n");
    exit(2);
  }
}

static void print_result(double measured_ms, double cpu_micros) {
  printf("{\"event\":\"result\",\"clients\":%d,\"measuredMs\":%.1f,\"sent\":%llu,\"sendsSkipped\":%llu,\"delivered\":%llu,", opt.clients, measured_ms,
         (unsigned long long)sent, (unsigned long long)skipped, (unsigned long long)delivered);
  if (histogram.total > 0) {
    printf("\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,", histogram_percentile_us(&histogram, 0.5) / 1000, histogram_percentile_us(&histogram, 0.99) / 1000,
           (double)histogram.max_ns / 1e6);
  } else {
    printf("\"p50Ms\":null,\"p99Ms\":null,\"maxMs\":null,");
  }
  printf("\"cpuMicros\":%.0f,\"closed\":%d,\"malformed\":%llu,\"errors\":%llu,\"firstError\":", cpu_micros, closed_count, (unsigned long long)malformed,
         (unsigned long long)errors);
  if (first_error[0]) json_string(first_error);
  else printf("null");
  printf(",\"fatal\":null}\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  build_post_template();
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) fatal("epoll_create1: %s", strerror(errno));
  connections = calloc((size_t)opt.clients, sizeof *connections);
  for (int i = 0; i < opt.clients; i++) connections[i].index = i;

  uint64_t started = now_ns();
  uint64_t connect_deadline = started + (uint64_t)(opt.connect_timeout * 1e9);
  uint64_t schedule_start = 0, measure_start = 0, measure_end = 0;
  uint64_t due = 0; // posts due so far on the schedule: post k is client k % M's, at k/M seconds
  double cpu_before = 0;
  struct epoll_event events[512];
  for (;;) {
    uint64_t now = now_ns();
    if (phase == PHASE_CONNECTING) {
      // At most `batch` connections in their handshake at once, so the server's listen backlog stays small.
      while (opened < opt.clients && opened - subscribed_count - failed < opt.batch) open_connection(&connections[opened]);
      if (subscribed_count + failed == opt.clients || now > connect_deadline) {
        printf("{\"event\":\"connected\",\"connected\":%d,\"failed\":%d,\"seconds\":%.3f,\"firstError\":", subscribed_count, opt.clients - subscribed_count,
               (double)(now - started) / 1e9);
        if (first_error[0]) json_string(first_error);
        else printf("null");
        printf("}\n");
        fflush(stdout);
        if (subscribed_count == 0) fatal("no client subscribed: %s", first_error[0] ? first_error : "unknown");
        phase = PHASE_WARMUP;
        schedule_start = now;
        measure_start = now + (uint64_t)(opt.warmup * 1e9);
        measure_end = measure_start + (uint64_t)(opt.seconds * 1e9);
      }
    }
    if (phase != PHASE_CONNECTING) {
      if (phase == PHASE_WARMUP && now >= measure_start) {
        phase = PHASE_MEASURE;
        delivered = malformed = errors = sent = skipped = 0;
        closed_count = 0;
        histogram_reset(&histogram);
        cpu_before = cpu_us();
        measure_start = now;
        printf("{\"event\":\"measuring\"}\n");
        fflush(stdout);
      }
      if (phase == PHASE_MEASURE && now >= measure_end) {
        print_result((double)(now - measure_start) / 1e6, cpu_us() - cpu_before);
        return 0;
      }
      // The posts that fell due since the last pass, in client order; more than a second behind: skip.
      uint64_t target = (now - schedule_start) * (uint64_t)opt.clients / NS_PER_SECOND;
      if (target - due > (uint64_t)opt.clients) {
        skipped += target - due - (uint64_t)opt.clients;
        due = target - (uint64_t)opt.clients;
      }
      for (; due < target; due++) post(&connections[due % (uint64_t)opt.clients], now);
    }
    int ready = epoll_wait(epoll_fd, events, 512, 1);
    if (ready < 0 && errno != EINTR) fatal("epoll_wait: %s", strerror(errno));
    now = now_ns();
    for (int i = 0; i < ready; i++) {
      struct connection *c = events[i].data.ptr;
      if (c->closed) continue;
      if (!c->connected && (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) on_connected(c);
      if (!c->closed && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) on_readable(c, now);
      flush(c);
    }
  }
}
