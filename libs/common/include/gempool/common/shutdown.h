#pragma once
// Graceful stop on SIGINT/SIGTERM without doing work in a signal handler:
// main() calls BlockShutdownSignals() before starting any thread (so every
// thread inherits the mask), then WaitForShutdownSignal() on the main thread
// once the servers run, then stops them.

namespace gempool {

void BlockShutdownSignals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace gempool
