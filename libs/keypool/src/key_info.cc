#include "gempool/keypool/key_info.h"

namespace gempool::keypool {

const char* KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kActive:
      return "active";
    case KeyState::kCooling:
      return "cooling";
    case KeyState::kFailing:
      return "failing";
    case KeyState::kDisabled:
      return "disabled";
    case KeyState::kPaused:
      return "paused";
  }
  return "unknown";
}

const char* PoolName(Pool pool) {
  switch (pool) {
    case Pool::kGemini:
      return "gemini";
    case Pool::kVertex:
      return "vertex";
  }
  return "unknown";
}

}  // namespace gempool::keypool
