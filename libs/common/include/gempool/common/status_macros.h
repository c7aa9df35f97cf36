#pragma once
// Propagation macros for absl::Status / absl::StatusOr. Debian 12's abseil
// (20220623) predates ABSL_RETURN_IF_ERROR, so gempool keeps its own two.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GEMPOOL_STATUS_CONCAT_INNER(a, b) a##b
#define GEMPOOL_STATUS_CONCAT(a, b) GEMPOOL_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define GEMPOOL_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    const ::absl::Status _gempool_status = (expr);    \
    if (!_gempool_status.ok()) return _gempool_status; \
  } while (0)

// `lhs = value of expr`, or returns its status from the enclosing function.
#define GEMPOOL_ASSIGN_OR_RETURN(lhs, expr) \
  GEMPOOL_ASSIGN_OR_RETURN_IMPL(GEMPOOL_STATUS_CONCAT(_gempool_or_, __LINE__), lhs, expr)
#define GEMPOOL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
