/* mqload: the MQTT 3.1.1 packets it sends (the broker's replies are read in flow.c/sessions.c). */
#include "mqload.h"

#include <string.h>

/* Remaining Length, variable byte integer [MQTT-2.2.3]. */
size_t mq_varint(uint8_t *b, uint32_t v) {
  size_t n = 0;
  do {
    uint8_t d = v % 128;
    v /= 128;
    if (v) d |= 0x80;
    b[n++] = d;
  } while (v);
  return n;
}

static size_t put_str(uint8_t *b, const char *s) {
  size_t len = strlen(s);
  b[0] = (uint8_t)(len >> 8);
  b[1] = (uint8_t)len;
  memcpy(b + 2, s, len);
  return len + 2;
}

/* CONNECT, protocol level 4, no will, no credentials [MQTT-3.1]. */
size_t mq_connect(uint8_t *b, const char *client_id, int clean, uint16_t keepalive) {
  uint32_t rem = 10 + 2 + (uint32_t)strlen(client_id);
  size_t n = 0;
  b[n++] = 0x10;
  n += mq_varint(b + n, rem);
  n += put_str(b + n, "MQTT");
  b[n++] = 4;
  b[n++] = clean ? 0x02 : 0x00; /* Clean Session flag [MQTT-3.1.2-4] */
  b[n++] = (uint8_t)(keepalive >> 8);
  b[n++] = (uint8_t)keepalive;
  n += put_str(b + n, client_id);
  return n;
}

/* SUBSCRIBE with one filter; the fixed header flags are 0010 [MQTT-3.8.1-1]. */
size_t mq_subscribe(uint8_t *b, uint16_t pid, const char *filter, int qos) {
  uint32_t rem = 2 + 2 + (uint32_t)strlen(filter) + 1;
  size_t n = 0;
  b[n++] = 0x82;
  n += mq_varint(b + n, rem);
  b[n++] = (uint8_t)(pid >> 8);
  b[n++] = (uint8_t)pid;
  n += put_str(b + n, filter);
  b[n++] = (uint8_t)qos;
  return n;
}

size_t mq_publish_head(uint8_t *b, const char *topic, int qos, size_t payload_len) {
  uint32_t rem = 2 + (uint32_t)strlen(topic) + (qos ? 2 : 0) + (uint32_t)payload_len;
  size_t n = 0;
  b[n++] = (uint8_t)(0x30 | (qos << 1));
  n += mq_varint(b + n, rem);
  n += put_str(b + n, topic);
  return n;
}

size_t mq_puback(uint8_t *b, uint16_t pid) {
  b[0] = 0x40;
  b[1] = 2;
  b[2] = (uint8_t)(pid >> 8);
  b[3] = (uint8_t)pid;
  return 4;
}

size_t mq_disconnect(uint8_t *b) {
  b[0] = 0xE0;
  b[1] = 0;
  return 2;
}
