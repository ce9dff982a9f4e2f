// StateMachine and illegitimate-product notices (docs/ledger.md#notices,
// docs/formats.md §18): who files an initial notice, a follow-up or a
// termination, what an initial notice flags and what a termination clears,
// and the notice's view. Called from Check and Apply like the registry's
// rules (state_machine_registry.cc).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/jcs.h"
#include "ledger/notice.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

// kState: initial notice id → the notice record (JSON): filer,
// classification, status, certificates, and the ledger positions of the
// initial notice, its follow-ups and its termination.
constexpr std::string_view kNoticePrefix = "n/";

// The flag an initial notice raises: the filer has determined that the
// product is illegitimate (FD&C Act §581(8), §582's notification duty).
const std::string kNoticeFlag = "illegitimate";

// DSCSA trading partners that notify FDA (manufacturers, wholesale
// distributors, dispensers; an importer receives as a wholesaler), and the
// agencies. A carrier moves goods it does not own; a precursor shipper does
// not trade in drugs.
bool FilesNotices(Role role) {
  return role == Role::kAgency || role == Role::kManufacturer || role == Role::kDistributor ||
         role == Role::kPharmacy || role == Role::kImporter;
}

std::string NoticeKey(std::string_view id) { return Key(kNoticePrefix, id); }

}  // namespace

Status StateMachine::CheckNotice(const View& view, const ParsedDocument& parsed,
                                 const PartyRecord& signer, int64_t time_unix_ms) const {
  const Notice& n = *parsed.notice;
  if (n.issuer != parsed.signer) {
    return Status::FailedPrecondition(
        "the notice is not signed by its issuer",
        {{"/proof/verificationMethod", "must be a key of " + n.issuer}});
  }
  const Role role = signer.party.role;
  const bool agency = role == Role::kAgency;
  if (!FilesNotices(role)) {
    return Status::PermissionDenied(
        "an illegitimate-product notice is filed by an agency or a trading partner (manufacturer, "
        "distributor, pharmacy, importer); " +
            n.issuer + " is a " + std::string(RoleName(role)),
        {{"/issuer", "a " + std::string(RoleName(role)) + " does not file notices"}});
  }

  if (n.type == NoticeType::kInitial) {
    if (n.date_of_determination > FormatRfc3339(time_unix_ms).substr(0, 10)) {
      return Status::FailedPrecondition("the product was determined illegitimate on " +
                                            n.date_of_determination + ", after the ledger's date",
                                        {{"/dateOfDetermination", "is in the future"}});
    }
    for (size_t i = 0; i < n.certificates.size(); ++i) {
      const std::string& id = n.certificates[i];
      const std::string pointer = "/certificates/" + std::to_string(i);
      Json record;
      if (Status s = LoadRecord(view, id, record); !s.ok()) {
        if (!s.IsNotFound()) return s;
        return Status::FailedPrecondition("no certificate " + id + " on the ledger",
                                          {{pointer, "not a certificate on the ledger"}});
      }
      if (record["type"] != "product") {
        return Status::FailedPrecondition(
            "certificate " + id + " is a precursor consignment; a notice is about drug products",
            {{pointer, "not a product certificate"}});
      }
      // A trading partner notifies about product in its possession or that
      // it made: the issuer, the custodian, or the party it is shipped to.
      if (!agency) {
        bool party_to_it = false;
        for (const char* member : {"issuer", "custodian", "in_transit_to"}) {
          const std::string did = record.value(member, "");
          if (did.empty()) continue;
          FRONTERA_ASSIGN_OR_RETURN(bool same, SameParty(view, did, parsed.signer));
          party_to_it = party_to_it || same;
        }
        if (!party_to_it) {
          return Status::PermissionDenied(
              "a trading partner files a notice only about product it issued, holds or is "
              "shipped; " +
                  id + " is none of these to " + n.issuer,
              {{pointer, "not the issuer, holder or addressee of this certificate"}});
        }
      }
      const Json flagged = record.value("flagged", Json::object());
      const auto entry = flagged.find(kNoticeFlag);
      if (entry != flagged.end() &&
          entry->value("notices", Json::array()).size() >= options_.notices_per_certificate_max) {
        return Status::ResourceExhausted(
            "certificate " + id + " is held by " +
                std::to_string(options_.notices_per_certificate_max) +
                " open notices (ledger.notices_per_certificate_max); follow one of them up instead",
            {{pointer, "too many open notices"}});
      }
    }
    return Status::Ok();
  }

  // A follow-up or a termination, of an initial notice on the ledger.
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, NoticeKey(n.initial_notice)));
  if (!text) {
    return Status::FailedPrecondition("no initial notice " + n.initial_notice + " on the ledger",
                                      {{"/initialNotice", "not an initial notice on the ledger"}});
  }
  const Json record = Json::parse(*text);
  const std::string filer = record["filer"].get<std::string>();
  FRONTERA_ASSIGN_OR_RETURN(bool by_filer, SameParty(view, filer, parsed.signer));
  if (!by_filer && !agency) {
    return Status::PermissionDenied("only the party that filed notice " + n.initial_notice + " (" +
                                        filer + ") or an agency files its " +
                                        std::string(NoticeTypeName(n.type)),
                                    {{"/proof/verificationMethod", "not the filer or an agency"}});
  }
  if (record["status"] == "terminated") {
    if (n.type == NoticeType::kTermination) {
      return Status::AlreadyExists("notice " + n.initial_notice + " is already terminated",
                                   {{"/initialNotice", "already terminated"}});
    }
    return Status::FailedPrecondition(
        "notice " + n.initial_notice + " is terminated: file a new initial notice",
        {{"/initialNotice", "terminated"}});
  }
  if (n.type == NoticeType::kFollowUp &&
      record["follow_ups"].size() >= options_.notice_follow_ups_max) {
    return Status::ResourceExhausted("notice " + n.initial_notice + " has " +
                                         std::to_string(options_.notice_follow_ups_max) +
                                         " follow-ups (ledger.notice_follow_ups_max)",
                                     {{"/initialNotice", "too many follow-ups"}});
  }
  return Status::Ok();
}

