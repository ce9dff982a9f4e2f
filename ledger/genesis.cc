#include "ledger/genesis.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/tlog_witness.h"
#include "ledger/gs1.h"

namespace frontera::ledger {

namespace {

constexpr size_t kGenesisBytesMax = 4 << 20;
constexpr size_t kValidatorsMax = 32;
constexpr size_t kPartiesMax = 10000;
constexpr size_t kPrefixesMax = 100;
constexpr size_t kLicencesMax = 100;
constexpr size_t kLicenceNumberCharsMax = 100;

struct RoleEntry {
  Role role;
  std::string_view name;
};
constexpr RoleEntry kRoles[] = {
    {Role::kManufacturer, "manufacturer"},
    {Role::kShipper, "shipper"},
    {Role::kCarrier, "carrier"},
    {Role::kDistributor, "distributor"},
    {Role::kPharmacy, "pharmacy"},
    {Role::kImporter, "importer"},
    {Role::kAgency, "agency"},
};

// GS1 company prefixes must not overlap across parties: a GTIN under
// "75012345" is also under "7501234", so either party could sign for the
// other's items. Called once every prefix is valid, so parties[i].prefixes[k]
// is /parties/i/prefixes/k. Sorted, the prefixes a prefix starts with are the
// chain kept on `open` (at most 9 deep: lengths 4 to 12); one of another
// party there is an overlap, reported at the later-sorted prefix.
void CheckPrefixesDisjoint(const std::vector<Party>& parties, std::vector<FieldError>& errors) {
  struct Entry {
    std::string_view prefix;
    size_t party;
    size_t index;
  };
  std::vector<Entry> all;
  for (size_t i = 0; i < parties.size(); ++i) {
    for (size_t k = 0; k < parties[i].prefixes.size(); ++k) {
      all.push_back({parties[i].prefixes[k], i, k});
    }
  }
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.prefix, a.party, a.index) < std::tie(b.prefix, b.party, b.index);
  });
  std::vector<const Entry*> open;
  for (const Entry& e : all) {
    while (!open.empty() && !e.prefix.starts_with(open.back()->prefix)) open.pop_back();
    for (const Entry* outer : open) {
      if (outer->party == e.party) continue;
      const std::string other =
          "/parties/" + std::to_string(outer->party) + "/prefixes/" + std::to_string(outer->index);
      errors.push_back(
          {"/parties/" + std::to_string(e.party) + "/prefixes/" + std::to_string(e.index),
           outer->prefix == e.prefix
               ? "repeats " + other + " (\"" + std::string(outer->prefix) + "\" of " +
                     parties[outer->party].name + "): a company prefix belongs to one party"
               : "lies inside " + other + " (\"" + std::string(outer->prefix) + "\" of " +
                     parties[outer->party].name +
                     "): the two parties could sign for each other's items"});
      break;
    }
    open.push_back(&e);
  }
}

// Reads a required string member; records a field error when missing or mistyped.
std::string RequireString(const crypto::Json& obj, const char* key, const std::string& pointer,
                          std::vector<FieldError>& errors) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    errors.push_back({pointer + "/" + key, "required non-empty string"});
    return "";
  }
  return it->get<std::string>();
}

std::string OptionalString(const crypto::Json& obj, const char* key, const std::string& pointer,
                           std::vector<FieldError>& errors) {
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (!it->is_string()) {
    errors.push_back({pointer + "/" + key, "must be a string"});
    return "";
  }
  return it->get<std::string>();
}

