/* The pod sandbox ("pause") container of scripts/cluster-up: holds the pod's namespaces, reaps zombies,
 * exits on SIGINT/SIGTERM. Built with `gcc -static -Os` into a one-file image imported as the sandbox_image
 * our containerd names (registry.k8s.io/pause:3.10), since no registry can be reached here. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
  struct sigaction s = {0}, r = {0};
  s.sa_handler = stop;
  sigaction(SIGINT, &s, NULL);
  sigaction(SIGTERM, &s, NULL);
  r.sa_handler = reap;
  r.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &r, NULL);
  for (;;) pause();
  return 0;
}