std::string StateMachine::ApplyNotice(StagedView& view, const ParsedDocument& parsed, uint64_t leaf,
                                      const Block& block) {
  const Notice& n = *parsed.notice;
  const Json position = {{"leaf_index", leaf},
                         {"leaf_hash", Base64Encode(parsed.leaf_hash)},
                         {"block", block.height},
                         {"time", FormatRfc3339(block.time_unix_ms)},
                         {"by", parsed.signer}};
  // Check read these records a moment ago: a failure now is the store's.
  auto load = [&](std::string_view prefix, const std::string& id) {
    auto text = view.Get(Column::kState, Key(prefix, id));
    FRONTERA_CHECK(text.ok() && *text)
        << "notice " << n.id << ": " << Key(prefix, id) << " unreadable at apply";
    return Json::parse(**text);
  };

  if (n.type == NoticeType::kInitial) {
    for (const std::string& id : n.certificates) {
      Json record = load(kCertPrefix, id);
      Json flagged = record.value("flagged", Json::object());
      const bool raises = !flagged.contains(kNoticeFlag);
      if (raises) {
        // Raised by this notice: the flag ends when the last open notice
        // holding it is terminated (unless an agency cleared it before).
        flagged[kNoticeFlag] = {
            {"by", parsed.signers}, {"reason", "illegitimate-product notice " + n.id},
            {"leaf_index", leaf},   {"block", block.height},
            {"notice", n.id},       {"notices", Json::array()}};
      }
      flagged[kNoticeFlag]["notices"].push_back(n.id);
      record["flagged"] = std::move(flagged);
      if (raises) RecordFlags(view, id, record, leaf);
      view.Put(Column::kState, Key(kCertPrefix, id), record.dump());
    }
    const Json notice = {{"id", n.id},
                         {"filer", parsed.signer},
                         {"classification", n.classification},
                         {"status", "open"},
                         {"certificates", n.certificates},
                         {"initial", position},
                         {"follow_ups", Json::array()},
                         {"termination", nullptr}};
    view.Put(Column::kState, NoticeKey(n.id), notice.dump());
    return "open";
  }

  Json notice = load(kNoticePrefix, n.initial_notice);
  if (n.type == NoticeType::kFollowUp) {
    notice["follow_ups"].push_back(position);
    view.Put(Column::kState, NoticeKey(n.initial_notice), notice.dump());
    return "open";
  }
  notice["status"] = "terminated";
  notice["termination"] = position;
  view.Put(Column::kState, NoticeKey(n.initial_notice), notice.dump());
  for (const Json& id_json : notice["certificates"]) {
    const std::string id = id_json.get<std::string>();
    Json record = load(kCertPrefix, id);
    Json flagged = record.value("flagged", Json::object());
    auto entry = flagged.find(kNoticeFlag);
    // An agency may have cleared the flag meanwhile (docs/ledger.md#flags).
    if (entry == flagged.end()) continue;
    Json& holders = (*entry)["notices"];
    if (!holders.is_array()) continue;  // an agency's flag no notice joined
    auto held = std::find(holders.begin(), holders.end(), Json(n.initial_notice));
    if (held == holders.end()) continue;
    holders.erase(held);
    // An agency's flag stays until an agency clears it; a notice's flag
    // stays while another open notice holds it.
    const bool clears = holders.empty() && entry->contains("notice");
    if (clears) flagged.erase(kNoticeFlag);
    if (flagged.empty()) {
      record.erase("flagged");
    } else {
      record["flagged"] = std::move(flagged);
    }
    if (clears) RecordFlags(view, id, record, leaf);
    view.Put(Column::kState, Key(kCertPrefix, id), record.dump());
  }
  return "terminated";
}

