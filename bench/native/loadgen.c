// Native load generator of the bench's `native` section: framerpc protocol v2 (docs/protocol.md) over 127.0.0.1.
//
// N connections x D requests in flight, payload S, one epoll loop, non-blocking sockets. Modes:
//   transport  20-byte preface exchange, then DATA frames echoed by a framerpc FrameServer
//   unary      preface exchange, then unary CALL frames (request inline, HAS_MESSAGE + END_STREAM),
//              answered by STATUS frames; keeps to flow control in both directions (section 9)
//   raw        the same 10-byte framing as DATA frames, no preface (a raw node:net echo server)
// A reply sends the next request on its connection; everything a read produced goes out in one write.
// Warm-up, then a bounded measurement; prints one JSON line and exits (exit 1 with "fatal" on failure).
//
// Build: cc -O2 -o loadgen loadgen.c     Run: loadgen --mode=unary --port=P --connections=1 --depth=256
//        --payload=64 --seconds=2 [--warmup=0.5] [--method=/echo.v1.EchoService/Echo] [--metadata=key:value]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

// Wire constants, docs/protocol.md sections 2, 4, 5, 9 and 13.
#define PREFACE_BYTES 20
#define HEADER_BYTES 10
#define PROTOCOL_VERSION 2
#define ROLE_CLIENT 1
#define ROLE_SERVER 2
#define KIND_PING 0x01
#define KIND_PONG 0x02
#define KIND_GOAWAY 0x03
#define KIND_DATA 0x04
#define KIND_CALL 0x10
#define KIND_MESSAGE 0x11
#define KIND_HEADERS 0x12
#define KIND_STATUS 0x13
#define KIND_WINDOW 0x15
#define FLAG_END_STREAM 0x04
#define CALL_HAS_MESSAGE 0x01
#define STATUS_HAS_MESSAGE 0x01
#define MAX_FRAME_BYTES (4u << 20)
// Our preface announces the largest windows; the server spends them on response bytes.
#define CLIENT_WINDOW 0x7fffffffu
// Section 9: a receiver must grant as soon as min(64 KiB, window / 4) released bytes are owed.
#define GRANT_EVERY_BYTES (64u * 1024)
// A CALL carries its request inline only up to 64 KiB (section 13.3); keep well inside it.
#define MAX_UNARY_PAYLOAD 60000

#define MAX_CONNECTIONS 1000
#define MAX_DEPTH 1024
#define READ_CHUNK (256u * 1024)
#define HANDSHAKE_TIMEOUT_NS (5ull * 1000000000ull)
#define STALL_TIMEOUT_NS (5ull * 1000000000ull)

// Latency histogram: each power of two of nanoseconds split into 32 linear sub-buckets (~3% resolution).
#define SUB_BITS 5
#define SUB_BUCKETS (1 << SUB_BITS)
#define MAX_EXPONENT 40
#define BUCKETS ((MAX_EXPONENT + 1) * SUB_BUCKETS)

enum mode { MODE_TRANSPORT, MODE_UNARY, MODE_RAW };
enum phase { PHASE_CONNECTING, PHASE_WARMUP, PHASE_MEASURE, PHASE_DONE };

struct options {
  enum mode mode;
  int port;
  int connections;
  int depth;
  int payload;
  double seconds;
  double warmup;
  const char *method;
  const char *metadata; // "key:value" or NULL
};

struct histogram {
  uint64_t counts[BUCKETS];
  uint64_t total;
  uint64_t max_ns;
};

/** A byte buffer read from [start, end) and appended to at end. */
struct buffer {
  uint8_t *data;
  size_t start, end, cap;
};

/** One request in flight: its id (DATA stream id or call id) and when it was sent. */
struct slot {
  uint32_t id;
  uint8_t used;
  uint8_t got_message; // unary: the response came in MESSAGE frames before its STATUS
  uint64_t sent_ns;
};

