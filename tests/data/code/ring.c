/* A ring buffer with macros, structs and a long parser function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING_CAP 64
#define RING_NEXT(i) (((i) + 1) % RING_CAP)
#define CHECK(cond, msg)                      \
  do {                                        \
    if (!(cond)) {                            \
      fprintf(stderr, "error: %s\n", (msg)); \
      return -1;                              \
    }                                         \
  } while (0)

struct ring {
  int head;
  int tail;
  char data[RING_CAP];
};

typedef int (*visit_fn)(char c, void *ctx);

static int ring_push(struct ring *r, char c) {
  CHECK(RING_NEXT(r->tail) != r->head, "ring full");
  r->data[r->tail] = c;
  r->tail = RING_NEXT(r->tail);
  return 0;
}

static int ring_pop(struct ring *r, char *out) {
  CHECK(r->head != r->tail, "ring empty");
  *out = r->data[r->head];
  r->head = RING_NEXT(r->head);
  return 0;
}

int parse_config(const char *text, int *width, int *height, int *depth) {
  const char *p = text;
  int line = 1;
  *width = *height = *depth = 0;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '#') {
      while (*p && *p != '\n') p++;
    } else if (strncmp(p, "width=", 6) == 0) {
      *width = atoi(p + 6);
    } else if (strncmp(p, "height=", 7) == 0) {
      *height = atoi(p + 7);
    } else if (strncmp(p, "depth=", 6) == 0) {
      *depth = atoi(p + 6);
    } else if (*p != '\n' && *p != '\0') {
      fprintf(stderr, "line %d: unknown setting\n", line);
      return -1;
    }
    while (*p && *p != '\n') p++;
    if (*p == '\n') {
      p++;
      line++;
    }
  }
  if (*width <= 0 || *height <= 0) {
    fprintf(stderr, "width and height are required\n");
    return -1;
  }
  if (*depth == 0) *depth = 8;
  return 0;
}

int ring_each(struct ring *r, visit_fn fn, void *ctx) {
  for (int i = r->head; i != r->tail; i = RING_NEXT(i)) {
    int rc = fn(r->data[i], ctx);
    if (rc) return rc;
  }
  return 0;
}
