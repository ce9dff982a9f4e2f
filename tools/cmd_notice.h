// `frontera notice file` and `frontera notice export` (docs/cli.md#notice):
// an illegitimate-product notice (docs/formats.md §18) built from flags or a
// JSON file, signed and posted to POST /v1/notices; and the fields Form FDA
// 3911 asks for, one record per product, from GET /v1/notices/{id} read with
// a key that may see it.
//
// Thread-safety: as every command body, one thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "tools/cli_common.h"

namespace frontera::tools {

struct NoticeFileOptions {
  std::string node = kDefaultNode;
  std::string key;               // key file of the filer (signs the notice)
  std::string file;              // a notice as JSON; signed with --key when it has no proof
  std::string type = "initial";  // initial | follow_up | termination
  std::string id;                // default: a fresh urn:uuid
  std::string initial;           // follow_up, termination: the initial notice's id
  std::vector<std::string> certificates;
  std::string classification;
  std::string determined;  // YYYY-MM-DD
  std::string description;
  std::string quantity;  // a number (empty: none)
  std::string uom;
  std::string contact_name;
  std::string contact_phone;
  std::string contact_email;
  std::string incident_number;
  bool json = false;
};

// Builds the notice (or reads --file), signs it, checks it as the ledger
// will and posts it; prints the receipt (the initial notice's id and its
// status).
int RunNoticeFile(const NoticeFileOptions& options, const CommandEnv& env);

struct NoticeExportOptions {
  std::string node = kDefaultNode;
  std::string id;               // the notice's or one of its reports' id
  std::string key;              // key file that signs the read (an agency or a party named)
  std::string format = "json";  // json | csv
};

// Writes the Form FDA 3911 records of the report `id` names (the initial
// notification, a follow-up or the request for termination) on the output.
int RunNoticeExport(const NoticeExportOptions& options, const CommandEnv& env);

// The columns of a Form 3911 record, in the order the CSV writes them.
const std::vector<std::string>& Form3911Columns();

// The Form 3911 records of the report `report_id` of `notice` (a GET
// /v1/notices/{id} answer): one per certificate, each an object with every
// column of Form3911Columns() (a string; "" where the form's field does not
// apply). The product fields come from the certificates' credential
// subjects, the NDC as ledger::NdcOfProduct derives it. kNotFound when no
// report of the notice has that id; kInvalidArgument, naming the member,
// when the answer is not a notice view.
Result<crypto::Json> Form3911Records(const crypto::Json& notice, const std::string& report_id);

// `records` as RFC 4180 CSV: a header line of the columns, then one line per
// record, CRLF line ends; a field holding a comma, a double quote, CR or LF
// is quoted, its double quotes doubled.
std::string Form3911Csv(const crypto::Json& records);

}  // namespace frontera::tools