struct connection {
  int fd;
  int connected;  // TCP connect finished
  int handshaken; // server preface read (raw: at once)
  int eof;
  struct buffer in, out;
  struct slot *ring; // indexed by id & ring_mask; ids are chosen so that their slot is free
  uint32_t ring_mask;
  uint32_t in_flight;
  uint64_t next_id; // the lowest id not used yet (64 bits, so running out of u32 call ids is seen)
  int64_t send_credit;    // unary: the server's connection credit left for our request bytes
  uint64_t owed_grant;    // unary: response bytes received and not yet granted back
  uint32_t waiting_calls; // unary: calls not sent for lack of connection credit
  int epollout;           // EPOLLOUT currently requested
};

static struct options opt;
static struct histogram histogram;
static enum phase phase = PHASE_CONNECTING;
static uint64_t measured_frames, all_frames, errors;
static char first_error[256];
static uint64_t measure_start_ns, measure_end_ns, warmup_end_ns;
static uint64_t last_progress_ns;
static int epoll_fd;
static uint8_t *request_template; // one whole request frame, stream id patched per send
static size_t request_bytes;
static uint32_t request_message_bytes; // unary: flow-controlled bytes of one request

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *mode_name(enum mode mode) {
  return mode == MODE_TRANSPORT ? "transport" : mode == MODE_UNARY ? "unary" : "raw";
}

/** Writes `text` as a JSON string body (quotes and control characters escaped). */
static void json_string(const char *text) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static void histogram_record(uint64_t ns) {
  uint64_t value = ns > 0 ? ns : 1;
  int exponent = 63 - __builtin_clzll(value);
  int bucket;
  if (exponent > MAX_EXPONENT) exponent = MAX_EXPONENT;
  if (exponent < SUB_BITS) {
    bucket = exponent * SUB_BUCKETS + (int)(value - (1ull << exponent));
  } else {
    uint64_t sub = (value >> (exponent - SUB_BITS)) - SUB_BUCKETS;
    if (sub > SUB_BUCKETS - 1) sub = SUB_BUCKETS - 1;
    bucket = exponent * SUB_BUCKETS + (int)sub;
  }
  histogram.counts[bucket]++;
  histogram.total++;
  if (value > histogram.max_ns) histogram.max_ns = value;
}

/** The value (µs) below which `quantile` of the samples fall: the bucket's midpoint, capped at the max. */
static double histogram_percentile_us(double quantile) {
  if (histogram.total == 0) return -1;
  uint64_t rank = (uint64_t)(quantile * (double)histogram.total);
  if ((double)rank < quantile * (double)histogram.total) rank++;
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < BUCKETS; i++) {
    seen += histogram.counts[i];
    if (seen >= rank) {
      int exponent = i / SUB_BUCKETS, sub = i % SUB_BUCKETS;
      double mid = exponent < SUB_BITS ? (double)((1u << exponent) + sub) : (double)(1ull << exponent) * (1.0 + (sub + 0.5) / SUB_BUCKETS);
      if (mid > (double)histogram.max_ns) mid = (double)histogram.max_ns;
      return mid / 1000.0;
    }
  }
  return (double)histogram.max_ns / 1000.0;
}

