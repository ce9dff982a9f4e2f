// The commands that write events and revocations and read the ledger:
// `frontera event`, `revoke`, `show`, `checkpoint`, `status`, `label`
// (docs/cli.md#events … #labels). Each returns its exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tools/cli_common.h"

namespace frontera::tools {

struct EventOptions {
  std::string step;  // shipping|departing|…|joint-inspection
  std::string certificate_id;
  std::string node = kDefaultNode;
  std::string key;     // key file of the party acting
  std::string to;      // DID of the next custodian
  std::string to_key;  // or the key file it is derived from (exactly one of the two)
  std::string read_point, biz_location;
  std::string time;  // RFC 3339 with offset; default: now, local
  // flag and clear: the DSCSA flag, the reason, and the key files of more
  // agencies (a majority clearing another agency's flag: a proof each).
  std::string flag;
  std::string reason;
  std::vector<std::string> cosign_keys;
  bool json = false;
};

int RunEvent(const EventOptions& options, const CommandEnv& env);

struct RevokeOptions {
  std::string certificate_id, node = kDefaultNode, reason;
  // The issuer's key file; or the key files of a majority of the agencies,
  // each adding its proof (the first names the revocation's issuer).
  std::vector<std::string> keys;
  bool json = false;
};

int RunRevoke(const RevokeOptions& options, const CommandEnv& env);

struct ShowOptions {
  std::string id, node = kDefaultNode;
  bool json = false;
  bool label = false;  // print only the label URI (credentialSubject.label)
  // Signs the read: an agency or a party the certificate names sees the
  // full view (docs/api.md#two-views). Empty: the public view.
  std::string key = {};
};

// The certificate for people (parties in the timeline by their registered
// names), its JSON, or its label URI alone.
int RunShow(const ShowOptions& options, const CommandEnv& env);

// RenderCertificate (remote.h) with each DID of the flags and the timeline written as
// "<registered name> (<DID>)" when `names` knows it.
std::string RenderCertificateWithNames(const crypto::Json& answer,
                                       const std::map<std::string, std::string>& names);

struct CheckpointOptions {
  std::string node = kDefaultNode, genesis;
  bool json = false;
};

int RunCheckpoint(const CheckpointOptions& options, const CommandEnv& env);

struct AuditCommandOptions {
  std::string node = kDefaultNode;
  std::string key;     // an active agency's key: signs the read
  std::string reader;  // only this did:key's reads
  std::string record;  // only the reads of this record
  uint64_t after = 0;  // entries after this seq
  size_t limit = 100;
  bool json = false;
};

// The node's audit trail of full-view reads (docs/api.md#audit-trail), one
// line per entry: seq, time, reader (by name when registered), what, record.
int RunAudit(const AuditCommandOptions& options, const CommandEnv& env);

struct StatusOptions {
  std::string node = kDefaultNode;
  bool json = false;
  // Where the validators' operational listeners are (docs/cli.md#status):
  // URLs (--ops, FRONTERA_OPS), and a directory of <name>.ops.port files
  // written by fronterad --ops-port-file (--ops-dir, FRONTERA_OPS_DIR; the
  // listener is then http://127.0.0.1:<port>). At least one of the two.
  std::vector<std::string> ops;
  std::string ops_dir;
};

// The validators (GET /v1/validators of --node) and the status of each one
// whose operational listener was given (its GET /v1/status). Exit 1 when a
// listener asked does not answer; a validator not asked does not count.
int RunStatus(const StatusOptions& options, const CommandEnv& env);

struct LabelOptions {
  std::string id, node = kDefaultNode, output;  // output: *.png or *.svg, never overwritten
};

int RunLabel(const LabelOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
