// RFC 3339 timestamps as the CLI writes them. Proofs carry UTC with second precision
// ("2026-11-02T14:05:00Z", see common/clock.h); EPCIS events carry local time with milliseconds and
// the offset ("2026-11-03T09:30:00.000-06:00", EPCIS 2.0 §7.4.1 eventTime and eventTimeZoneOffset).
// Parsing is ledger::gs1's (one rule book for the CLI and the ledger).
//
// Thread-safety: pure functions (LocalUtcOffsetMinutes reads the process's
// time zone, which must not change concurrently).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace frontera::tools {

// The time-offset of an RFC 3339 date-time as EPCIS writes it: "+00:00" for
// "Z", otherwise the ±hh:mm as written.
// REQUIRES: ledger::gs1::ParseRfc3339Millis(text).ok().
std::string Rfc3339Offset(std::string_view text);

// "YYYY-MM-DDThh:mm:ss.sss±hh:mm" for the instant `unix_millis` shown at
// `offset_minutes` east of UTC. REQUIRES: |offset_minutes| < 24 * 60.
std::string FormatRfc3339WithOffset(int64_t unix_millis, int offset_minutes);

// "±hh:mm" for `offset_minutes` east of UTC.
std::string FormatOffset(int offset_minutes);

// The local time zone's offset from UTC at `unix_millis`, in minutes east.
int LocalUtcOffsetMinutes(int64_t unix_millis);

}  // namespace frontera::tools