static void print_result(const char *fatal) {
  // A run that failed before its measurement started measured nothing: 0 s.
  double seconds = measure_start_ns > 0 && measure_end_ns > measure_start_ns ? (double)(measure_end_ns - measure_start_ns) / 1e9 : 0;
  printf("{\"mode\":\"%s\",\"connections\":%d,\"depth\":%d,\"payloadBytes\":%d,\"seconds\":%.4f,\"frames\":%llu,\"framesPerSecond\":%.1f,",
         mode_name(opt.mode), opt.connections, opt.depth, opt.payload, seconds, (unsigned long long)measured_frames,
         seconds > 0 ? (double)measured_frames / seconds : 0.0);
  if (histogram.total > 0) {
    printf("\"p50Us\":%.2f,\"p90Us\":%.2f,\"p99Us\":%.2f,\"maxUs\":%.2f,", histogram_percentile_us(0.5), histogram_percentile_us(0.9),
           histogram_percentile_us(0.99), (double)histogram.max_ns / 1000.0);
  } else {
    printf("\"p50Us\":null,\"p90Us\":null,\"p99Us\":null,\"maxUs\":null,");
  }
  // The generator's own CPU time (user + system) over the whole run, to show whether the client is the limit.
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu_us = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  printf("\"allFrames\":%llu,\"cpuUs\":%.0f,\"errors\":%llu,\"firstError\":", (unsigned long long)all_frames, cpu_us, (unsigned long long)errors);
  if (first_error[0]) json_string(first_error);
  else printf("null");
  printf(",\"fatal\":");
  if (fatal) json_string(fatal);
  else printf("null");
  printf("}\n");
  fflush(stdout);
}

static void fail(const char *format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (measure_end_ns == 0) measure_end_ns = now_ns();
  print_result(message);
  exit(1);
}