// "licences": [{"casRn", "number", "validFrom", "validUntil"}], optional.
void ParseLicences(const crypto::Json& p, const std::string& ptr, Party& party,
                   std::vector<FieldError>& errors) {
  auto licences = p.find("licences");
  if (licences == p.end()) return;
  if (!licences->is_array() || licences->size() > kLicencesMax) {
    errors.push_back({ptr + "/licences",
                      "must be an array of at most " + std::to_string(kLicencesMax) + " licences"});
    return;
  }
  for (size_t k = 0; k < licences->size(); ++k) {
    const std::string lptr = ptr + "/licences/" + std::to_string(k);
    const crypto::Json& l = (*licences)[k];
    if (!l.is_object()) {
      errors.push_back({lptr, "must be an object"});
      continue;
    }
    Licence licence;
    licence.cas_rn = RequireString(l, "casRn", lptr, errors);
    if (!licence.cas_rn.empty() && !gs1::CheckCasRn(licence.cas_rn).ok()) {
      errors.push_back({lptr + "/casRn", "must be a CAS Registry Number with a valid check digit"});
    }
    licence.number = RequireString(l, "number", lptr, errors);
    if (licence.number.size() > kLicenceNumberCharsMax) {
      errors.push_back({lptr + "/number",
                        "must be at most " + std::to_string(kLicenceNumberCharsMax) + " bytes"});
    }
    licence.valid_from = RequireString(l, "validFrom", lptr, errors);
    licence.valid_until = RequireString(l, "validUntil", lptr, errors);
    bool dates = true;
    for (const auto& [value, key] : {std::pair{&licence.valid_from, "validFrom"},
                                     std::pair{&licence.valid_until, "validUntil"}}) {
      if (!value->empty() && !gs1::ParseDate(*value).ok()) {
        errors.push_back({lptr + "/" + key, "must be a date YYYY-MM-DD"});
        dates = false;
      }
    }
    if (dates && !licence.valid_from.empty() && !licence.valid_until.empty() &&
        licence.valid_until < licence.valid_from) {
      errors.push_back({lptr + "/validUntil", "must not be before validFrom"});
    }
    party.licences.push_back(std::move(licence));
  }
}

// "witnesses": [{name, key, url}], optional, and "witness_quorum", optional
// (docs/formats.md#witnesses). A witness's name is its verifier key's and
// differs from every validator's, so that its signature line can never be
// taken for a validator's.
void ParseWitnesses(const crypto::Json& document, Genesis& g, std::vector<FieldError>& errors) {
  auto witnesses = document.find("witnesses");
  if (witnesses != document.end()) {
    if (!witnesses->is_array() || witnesses->size() > kWitnessesMax) {
      errors.push_back({"/witnesses", "must be an array of at most " +
                                          std::to_string(kWitnessesMax) + " witnesses"});
    } else {
      std::set<std::string> names;
      std::set<crypto::PublicKey> keys;
      for (size_t i = 0; i < witnesses->size(); ++i) {
        const crypto::Json& w = (*witnesses)[i];
        const std::string ptr = "/witnesses/" + std::to_string(i);
        if (!w.is_object()) {
          errors.push_back({ptr, "must be an object {name, key, url}"});
          continue;
        }
        for (const auto& [member, value] : w.items()) {
          if (member != "name" && member != "key" && member != "url") {
            errors.push_back({ptr + "/" + member, "unknown member (a witness has name, key, url)"});
          }
        }
        Witness witness;
        witness.name = RequireString(w, "name", ptr, errors);
        witness.key = RequireString(w, "key", ptr, errors);
        witness.url = RequireString(w, "url", ptr, errors);
        if (!witness.key.empty()) {
          auto verifier = crypto::ParseCosignerVkey(witness.key);
          if (!verifier.ok()) {
            errors.push_back({ptr + "/key", verifier.status().message()});
          } else if (verifier->name != witness.name) {
            errors.push_back({ptr + "/key", "names \"" + verifier->name +
                                                "\", not the witness's name \"" + witness.name +
                                                "\""});
          } else {
            witness.public_key = verifier->public_key;
            if (!keys.insert(witness.public_key).second) {
              errors.push_back({ptr + "/key", "the same key as another witness"});
            }
          }
        }
        if (!witness.name.empty() && !names.insert(witness.name).second) {
          errors.push_back({ptr + "/name", "duplicate witness name"});
        }
        if (!witness.name.empty() && g.FindValidator(witness.name) != nullptr) {
          errors.push_back(
              {ptr + "/name", "is a validator's name: a witness must be another party"});
        }
        const bool http = witness.url.starts_with("http://") || witness.url.starts_with("https://");
        if (!witness.url.empty() &&
            (!http || witness.url.find_first_of(" \t\n?#") != std::string::npos ||
             witness.url.back() == '/')) {
          errors.push_back(
              {ptr + "/url",
               "must be an http:// or https:// submission prefix without a query, "
               "fragment or trailing '/' (add-checkpoint is POSTed to <url>/add-checkpoint)"});
        }
        g.witnesses.push_back(std::move(witness));
      }
    }
  }
  if (auto quorum = document.find("witness_quorum"); quorum != document.end()) {
    const bool whole = quorum->is_number_unsigned() ||
                       (quorum->is_number_integer() && quorum->get<int64_t>() >= 0);
    if (!whole || quorum->get<uint64_t>() > g.witnesses.size()) {
      errors.push_back({"/witness_quorum",
                        "must be a whole number from 0 to the number of "
                        "witnesses (" +
                            std::to_string(g.witnesses.size()) + ")"});
    } else {
      g.witness_quorum = quorum->get<size_t>();
    }
  }
}

}  // namespace