std::optional<StateMachine::HeldDocument> StateMachine::FindNoticeDocument(const Json& document,
                                                                           uint64_t leaf) const {
  auto parsed = ParseNotice(document);
  if (!parsed.ok()) return std::nullopt;
  const std::string initial =
      parsed->type == NoticeType::kInitial ? parsed->id : parsed->initial_notice;
  auto text = store_->Get(Column::kState, NoticeKey(initial));
  if (!text.ok() || !*text) return std::nullopt;
  const Json notice = Json::parse(**text);
  std::vector<Json> positions = {notice["initial"], notice["termination"]};
  for (const Json& p : notice["follow_ups"]) positions.push_back(p);
  for (const Json& p : positions) {
    if (p.is_object() && p["leaf_index"] == leaf) {
      return HeldDocument{initial, leaf, crypto::LeafHash(AsBytes(*crypto::Canonicalize(document))),
                          p["block"].get<uint64_t>(), notice["status"].get<std::string>()};
    }
  }
  return std::nullopt;
}

Result<Json> StateMachine::NoticeView(const std::string& id) const {
  auto load_document = [&](const Json& position) -> Result<Json> {
    FRONTERA_ASSIGN_OR_RETURN(Json doc,
                              ReadStoredDocument(*store_, position["leaf_index"].get<uint64_t>()));
    return Json{{"document", std::move(doc)}, {"ledger", position}};
  };

  FRONTERA_ASSIGN_OR_RETURN(auto text, store_->Get(Column::kState, NoticeKey(id)));
  if (!text) {
    // A follow-up's or a termination's id shows its initial notice.
    FRONTERA_ASSIGN_OR_RETURN(auto leaf_bytes, store_->Get(Column::kIndex, Key(kIdPrefix, id)));
    if (leaf_bytes) {
      FRONTERA_ASSIGN_OR_RETURN(uint64_t leaf, storage::DecodeUint64(*leaf_bytes));
      FRONTERA_ASSIGN_OR_RETURN(auto stored, store_->Get(Column::kState, DocKey(leaf)));
      if (stored && !stored->empty() &&
          static_cast<uint8_t>((*stored)[0]) == static_cast<uint8_t>(DocumentKind::kNotice)) {
        auto doc = crypto::ParseJson(std::string_view(*stored).substr(1));
        if (doc.ok() && doc->contains("initialNotice") && (*doc)["initialNotice"].is_string()) {
          FRONTERA_ASSIGN_OR_RETURN(
              text,
              store_->Get(Column::kState, NoticeKey((*doc)["initialNotice"].get<std::string>())));
        }
      }
    }
    if (!text) return Status::NotFound("no notice " + id);
  }
  const Json notice = Json::parse(*text);
  FRONTERA_ASSIGN_OR_RETURN(Json initial, load_document(notice["initial"]));
  Json follow_ups = Json::array();
  // Everyone who signed a report of this notice is named by it.
  Json parties = Json::array({notice["filer"]});
  for (const Json& position : notice["follow_ups"]) {
    FRONTERA_ASSIGN_OR_RETURN(Json follow_up, load_document(position));
    follow_ups.push_back(std::move(follow_up));
    parties.push_back(position["by"]);
  }
  Json termination = nullptr;
  if (!notice["termination"].is_null()) {
    FRONTERA_ASSIGN_OR_RETURN(termination, load_document(notice["termination"]));
    parties.push_back(notice["termination"]["by"]);
  }
  const std::string filer_did = notice["filer"].get<std::string>();
  Json filer = {{"did", filer_did}};
  if (std::optional<PartyRecord> party = FindParty(filer_did)) {
    filer["name"] = party->party.name;
    filer["role"] = RoleName(party->party.role);
    filer["country"] = party->party.country;
    filer["gln"] = party->party.gln;
  }
  Json certificates = Json::array();
  for (const Json& cert_id : notice["certificates"]) {
    FRONTERA_ASSIGN_OR_RETURN(Json view, CertificateView(cert_id.get<std::string>()));
    certificates.push_back({{"id", cert_id},
                            {"status", view["status"]},
                            {"flags", view["flags"]},
                            {"credentialSubject", view["credential"]["credentialSubject"]},
                            {"ledger", view["ledger"]}});
  }
  return Json{{"id", notice["id"]},
              {"status", notice["status"]},
              {"classification", notice["classification"]},
              {"filer", std::move(filer)},
              {"parties", std::move(parties)},
              {"initial", std::move(initial)},
              {"follow_ups", std::move(follow_ups)},
              {"termination", std::move(termination)},
              {"certificates", std::move(certificates)}};
}

}  // namespace frontera::ledger
