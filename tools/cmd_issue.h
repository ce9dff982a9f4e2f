// `frontera issue pharma|precursor|--file`: build, label, sign and post a
// certificate (docs/cli.md#issuing). Each returns its exit code.
#pragma once

#include <string>

#include "tools/cli_common.h"

namespace frontera::tools {

// The flags every issue form takes.
struct IssueOptions {
  std::string node = kDefaultNode;
  std::string key;          // issuer's key file
  std::string id;           // default: a fresh urn:uuid
  std::string valid_from;   // RFC 3339; default: now
  std::string valid_until;  // RFC 3339
  std::string resolver;     // label resolver host; default: the node's
  bool no_label = false;
  bool json = false;
};

struct PharmaOptions {
  std::string gtin, lot, serial, expiry, product_name, strength_dosage_form, container_size, ndc;
};

struct PrecursorOptions {
  std::string sscc, substance, cas, un_table, hs_code, quantity, uom, concentration, importer,
      importer_key, consignee, consignee_key, point_of_entry, dispatch_date, pen, import_permit;
};

int RunIssuePharma(const IssueOptions& common, const PharmaOptions& options, const CommandEnv& env);
int RunIssuePrecursor(const IssueOptions& common, const PrecursorOptions& options,
                      const CommandEnv& env);
// Posts the credential in `file`, signed with common.key first when it has no
// proof.
int RunIssueFile(const IssueOptions& common, const std::string& file, const CommandEnv& env);

}  // namespace frontera::tools
