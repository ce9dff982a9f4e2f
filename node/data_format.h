// The version of a data directory's layout (docs/operations.md#data-directory).
//
// <data_dir>/FORMAT holds one line, the decimal format number
// (version::kDataFormat for directories this build makes). It is written
// when a data directory is first opened, before any store is created; a
// directory with the stores of format 1 but without the file (made before
// the file existed) counts as format 1 and gets the file. A directory of
// another format is refused, so that a release never misreads the layout of
// a newer one (after a downgrade) nor of an unknown one.
//
// Thread-safety: a free function over the file system; the caller holds the
// directory alone (one fronterad per data directory).
#pragma once

#include <string>

#include "common/status.h"

namespace frontera::node {

inline constexpr char kDataFormatFile[] = "FORMAT";

// What CheckDataFormat does when FORMAT is absent.
enum class FormatAbsent {
  kRecord,    // write it (a node opening the directory)
  kLeaveAsIs  // change nothing (`fronterad --check-config`)
};

// Checks the format of the data directory `dir` (which exists). Ok when the
// directory is of this build's format, FORMAT absent included (then written
// with kRecord); FailedPrecondition naming the directory, the format found
// and the formats this build reads otherwise; IOError when FORMAT cannot be
// read or written.
Status CheckDataFormat(const std::string& dir, FormatAbsent absent = FormatAbsent::kRecord);

}  // namespace frontera::node