/** A reply that was wrong but did not break the connection: counted, the first one described. */
static void count_error(const char *format, ...) {
  errors++;
  if (first_error[0]) return;
  va_list args;
  va_start(args, format);
  vsnprintf(first_error, sizeof first_error, format, args);
  va_end(args);
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
    size_t cap = buffer->cap ? buffer->cap : READ_CHUNK;
    while (cap - buffer->end < bytes) cap *= 2;
    uint8_t *data = realloc(buffer->data, cap);
    if (!data) fail("out of memory (buffer of %zu bytes)", cap);
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

/** Builds the one request frame every send copies: a DATA frame of S bytes, or a unary CALL. */
static void build_request_template(void) {
  uint8_t *payload;
  size_t length;
  if (opt.mode != MODE_UNARY) {
    length = (size_t)opt.payload;
    payload = malloc(length ? length : 1);
    memset(payload, 'a', length);
  } else {
    // EchoRequest { string text = 1 }: tag 0x0a, varint length, the text.
    uint8_t varint[5];
    size_t varint_bytes = 0;
    for (uint32_t v = (uint32_t)opt.payload;; v >>= 7) {
      varint[varint_bytes++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      if (v <= 0x7f) break;
    }
    request_message_bytes = (uint32_t)(1 + varint_bytes + (size_t)opt.payload);
    size_t method_bytes = strlen(opt.method);
    const char *colon = opt.metadata ? strchr(opt.metadata, ':') : NULL;
    size_t key_bytes = colon ? (size_t)(colon - opt.metadata) : 0;
    size_t value_bytes = colon ? strlen(colon + 1) : 0;
    size_t metadata_bytes = 2 + (colon ? 1 + key_bytes + 2 + value_bytes : 0);
    length = 4 + 1 + 1 + method_bytes + metadata_bytes + request_message_bytes;
    payload = malloc(length);
    uint8_t *at = payload;
    put_u32(at, 0); // timeout 0: no deadline
    at[4] = CALL_HAS_MESSAGE;
    at[5] = (uint8_t)method_bytes;
    memcpy(at + 6, opt.method, method_bytes);
    at += 6 + method_bytes;
    put_u16(at, colon ? 1 : 0);
    at += 2;
    if (colon) {
      *at++ = (uint8_t)key_bytes;
      memcpy(at, opt.metadata, key_bytes);
      at += key_bytes;
      put_u16(at, (uint32_t)value_bytes);
      memcpy(at + 2, colon + 1, value_bytes);
      at += 2 + value_bytes;
    }
    *at++ = 0x0a;
    memcpy(at, varint, varint_bytes);
    memset(at + varint_bytes, 'a', (size_t)opt.payload);
  }
  request_bytes = HEADER_BYTES + length;
  request_template = malloc(request_bytes);
  put_u32(request_template, (uint32_t)length);
  request_template[4] = opt.mode == MODE_UNARY ? KIND_CALL : KIND_DATA;
  request_template[5] = opt.mode == MODE_UNARY ? FLAG_END_STREAM : 0;
  put_u32(request_template + 6, 0);
  memcpy(request_template + HEADER_BYTES, payload, length);
  free(payload);
}

/** Queues one request on `c` under the next id whose ring slot is free (ids only ever increase). */
static void send_request(struct connection *c, uint64_t now) {
  if (opt.mode == MODE_UNARY) {
    if (c->send_credit < (int64_t)request_message_bytes) {
      c->waiting_calls++;
      return;
    }
    c->send_credit -= request_message_bytes;
  }
  uint64_t next = c->next_id;
  while (c->ring[next & c->ring_mask].used) next++;
  // Call ids are u32 and never reused (section 13.3); echo stream ids carry no meaning and may wrap.
  if (opt.mode == MODE_UNARY && next > 0xffffffffull) fail("call ids exhausted on one connection (2^32-1 calls)");
  c->next_id = next + 1;
  uint32_t id = (uint32_t)next;
  struct slot *slot = &c->ring[next & c->ring_mask];
  slot->id = id;
  slot->used = 1;
  slot->got_message = 0;
  slot->sent_ns = now;
  c->in_flight++;
  uint8_t *at = buffer_reserve(&c->out, request_bytes);
  memcpy(at, request_template, request_bytes);
  put_u32(at + 6, id);
  c->out.end += request_bytes;
}

/** Ends the request `id` on `c`; records its latency; sends the next one while the run lasts. */
static struct slot *find_slot(struct connection *c, uint32_t id) {
  struct slot *slot = &c->ring[id & c->ring_mask];
  return slot->used && slot->id == id ? slot : NULL;
}

static void complete(struct connection *c, struct slot *slot, uint64_t now) {
  slot->used = 0;
  c->in_flight--;
  all_frames++;
  last_progress_ns = now;
  if (phase == PHASE_MEASURE) {
    measured_frames++;
    histogram_record(now - slot->sent_ns);
  }
  if (phase != PHASE_DONE) send_request(c, now);
}

static void start_load(struct connection *c, uint64_t now) {
  for (int i = 0; i < opt.depth; i++) send_request(c, now);
}

/** Checks the server's 20-byte preface (section 3, step 4). */
static void check_server_preface(struct connection *c, const uint8_t *p) {
  if (memcmp(p, "FRPC", 4) != 0) {
    if (p[0] == 0x00) fail("the server refused the connection (a GOAWAY instead of its preface)");
    fail("not a framerpc server: preface starts %02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
  }
  if (p[4] != PROTOCOL_VERSION) fail("server speaks protocol version %u, not %u", p[4], PROTOCOL_VERSION);
  if (p[6] != ROLE_SERVER) fail("expected a server's preface (role 2), got role %u", p[6]);
  if (p[7] != 0) fail("server preface: reserved byte is %u, not 0", p[7]);
  if (p[5] & 0x02) fail("server obfuscates (XOR key); this load generator does not");
  uint32_t connection_window = get_u32(p + 12), stream_window = get_u32(p + 16);
  if (connection_window < 1 || stream_window < 1) fail("server preface: windows must be at least 1");
  c->send_credit = connection_window;
}

static void unary_reply(struct connection *c, uint8_t kind, uint8_t flags, uint32_t stream, const uint8_t *p, uint32_t length, uint64_t now) {
  if (kind == KIND_WINDOW) {
    if (length != 4) fail("WINDOW frame of %u bytes, expected 4", length);
    if (stream != 0) return; // per-call credit: a unary request is one message, sent before any grant
    c->send_credit += get_u32(p);
    while (c->waiting_calls > 0 && c->send_credit >= (int64_t)request_message_bytes && phase != PHASE_DONE) {
      c->waiting_calls--;
      send_request(c, now);
    }
    return;
  }
  if (kind == KIND_HEADERS) return;
  struct slot *slot = find_slot(c, stream);
  if (kind == KIND_MESSAGE) {
    c->owed_grant += length; // a response that did not ride in its STATUS (never at these sizes)
    if (slot) slot->got_message = 1;
    return;
  }
  if (kind != KIND_STATUS) fail("unexpected frame kind 0x%02x from the server", kind);
  if (!slot) {
    count_error("STATUS for call %u, which is not in flight", stream);
    return;
  }
  if (!(flags & FLAG_END_STREAM)) count_error("STATUS without END_STREAM on call %u", stream);
  // code, flags, u16 T + message text, u16 D + details, metadata block, then the response if HAS_MESSAGE.
  uint32_t at = 4;
  int ok = length >= 4;
  if (ok) at = 4 + get_u16(p + 2);
  ok = ok && at + 2 <= length;
  if (ok) at += 2 + get_u16(p + at);
  ok = ok && at + 2 <= length;
  if (ok) {
    uint32_t entries = get_u16(p + at);
    at += 2;
    for (uint32_t i = 0; ok && i < entries; i++) {
      ok = at + 1 <= length;
      if (ok) at += 1 + p[at];
      ok = ok && at + 2 <= length;
      if (ok) at += 2 + get_u16(p + at);
      ok = ok && at <= length;
    }
  }
  if (!ok) {
    count_error("malformed STATUS payload on call %u", stream);
  } else if (p[0] != 0) {
    count_error("call %u failed with status %u: %.*s", stream, p[0], (int)get_u16(p + 2), (const char *)p + 4);
  } else if (p[1] & STATUS_HAS_MESSAGE) {
    // EchoReply { string text = 1; uint32 served_by = 2 }: the text must be the S bytes sent.
    uint32_t message_bytes = length - at;
    c->owed_grant += message_bytes;
    uint32_t text = 0, shift = 0, i = at + 1;
    while (i < length && shift < 35) {
      text |= (uint32_t)(p[i] & 0x7f) << shift;
      shift += 7;
      if (!(p[i++] & 0x80)) break;
    }
    if (opt.payload > 0 && (message_bytes == 0 || p[at] != 0x0a || text != (uint32_t)opt.payload)) {
      count_error("reply to call %u does not carry the %d-byte text", stream, opt.payload);
    }
  } else if (!slot->got_message && opt.payload > 0) {
    count_error("OK STATUS without a response on call %u", stream);
  }
  if (c->owed_grant >= GRANT_EVERY_BYTES) {
    uint8_t grant[4];
    put_u32(grant, (uint32_t)c->owed_grant);
    append_frame(c, KIND_WINDOW, 0, 0, grant, 4);
    c->owed_grant = 0;
  }
  complete(c, slot, now);
}

static void handle_frame(struct connection *c, const uint8_t *header, const uint8_t *p, uint64_t now) {
  uint32_t length = get_u32(header);
  uint8_t kind = header[4], flags = header[5];
  uint32_t stream = get_u32(header + 6);
  if (opt.mode != MODE_RAW) {
    if (kind == KIND_PING) {
      if (length != 8) fail("PING of %u bytes", length);
      append_frame(c, KIND_PONG, 0, 0, p, 8);
      return;
    }
    if (kind == KIND_PONG) return;
    if (kind == KIND_GOAWAY) {
      uint32_t code = length >= 2 ? get_u16(p) : 0;
      int reason = length > 6 ? (int)(length - 6) : 0;
      fail("the server sent GOAWAY code %u: %.*s", code, reason, (const char *)p + 6);
    }
  }
  if (opt.mode == MODE_UNARY) {
    unary_reply(c, kind, flags, stream, p, length, now);
    return;
  }
  if (kind != KIND_DATA) fail("unexpected frame kind 0x%02x from the echo server", kind);
  struct slot *slot = find_slot(c, stream);
  if (!slot) {
    count_error("echo on stream %u, which is not in flight", stream);
    return;
  }
  if (length != (uint32_t)opt.payload) count_error("echo of %u bytes, expected %d", length, opt.payload);
  complete(c, slot, now);
}

/** Parses every complete frame in `c->in` (and the server's preface first, before any frame). */
static void handle_input(struct connection *c, uint64_t now) {
  struct buffer *in = &c->in;
  if (!c->handshaken) {
    if (in->end - in->start >= 1 && in->data[in->start] == 0x00) {
      // A refusal: one GOAWAY frame instead of a preface (section 3).
      if (in->end - in->start < HEADER_BYTES) return;
      uint32_t length = get_u32(in->data + in->start);
      if (length > 518 || in->end - in->start < HEADER_BYTES + length) return;
      const uint8_t *p = in->data + in->start + HEADER_BYTES;
      fail("the server refused the connection: GOAWAY code %u: %.*s", length >= 2 ? get_u16(p) : 0, length > 6 ? (int)length - 6 : 0, (const char *)p + 6);
    }
    if (in->end - in->start < PREFACE_BYTES) return;
    check_server_preface(c, in->data + in->start);
    in->start += PREFACE_BYTES;
    c->handshaken = 1;
    if (phase == PHASE_WARMUP || phase == PHASE_MEASURE) start_load(c, now);
  }
  while (in->end - in->start >= HEADER_BYTES) {
    const uint8_t *header = in->data + in->start;
    uint32_t length = get_u32(header);
    if (length > MAX_FRAME_BYTES) fail("frame of %u bytes, above maxFrameBytes", length);
    if (header[5] & 0x03) fail("frame with COMPRESSED/OBFUSCATED flags 0x%02x, neither was negotiated", header[5]);
    if (in->end - in->start < HEADER_BYTES + (size_t)length) {
      buffer_reserve(in, HEADER_BYTES + length - (in->end - in->start));
      return;
    }
    in->start += HEADER_BYTES + length;
    handle_frame(c, header, header + HEADER_BYTES, now);
    if (in->start > in->end) fail("internal: input buffer overrun");
  }
}

static void watch(struct connection *c, int want_out) {
  if (c->epollout == want_out) return;
  struct epoll_event event = {.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0), .data = {.ptr = c}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event) != 0) fail("epoll_ctl: %s", strerror(errno));
  c->epollout = want_out;
}

/** Writes what is queued until the socket would block; asks for EPOLLOUT while bytes remain. */
static void flush(struct connection *c) {
  if (!c->connected) return;
  struct buffer *out = &c->out;
  while (out->end > out->start) {
    ssize_t written = write(c->fd, out->data + out->start, out->end - out->start);
    if (written > 0) {
      out->start += (size_t)written;
    } else if (written < 0 && errno == EINTR) {
      continue;
    } else if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      fail("write to 127.0.0.1:%d: %s", opt.port, written < 0 ? strerror(errno) : "wrote nothing");
    }
  }
  if (out->start == out->end) out->start = out->end = 0;
  watch(c, out->end > out->start);
}

