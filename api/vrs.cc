#include "api/vrs.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

#include "api/routes.h"
#include "common/encoding.h"
#include "ledger/genesis.h"
#include "ledger/verdict.h"

namespace frontera::api {
namespace {

namespace gs1 = ledger::gs1;

// Longest context value accepted (the standard's values are short camelCase
// tokens such as dscsaSaleableReturn).
constexpr size_t kContextBytesMax = 64;

// The segments of a product request after the base path, when `path` has
// one of the two forms (literal segments compared percent-decoded).
std::optional<std::vector<std::string_view>> ProductSegments(std::string_view path) {
  std::vector<std::string_view> segments = SplitSegments(path);
  // Under the base path: drop its one segment.
  const std::string_view base = kVrsBasePath.substr(1);
  if (!segments.empty() && PercentDecode(segments[0]) == std::string(base)) {
    segments.erase(segments.begin());
  }
  if (segments.size() != 6) return std::nullopt;
  auto literal = [&](size_t i) { return PercentDecode(segments[i]).value_or(std::string()); };
  const bool words = literal(0) == "gtin" && literal(2) == "lot" && literal(4) == "ser";
  const bool numbers = literal(0) == "01" && literal(2) == "10" && literal(4) == "21";
  if (!words && !numbers) return std::nullopt;
  return segments;
}

void CheckGtinParam(const std::string& pointer, const std::string& gtin,
                    std::vector<FieldError>& errors) {
  if (Status s = gs1::CheckGtin14(gtin); !s.ok()) {
    errors.push_back({pointer, s.message() + " (a GTIN-14: 14 digits, GS1 check digit)"});
  }
}

void CheckGlnParam(const std::string& gln, std::vector<FieldError>& errors) {
  if (std::optional<std::string> problem = GlnProblem(gln)) {
    errors.push_back({"/query/reqGLN", *problem});
  }
}

bool IsAsciiLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::optional<std::string> GlnProblem(std::string_view gln) {
  if (Status s = gs1::CheckGln(gln); !s.ok()) {
    return s.message() + " (a GLN: 13 digits, GS1 check digit)";
  }
  return std::nullopt;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

bool IsVrsProductPath(std::string_view path) {
  std::vector<std::string_view> segments = SplitSegments(path);
  return !segments.empty() && PercentDecode(segments[0]) == std::string(kVrsBasePath.substr(1)) &&
         ProductSegments(path).has_value();
}

bool AsksVerificationService(std::string_view query) {
  QueryParams params = ParseQuery(query);
  auto it = params.values.find("linkType");
  if (it == params.values.end()) return false;
  for (const std::string& value : it->second) {
    if (value == kVrsLinkType) return true;
  }
  return false;
}

Result<VrsRequest> ParseVrsRequest(std::string_view path, std::string_view query,
                                   int64_t now_unix_millis) {
  std::optional<std::vector<std::string_view>> segments = ProductSegments(path);
  if (!segments) {
    return Status::InvalidArgument(
        "a verification request names a pack as /gtin/{gtin}/lot/{lot}/ser/{serial} or "
        "/01/{gtin}/10/{lot}/21/{serial}",
        {{"/path", "not a product identifier path"}});
  }
  VrsRequest out;
  QueryParams params = ParseQuery(query);
  std::vector<FieldError>& errors = params.errors;
  // Path values: percent-decoded, then checked as GS1 AI values.
  const char* names[3] = {"gtin", "lot", "serial"};
  std::string* fields[3] = {&out.gtin, &out.lot, &out.serial};
  for (int i = 0; i < 3; ++i) {
    const std::string pointer = std::string("/path/") + names[i];
    std::optional<std::string> value = PercentDecode((*segments)[2 * i + 1]);
    if (!value) {
      errors.push_back({pointer, "malformed percent-encoding (RFC 3986 §2.1)"});
      continue;
    }
    *fields[i] = *value;
    if (i == 0) {
      CheckGtinParam(pointer, *value, errors);
    } else if (Status s = gs1::CheckCset82Value(*value, names[i]); !s.ok()) {
      errors.push_back({pointer, s.message()});
    }
  }
  // exp, or AI 17 in the numeric form's query: one of them, once.
  std::optional<std::string> exp = SingleValue(params, "exp");
  std::optional<std::string> ai17 = SingleValue(params, "17");
  if (exp && ai17) {
    errors.push_back({"/query/17", "give the expiry once: exp or 17, not both"});
  } else if (!exp && !ai17) {
    if (!params.values.contains("exp") && !params.values.contains("17")) {
      errors.push_back({"/query/exp", "required: the expiry date as YYMMDD"});
    }
  } else {
    const std::string pointer = exp ? "/query/exp" : "/query/17";
    out.exp = exp ? *exp : *ai17;
    Result<gs1::CivilDate> day = ledger::ExpiryDateOfYymmdd(out.exp, now_unix_millis);
    if (!day.ok()) {
      errors.push_back({pointer, "must be a date as YYMMDD (day 00: the month's last day)"});
    } else {
      out.expiry = *day;
    }
  }
  std::optional<std::string> link_type = SingleValue(params, "linkType");
  if (!link_type) {
    if (!params.values.contains("linkType")) {
      errors.push_back({"/query/linkType", "required: verificationService"});
    }
  } else if (*link_type != kVrsLinkType) {
    errors.push_back({"/query/linkType", "must be verificationService"});
  }
  std::optional<std::string> context = SingleValue(params, "context");
  if (!context) {
    if (!params.values.contains("context")) {
      errors.push_back({"/query/context",
                        "required: why the pack is verified, such as "
                        "dscsaSaleableReturn"});
    }
  } else {
    bool token = !context->empty() && context->size() <= kContextBytesMax;
    for (char c : *context) token = token && IsAsciiLetterOrDigit(c);
    if (!token) {
      errors.push_back({"/query/context", "must be 1 to " + std::to_string(kContextBytesMax) +
                                              " letters and digits, such as dscsaSaleableReturn"});
    }
    out.context = context.value_or("");
  }
  std::optional<std::string> req_gln = SingleValue(params, "reqGLN");
  if (!req_gln) {
    if (!params.values.contains("reqGLN")) {
      errors.push_back({"/query/reqGLN", "required: the requestor's GLN"});
    }
  } else {
    CheckGlnParam(*req_gln, errors);
    out.req_gln = *req_gln;
  }
  std::optional<std::string> corr_uuid = SingleValue(params, "corrUUID");
  if (!corr_uuid) {
    if (!params.values.contains("corrUUID")) {
      errors.push_back({"/query/corrUUID", "required: a UUID the answer repeats"});
    }
  } else if (!IsUuid(*corr_uuid)) {
    errors.push_back({"/query/corrUUID", "must be a UUID (8-4-4-4-12 hexadecimal digits)"});
  } else {
    out.corr_uuid = *corr_uuid;
    for (char& c : out.corr_uuid) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("the verification request is not valid", std::move(errors));
  }
  return out;
}

Result<VrsConnectivityRequest> ParseVrsConnectivity(std::string_view query) {
  QueryParams params = ParseQuery(query);
  VrsConnectivityRequest out;
  if (std::optional<std::string> gtin = SingleValue(params, "gtin")) {
    CheckGtinParam("/query/gtin", *gtin, params.errors);
    out.gtin = *gtin;
  } else if (!params.values.contains("gtin")) {
    params.errors.push_back({"/query/gtin", "required: a GTIN-14 on the ledger"});
  }
  if (std::optional<std::string> gln = SingleValue(params, "reqGLN")) {
    CheckGlnParam(*gln, params.errors);
    out.req_gln = *gln;
  } else if (!params.values.contains("reqGLN")) {
    params.errors.push_back({"/query/reqGLN", "required: the requestor's GLN"});
  }
  if (!params.errors.empty()) {
    return Status::InvalidArgument("the connectivity check is not valid", std::move(params.errors));
  }
  return out;
}

int RequestorDecision::http_status() const {
  switch (verdict) {
    case RequestorVerdict::kEntitled:
      return 200;
    case RequestorVerdict::kUnknownGln:
    case RequestorVerdict::kWrongKey:
      return 401;
    case RequestorVerdict::kSuspended:
    case RequestorVerdict::kRoleNotEntitled:
    case RequestorVerdict::kAmbiguousGln:
      return 403;
  }
  return 403;
}

RequestorDecision DecideRequestor(std::string_view req_gln,
                                  const std::vector<ledger::PartyRecord>& parties,
                                  const Reader& reader) {
  const std::string gln(req_gln);
  if (parties.empty()) {
    return {RequestorVerdict::kUnknownGln,
            "reqGLN " + gln + " is not the GLN of a party registered on this network"};
  }
  if (parties.size() > 1) {
    return {RequestorVerdict::kAmbiguousGln,
            "reqGLN " + gln + " is registered to " + std::to_string(parties.size()) +
                " parties; the network's agencies must settle whose it is"};
  }
  const ledger::Party& party = parties[0].party;
  // A signature proves the sender; an unsigned request is taken at its word
  // as VRS does today.
  if (!reader.anonymous() && reader.did != party.did) {
    return {RequestorVerdict::kWrongKey, "the request is signed by " + reader.did +
                                             ", which is not the current key of " + party.name +
                                             " (reqGLN " + gln + ", " + party.did + ")"};
  }
  if (parties[0].status != ledger::PartyStatus::kActive) {
    return {RequestorVerdict::kSuspended,
            party.name + " (reqGLN " + gln + ") is " +
                std::string(ledger::PartyStatusName(parties[0].status)) + " on this network"};
  }
  switch (party.role) {
    case ledger::Role::kManufacturer:
    case ledger::Role::kDistributor:
    case ledger::Role::kPharmacy:
    case ledger::Role::kImporter:
    case ledger::Role::kAgency:
      return {RequestorVerdict::kEntitled, ""};
    case ledger::Role::kShipper:
    case ledger::Role::kCarrier:
      break;
  }
  return {RequestorVerdict::kRoleNotEntitled,
          party.name + " (reqGLN " + gln + ") is a " + std::string(ledger::RoleName(party.role)) +
              "; verification answers trading partners (manufacturers, distributors, pharmacies, "
              "importers) and agencies"};
}

std::string_view VrsPackStateInfo(ledger::PackState state) {
  switch (state) {
    case ledger::PackState::kActive:
      return "";
    case ledger::PackState::kDispensed:
      return "Dispensed";
    case ledger::PackState::kExported:
      return "Exported";
    case ledger::PackState::kSampled:
      return "Sampled";
    case ledger::PackState::kFreeSample:
      return "FreeSample";
    case ledger::PackState::kLocked:
      return "Locked";
    case ledger::PackState::kDestroyed:
      return "Destroyed";
    case ledger::PackState::kStolen:
      return "Stolen";
  }
  return "";
}

VrsVerification DeriveVerification(const VrsRequest& request, const VrsPackFacts& facts) {
  VrsVerification out;
  if (!facts.on_ledger) {
    out.failure_reason = kNoMatchGtinSerial;
    return out;
  }
  const bool lot_differs = facts.lot != request.lot;
  const bool expiry_differs = !facts.expiry || !(*facts.expiry == request.expiry);
  if (lot_differs && expiry_differs) {
    out.failure_reason = kNoMatchGtinSerialLotExpiry;
  } else if (lot_differs) {
    out.failure_reason = kNoMatchGtinSerialLot;
  } else if (expiry_differs) {
    out.failure_reason = kNoMatchGtinSerialExpiry;
  }
  if (!out.failure_reason.empty()) return out;
  // The identifiers match. What else holds, gravest first.
  const bool recalled = (facts.revoked && facts.recall) || facts.flag_recalled;
  using ledger::PackState;
  const PackState pack = facts.pack_state;
  if (facts.flag_illegitimate) {
    out.additional_info = "Illegitimate";
  } else if (pack == PackState::kStolen) {
    out.additional_info = "Stolen";
  } else if (facts.flag_suspect) {
    out.additional_info = "Suspect";
  } else if (recalled) {
    out.additional_info = "Recalled";
  } else if (pack != PackState::kActive) {
    out.additional_info = VrsPackStateInfo(pack);
  } else if (facts.expired) {
    out.additional_info = "Expired";
  }
  // An illegitimate pack, a certificate its issuer withdrew (a revocation
  // that is not a recall) and a pack reported stolen or destroyed (one
  // offered for sale is a copy or a theft) are not vouched for.
  if (facts.flag_illegitimate || (facts.revoked && !facts.recall) || pack == PackState::kStolen ||
      pack == PackState::kDestroyed) {
    out.failure_reason = kNoReasonProvided;
    return out;
  }
  out.verified = true;
  return out;
}

std::string CheckpointHeaderValue(const VrsCheckpoint& checkpoint) {
  return std::to_string(checkpoint.tree_size) + " " + Base64Encode(ByteView(checkpoint.root));
}

Result<VrsCheckpoint> ParseCheckpointHeaderValue(std::string_view value) {
  auto bad = [&] {
    return Status::InvalidArgument(std::string(kCheckpointHeader) +
                                   " must be \"<tree size> <base64 root hash>\", got \"" +
                                   std::string(value.substr(0, 128)) + "\"");
  };
  size_t space = value.find(' ');
  if (space == std::string_view::npos || space == 0) return bad();
  VrsCheckpoint out;
  std::string_view size = value.substr(0, space);
  for (char c : size) {
    if (c < '0' || c > '9') return bad();
  }
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), out.tree_size);
  if (ec != std::errc() || end != size.data() + size.size()) return bad();
  Result<Bytes> root = Base64Decode(value.substr(space + 1));
  if (!root.ok() || root->size() != out.root.size()) return bad();
  std::copy(root->begin(), root->end(), out.root.begin());
  return out;
}

crypto::Json VerificationAnswerJson(std::string_view responder_gln, std::string_view corr_uuid,
                                    std::string_view timestamp, const VrsVerification& v) {
  crypto::Json data = {{"verified", v.verified}};
  if (!v.failure_reason.empty()) data["verificationFailureReason"] = v.failure_reason;
  if (!v.additional_info.empty()) data["additionalInfo"] = v.additional_info;
  return crypto::Json{
      {"responderGLN", responder_gln.empty() ? crypto::Json(nullptr) : crypto::Json(responder_gln)},
      {"corrUUID", corr_uuid},
      {"verificationTimestamp", timestamp},
      {"data", std::move(data)}};
}

std::string Rfc3339Millis(int64_t unix_millis) {
  int64_t seconds = unix_millis / 1000;
  int64_t millis = unix_millis % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

}  // namespace frontera::api
