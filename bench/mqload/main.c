/* mqload <flow|connect|hold> --ports p[,p] [--watch name:pid,pid ...] [scenario options] */
#include "mqload.h"

#include <signal.h>
#include <string.h>

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); /* a write to a reset connection fails with EPIPE instead */
  args_init(argc, argv);
  if (argc < 2) die("usage: mqload flow|connect|hold --ports p[,p] [options]");
  if (strcmp(argv[1], "flow") == 0) return run_flow();
  if (strcmp(argv[1], "connect") == 0) return run_connect();
  if (strcmp(argv[1], "hold") == 0) return run_hold();
  die("unknown scenario %s", argv[1]);
}
