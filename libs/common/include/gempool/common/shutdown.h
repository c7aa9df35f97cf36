#pragma once
// Graceful stop on SIGINT/SIGTERM without doing work in a signal handler:
// main() calls BlockShutdownSignals() before starting any thread (so every
// thread inherits the mask), then WaitForShutdownSignal() on the main thread
// once the servers run, then EndAtNextShutdownSignal() and stops them (a
// drain of up to SHUTDOWN_GRACE_SECONDS).

namespace gempool {

void BlockShutdownSignals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForShutdownSignal();
// A second SIGINT or SIGTERM (an impatient operator, an orchestrator's
// repeated stop) ends the process at once, without finishing the drain:
// logs why and exits with 128 + the signal number. Starts a thread that
// waits for it; call once, after WaitForShutdownSignal().
void EndAtNextShutdownSignal();

}  // namespace gempool
