#include "key_revalidator.h"

namespace gempool::keybroker {

KeyRevalidator::KeyRevalidator(KeyVerifier& verifier, absl::Duration interval)
    : verifier_(verifier), interval_(interval) {}

KeyRevalidator::~KeyRevalidator() { Stop(); }

void KeyRevalidator::Start() {
  thread_ = std::thread([this] { Run(); });
}

void KeyRevalidator::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void KeyRevalidator::Run() {
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    verifier_.RevalidateOnce([this] { return stop_.HasBeenNotified(); });
  }
}

}  // namespace gempool::keybroker