static void on_readable(struct connection *c, uint64_t now) {
  for (int reads = 0; reads < 4; reads++) {
    uint8_t *at = buffer_reserve(&c->in, READ_CHUNK / 4);
    ssize_t got = read(c->fd, at, c->in.cap - c->in.end);
    if (got > 0) {
      c->in.end += (size_t)got;
      handle_input(c, now);
      if ((size_t)got < READ_CHUNK / 4) break;
    } else if (got == 0) {
      c->eof = 1;
      break;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;
    } else {
      fail("read from 127.0.0.1:%d: %s", opt.port, strerror(errno));
    }
  }
  if (c->eof && phase != PHASE_DONE) fail("the server closed the connection");
}

static struct connection *open_connection(void) {
  struct connection *c = calloc(1, sizeof *c);
  uint32_t ring = 1;
  while (ring < 2u * (uint32_t)opt.depth) ring <<= 1;
  c->ring = calloc(ring, sizeof *c->ring);
  c->ring_mask = ring - 1;
  c->next_id = 1;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) fail("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS) {
    fail("connect to 127.0.0.1:%d: %s", opt.port, strerror(errno));
  }
  struct epoll_event event = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data = {.ptr = c}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) != 0) fail("epoll_ctl: %s", strerror(errno));
  c->epollout = 1;
  if (opt.mode == MODE_RAW) {
    c->handshaken = 1;
  } else {
    uint8_t preface[PREFACE_BYTES] = {'F', 'R', 'P', 'C', PROTOCOL_VERSION, 0 /* no compression, no XOR */, ROLE_CLIENT, 0};
    put_u32(preface + 8, 0);
    put_u32(preface + 12, CLIENT_WINDOW);
    put_u32(preface + 16, CLIENT_WINDOW);
    memcpy(buffer_reserve(&c->out, PREFACE_BYTES), preface, PREFACE_BYTES);
    c->out.end += PREFACE_BYTES;
  }
  return c;
}