Party ReadParty(const crypto::Json& p, const std::string& ptr, std::vector<FieldError>& errors) {
  Party party;
  party.did = RequireString(p, "did", ptr, errors);
  if (!party.did.empty()) {
    auto key = crypto::PublicKeyFromDidKey(party.did);
    if (key.ok()) {
      party.public_key = *key;
    } else {
      errors.push_back({ptr + "/did", key.status().message()});
    }
  }
  party.name = RequireString(p, "name", ptr, errors);
  std::string role = RequireString(p, "role", ptr, errors);
  if (auto r = RoleFromName(role)) {
    party.role = *r;
  } else if (!role.empty()) {
    errors.push_back({ptr + "/role",
                      "must be one of manufacturer, shipper, carrier, distributor, pharmacy, "
                      "importer, agency"});
  }
  party.country = RequireString(p, "country", ptr, errors);
  if (!party.country.empty() && !gs1::IsCountryCode(party.country)) {
    errors.push_back({ptr + "/country", "must be an ISO 3166-1 alpha-2 code"});
  }
  party.gln = OptionalString(p, "gln", ptr, errors);
  if (!party.gln.empty() && !gs1::CheckGln(party.gln).ok()) {
    errors.push_back({ptr + "/gln", "must be a 13-digit GLN with a valid check digit"});
  }
  auto prefixes = p.find("prefixes");
  if (prefixes != p.end()) {
    if (!prefixes->is_array() || prefixes->size() > kPrefixesMax) {
      errors.push_back({ptr + "/prefixes", "must be an array of at most 100 strings"});
    } else {
      for (size_t k = 0; k < prefixes->size(); ++k) {
        const crypto::Json& pre = (*prefixes)[k];
        bool digits =
            pre.is_string() && pre.get_ref<const std::string&>().size() >= 4 &&
            pre.get_ref<const std::string&>().size() <= 12 &&
            pre.get_ref<const std::string&>().find_first_not_of("0123456789") == std::string::npos;
        if (!digits) {
          errors.push_back({ptr + "/prefixes/" + std::to_string(k),
                            "must be a GS1 company prefix of 4 to 12 digits"});
        } else {
          party.prefixes.push_back(pre.get<std::string>());
        }
      }
    }
  }
  ParseLicences(p, ptr, party, errors);
  auto suspended = p.find("suspended");
  if (suspended != p.end()) {
    if (!suspended->is_boolean()) {
      errors.push_back({ptr + "/suspended", "must be a boolean"});
    } else {
      party.suspended = suspended->get<bool>();
    }
  }
  return party;
}

