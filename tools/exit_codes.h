// Exit codes of the `frontera` CLI (docs/cli.md#exit-codes). Verdicts of
// `frontera verify` are 0-7 (ledger::Verdict, see verify.h); errors that prevent an answer use
// the BSD sysexits.h values, all >= 64, so a script can tell "the product is
// not authentic" from "the check could not be made".
#pragma once

#include "common/status.h"

namespace frontera::tools {

inline constexpr int kExitOk = 0;
// `verify`: the ledger does not hold the item (ledger::Verdict::kNotOnLedger);
// offline, it is not in the trust bundle's certified-item filter as of the
// filter's checkpoint (docs/cli.md#verdicts).
inline constexpr int kExitNotOnLedger = 4;
// `verify` offline: the trust bundle's co-signatures are older than the
// genesis's max_bundle_age (ledger::Verdict::kStaleBundle).
inline constexpr int kExitStaleBundle = 6;
// `verify` and `trust sync`: the checkpoint carries fewer valid witness
// cosignatures than required (genesis witness_quorum, --witnesses K):
// WITNESSES MISSING (docs/cli.md#witnesses). Outside the verdicts (the
// product was not judged) and outside sysexits.h.
inline constexpr int kExitWitnessesMissing = 79;
// `verify` online: the pack was decommissioned (dispensed, destroyed, stolen,
// …; ledger::Verdict::kDecommissioned, docs/ledger.md#pack-lifecycle).
inline constexpr int kExitDecommissioned = 7;
inline constexpr int kExitUsage = 64;         // EX_USAGE: bad flag or argument
inline constexpr int kExitDataError = 65;     // EX_DATAERR: bad input file or rejected document
inline constexpr int kExitNoInput = 66;       // EX_NOINPUT: an input file does not exist
inline constexpr int kExitUnavailable = 69;   // EX_UNAVAILABLE: node unreachable or not ready
inline constexpr int kExitSoftware = 70;      // EX_SOFTWARE: internal error
inline constexpr int kExitNoPermission = 77;  // EX_NOPERM: the signer is not allowed (HTTP 403)
inline constexpr int kExitCantCreate = 73;    // EX_CANTCREAT: output file exists or cannot be made
inline constexpr int kExitIoError = 74;       // EX_IOERR: read or write failed

// The exit code for a failed operation.
// REQUIRES: !status.ok().
inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kPermissionDenied:
      return kExitNoPermission;
    case Status::Code::kInvalidArgument:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
    case Status::Code::kCorruption:
      return kExitDataError;
    case Status::Code::kNotFound:
      return kExitNoInput;
    case Status::Code::kUnavailable:
    case Status::Code::kResourceExhausted:
      return kExitUnavailable;
    case Status::Code::kIOError:
      return kExitIoError;
    case Status::Code::kOk:
    case Status::Code::kInternal:
      return kExitSoftware;
  }
  return kExitSoftware;
}

}  // namespace frontera::tools