static void on_connected(struct connection *c) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error) fail("connect to 127.0.0.1:%d: %s", opt.port, strerror(error));
  c->connected = 1;
}

static double number_arg(const char *name, const char *value, double min, double max) {
  char *end;
  double number = strtod(value, &end);
  if (*value == '\0' || *end != '\0' || !(number >= min && number <= max)) {
    fprintf(stderr, "loadgen: --%s must be a number in [%g, %g], got \"%s\"\n", name, min, max, value);
    exit(2);
  }
  return number;
}

static void parse_args(int argc, char **argv) {
  opt = (struct options){.mode = MODE_RAW, .port = 0, .connections = 1, .depth = 1, .payload = 64, .seconds = 2, .warmup = 0, .method = "/echo.v1.EchoService/Echo"};
  int have_mode = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    if (strncmp(arg, "--", 2) != 0 || !eq) {
      fprintf(stderr, "loadgen: arguments are --name=value, got \"%s\"\n", arg);
      exit(2);
    }
    size_t name_bytes = (size_t)(eq - arg - 2);
    const char *name = arg + 2, *value = eq + 1;
#define IS(n) (name_bytes == strlen(n) && strncmp(name, n, name_bytes) == 0)
    if (IS("mode")) {
      have_mode = 1;
      if (strcmp(value, "transport") == 0) opt.mode = MODE_TRANSPORT;
      else if (strcmp(value, "unary") == 0) opt.mode = MODE_UNARY;
      else if (strcmp(value, "raw") == 0) opt.mode = MODE_RAW;
      else {
        fprintf(stderr, "loadgen: --mode must be transport, unary or raw, got \"%s\"\n", value);
        exit(2);
      }
    } else if (IS("port")) opt.port = (int)number_arg("port", value, 1, 65535);
    else if (IS("connections")) opt.connections = (int)number_arg("connections", value, 1, MAX_CONNECTIONS);
    else if (IS("depth")) opt.depth = (int)number_arg("depth", value, 1, MAX_DEPTH);
    else if (IS("payload")) opt.payload = (int)number_arg("payload", value, 0, 1 << 20);
    else if (IS("seconds")) opt.seconds = number_arg("seconds", value, 0.01, 600);
    else if (IS("warmup")) opt.warmup = number_arg("warmup", value, 0, 600);
    else if (IS("method")) opt.method = value;
    else if (IS("metadata")) opt.metadata = value;
    else {
      fprintf(stderr, "loadgen: unknown argument --%.*s\n", (int)name_bytes, name);
      exit(2);
    }
#undef IS
  }
  if (!have_mode || opt.port == 0) {
    fprintf(stderr, "usage: loadgen --mode=transport|unary|raw --port=P [--connections=N] [--depth=D] [--payload=S] [--seconds=T] [--warmup=W] [--method=PATH] [--metadata=key:value]\n");
    exit(2);
  }
  if (opt.mode == MODE_UNARY && opt.payload > MAX_UNARY_PAYLOAD) {
    fprintf(stderr, "loadgen: unary --payload must be at most %d (the request rides inline in its CALL frame)\n", MAX_UNARY_PAYLOAD);
    exit(2);
  }
  size_t method_bytes = strlen(opt.method);
  if (opt.mode == MODE_UNARY && (method_bytes < 1 || method_bytes > 255)) {
    fprintf(stderr, "loadgen: --method must be 1-255 bytes\n");
    exit(2);
  }
  if (opt.metadata) {
    const char *colon = strchr(opt.metadata, ':');
    if (!colon || colon == opt.metadata || colon - opt.metadata > 255 || strlen(colon + 1) > 0xffff) {
      fprintf(stderr, "loadgen: --metadata must be key:value (key 1-255 bytes)\n");
      exit(2);
    }
  }
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  build_request_template();
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) fail("epoll_create1: %s", strerror(errno));
  struct connection **connections = calloc((size_t)opt.connections, sizeof *connections);
  for (int i = 0; i < opt.connections; i++) connections[i] = open_connection();

  uint64_t started = now_ns();
  last_progress_ns = started;
  struct epoll_event events[256];
  for (;;) {
    uint64_t now = now_ns();
    // Phases: connecting until every connection is handshaken, then warm-up, measurement, done.
    if (phase == PHASE_CONNECTING) {
      int ready = 0;
      for (int i = 0; i < opt.connections; i++) ready += connections[i]->handshaken && connections[i]->connected;
      if (ready == opt.connections) {
        phase = PHASE_WARMUP;
        warmup_end_ns = now + (uint64_t)(opt.warmup * 1e9);
        last_progress_ns = now;
        for (int i = 0; i < opt.connections; i++) {
          start_load(connections[i], now);
          flush(connections[i]);
        }
      } else if (now - started > HANDSHAKE_TIMEOUT_NS) {
        fail("%d of %d connections not ready (connected and handshaken) within 5 s", opt.connections - ready, opt.connections);
      }
    }
    if (phase == PHASE_WARMUP && now >= warmup_end_ns) {
      phase = PHASE_MEASURE;
      measure_start_ns = now;
      measure_end_ns = now + (uint64_t)(opt.seconds * 1e9);
    }
    if (phase == PHASE_MEASURE && now >= measure_end_ns) {
      phase = PHASE_DONE;
      measure_end_ns = now;
      break;
    }
    if (phase != PHASE_CONNECTING && now - last_progress_ns > STALL_TIMEOUT_NS) fail("no reply for 5 s");

    int timeout_ms = 10;
    if (phase == PHASE_MEASURE) {
      uint64_t left = (measure_end_ns - now) / 1000000ull;
      timeout_ms = left < 10 ? (int)left : 10;
    }
    int ready = epoll_wait(epoll_fd, events, 256, timeout_ms);
    if (ready < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
    now = now_ns();
    for (int i = 0; i < ready; i++) {
      struct connection *c = events[i].data.ptr;
      if (!c->connected && (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) on_connected(c);
      if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c, now);
      flush(c);
    }
  }

  // Polite close: GOAWAY NORMAL, best effort (replies still in flight are dropped with the socket).
  for (int i = 0; i < opt.connections; i++) {
    struct connection *c = connections[i];
    // Only between whole frames: a GOAWAY after a partly written frame would be read as its payload.
    if (opt.mode != MODE_RAW && c->handshaken && c->out.start == c->out.end) {
      uint8_t goaway[6 + 13];
      put_u16(goaway, 0);
      put_u32(goaway + 2, 0);
      memcpy(goaway + 6, "loadgen done", 13);
      c->out.start = c->out.end = 0;
      append_frame(c, KIND_GOAWAY, 0, 0, goaway, 6 + 12);
      if (write(c->fd, c->out.data, c->out.end) < 0) { /* the server may already be gone */ }
    }
    close(c->fd);
  }
  print_result(NULL);
  return 0;
}