std::string_view RoleName(Role role) {
  for (const RoleEntry& e : kRoles) {
    if (e.role == role) return e.name;
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (const RoleEntry& e : kRoles) {
    if (e.name == name) return e.role;
  }
  return std::nullopt;
}

crypto::Json Party::ToJson() const {
  crypto::Json j = {
      {"did", did}, {"name", name}, {"role", std::string(RoleName(role))}, {"country", country}};
  if (!gln.empty()) j["gln"] = gln;
  if (!prefixes.empty()) j["prefixes"] = prefixes;
  if (!licences.empty()) {
    crypto::Json list = crypto::Json::array();
    for (const Licence& l : licences) {
      list.push_back({{"casRn", l.cas_rn},
                      {"number", l.number},
                      {"validFrom", l.valid_from},
                      {"validUntil", l.valid_until}});
    }
    j["licences"] = std::move(list);
  }
  if (suspended) j["suspended"] = true;
  return j;
}

std::vector<crypto::NoteVerifier> Genesis::NoteVerifiers() const {
  std::vector<crypto::NoteVerifier> out;
  out.reserve(validators.size());
  for (const Validator& v : validators) out.push_back({v.name, v.public_key});
  return out;
}

std::vector<crypto::NoteVerifier> Genesis::WitnessVerifiers() const {
  std::vector<crypto::NoteVerifier> out;
  out.reserve(witnesses.size());
  for (const Witness& w : witnesses) out.push_back({w.name, w.public_key});
  return out;
}

const Party* Genesis::FindParty(std::string_view did) const {
  for (const Party& p : parties) {
    if (p.did == did) return &p;
  }
  return nullptr;
}

const Validator* Genesis::FindValidator(std::string_view name) const {
  for (const Validator& v : validators) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

crypto::Json Genesis::ToJson() const {
  crypto::Json vs = crypto::Json::array();
  for (const Validator& v : validators) {
    crypto::Json j = {{"name", v.name}, {"did", v.did}};
    if (!v.api_url.empty()) j["api"] = v.api_url;
    if (!v.peer_addr.empty()) j["peer"] = v.peer_addr;
    vs.push_back(std::move(j));
  }
  crypto::Json ps = crypto::Json::array();
  for (const Party& p : parties) ps.push_back(p.ToJson());
  crypto::Json out = {{"network", network},
                      {"created", created},
                      {"resolver", resolver},
                      {"validators", std::move(vs)},
                      {"parties", std::move(ps)}};
  if (max_bundle_age_seconds) out["max_bundle_age_seconds"] = *max_bundle_age_seconds;
  if (!witnesses.empty()) {
    crypto::Json ws = crypto::Json::array();
    for (const Witness& w : witnesses)
      ws.push_back({{"name", w.name}, {"key", w.key}, {"url", w.url}});
    out["witnesses"] = std::move(ws);
  }
  if (witness_quorum != 0) out["witness_quorum"] = witness_quorum;
  return out;
}

Result<Genesis> ParseGenesis(const crypto::Json& document) {
  if (!document.is_object()) return Status::InvalidArgument("genesis must be a JSON object");
  std::vector<FieldError> errors;
  Genesis g;
  g.network = RequireString(document, "network", "", errors);
  if (g.network.find_first_of(" \n\t") != std::string::npos) {
    errors.push_back({"/network", "must not contain whitespace (it is the checkpoint origin)"});
  }
  g.created = RequireString(document, "created", "", errors);
  if (!g.created.empty() && !gs1::ParseRfc3339Millis(g.created).ok()) {
    errors.push_back({"/created", "must be an RFC 3339 date-time"});
  }
  g.resolver = RequireString(document, "resolver", "", errors);
  if (auto age = document.find("max_bundle_age_seconds"); age != document.end()) {
    // A non-negative JSON integer (parsed text gives unsigned; built JSON may
    // hold a signed one).
    const bool whole =
        age->is_number_unsigned() || (age->is_number_integer() && age->get<int64_t>() >= 0);
    if (!whole || age->get<uint64_t>() < kMaxBundleAgeMinSeconds ||
        age->get<uint64_t>() > kMaxBundleAgeMaxSeconds) {
      errors.push_back(
          {"/max_bundle_age_seconds", "must be a whole number of seconds from " +
                                          std::to_string(kMaxBundleAgeMinSeconds) + " to " +
                                          std::to_string(kMaxBundleAgeMaxSeconds) + " (366 days)"});
    } else {
      g.max_bundle_age_seconds = age->get<uint64_t>();
    }
  }

  auto validators = document.find("validators");
  if (validators == document.end() || !validators->is_array() || validators->empty()) {
    errors.push_back({"/validators", "required non-empty array"});
  } else if (validators->size() > kValidatorsMax) {
    errors.push_back({"/validators", "at most " + std::to_string(kValidatorsMax) + " validators"});
  } else {
    std::set<std::string> names;
    for (size_t i = 0; i < validators->size(); ++i) {
      const crypto::Json& v = (*validators)[i];
      std::string ptr = "/validators/" + std::to_string(i);
      if (!v.is_object()) {
        errors.push_back({ptr, "must be an object"});
        continue;
      }
      Validator val;
      val.name = RequireString(v, "name", ptr, errors);
      if (val.name.find_first_of(" \n\t+") != std::string::npos) {
        errors.push_back({ptr + "/name", "must not contain spaces, newlines or '+'"});
      }
      if (!val.name.empty() && !names.insert(val.name).second) {
        errors.push_back({ptr + "/name", "duplicate validator name"});
      }
      val.did = RequireString(v, "did", ptr, errors);
      if (!val.did.empty()) {
        auto key = crypto::PublicKeyFromDidKey(val.did);
        if (key.ok()) {
          val.public_key = *key;
        } else {
          errors.push_back({ptr + "/did", key.status().message()});
        }
      }
      val.api_url = OptionalString(v, "api", ptr, errors);
      val.peer_addr = OptionalString(v, "peer", ptr, errors);
      g.validators.push_back(std::move(val));
    }
  }

  ParseWitnesses(document, g, errors);

  auto parties = document.find("parties");
  if (parties != document.end() && !parties->is_array()) {
    errors.push_back({"/parties", "must be an array"});
  } else if (parties != document.end() && parties->size() > kPartiesMax) {
    errors.push_back({"/parties", "at most " + std::to_string(kPartiesMax) + " parties"});
  } else if (parties != document.end()) {
    std::set<std::string> dids;
    for (size_t i = 0; i < parties->size(); ++i) {
      const crypto::Json& p = (*parties)[i];
      std::string ptr = "/parties/" + std::to_string(i);
      if (!p.is_object()) {
        errors.push_back({ptr, "must be an object"});
        continue;
      }
      Party party = ReadParty(p, ptr, errors);
      if (!party.did.empty() && !dids.insert(party.did).second) {
        errors.push_back({ptr + "/did", "duplicate party"});
      }
      g.parties.push_back(std::move(party));
    }
    if (errors.empty()) CheckPrefixesDisjoint(g.parties, errors);
  }
  if (!errors.empty()) return Status::InvalidArgument("invalid genesis", std::move(errors));

  auto canonical = crypto::Canonicalize(document);
  if (!canonical.ok()) return canonical.status().WithContext("genesis");
  g.hash = crypto::Sha256(*canonical);
  g.document = document;
  return g;
}

Result<Genesis> LoadGenesisFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open genesis file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kGenesisBytesMax) {
    return Status::ResourceExhausted("genesis file " + path + " is larger than 4 MiB");
  }
  auto doc = crypto::ParseJson(text.str(), {kGenesisBytesMax, 16});
  if (!doc.ok()) return doc.status().WithContext(path);
  auto g = ParseGenesis(*doc);
  if (!g.ok()) return g.status().WithContext(path);
  return g;
}

}  // namespace frontera::ledger
